import { EntitySchema } from 'typeorm';

/** A signed-in portal session. The cookie carries a random id; only its hash is stored. */
export interface SessionRow {
  idHash: string;
  ehrId: string;
  patientId: string;
  viewerKind: 'patient' | 'proxy' | 'staff';
  viewerId: string;
  /** Granted scopes, space-separated (not PHI). */
  scopes: string;
  /** JWE: tokens, names, launch context; NULL once the session has ended. */
  secrets: string | null;
  csrfHash: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  accessExpiresAt: Date | null;
  endedAt: Date | null;
  endReason: string | null;
}

export const SessionEntity = new EntitySchema<SessionRow>({
  name: 'Session',
  tableName: 'portal_session',
  columns: {
    idHash: { name: 'id_hash', type: 'text', primary: true },
    ehrId: { name: 'ehr_id', type: 'text' },
    patientId: { name: 'patient_id', type: 'text' },
    viewerKind: { name: 'viewer_kind', type: 'text' },
    viewerId: { name: 'viewer_id', type: 'text' },
    scopes: { type: 'text' },
    secrets: { type: 'text', nullable: true },
    csrfHash: { name: 'csrf_hash', type: 'text' },
    createdAt: { name: 'created_at', type: 'timestamptz' },
    lastSeenAt: { name: 'last_seen_at', type: 'timestamptz' },
    expiresAt: { name: 'expires_at', type: 'timestamptz' },
    accessExpiresAt: { name: 'access_expires_at', type: 'timestamptz', nullable: true },
    endedAt: { name: 'ended_at', type: 'timestamptz', nullable: true },
    endReason: { name: 'end_reason', type: 'text', nullable: true },
  },
});
