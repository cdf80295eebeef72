import { EntitySchema } from 'typeorm';

/** One row of the append-only, hash-chained audit trail (src/audit/). */
export interface AuditEntryRow {
  /** bigint: node-postgres returns it as a string. */
  seq: string;
  at: Date;
  actorKind: 'patient' | 'proxy' | 'staff' | 'system';
  actorId: string;
  ehrId: string | null;
  patientId: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: 'success' | 'failure' | 'pending';
  /** Rule id and legal basis of a policy decision; never PHI. */
  decision: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** JWE: the PHI-bearing part (actor's display name, free-form details). */
  details: string | null;
  prevHash: string;
  hash: string;
}

export const AuditEntryEntity = new EntitySchema<AuditEntryRow>({
  name: 'AuditEntry',
  tableName: 'audit_entry',
  columns: {
    seq: { type: 'bigint', primary: true },
    at: { type: 'timestamptz' },
    actorKind: { name: 'actor_kind', type: 'text' },
    actorId: { name: 'actor_id', type: 'text' },
    ehrId: { name: 'ehr_id', type: 'text', nullable: true },
    patientId: { name: 'patient_id', type: 'text', nullable: true },
    action: { type: 'text' },
    resourceType: { name: 'resource_type', type: 'text', nullable: true },
    resourceId: { name: 'resource_id', type: 'text', nullable: true },
    outcome: { type: 'text' },
    decision: { type: 'text', nullable: true },
    ip: { type: 'text', nullable: true },
    userAgent: { name: 'user_agent', type: 'text', nullable: true },
    requestId: { name: 'request_id', type: 'text', nullable: true },
    details: { type: 'text', nullable: true },
    prevHash: { name: 'prev_hash', type: 'text' },
    hash: { type: 'text' },
  },
});
