import { EntitySchema } from 'typeorm';

/** A patient write waiting for (or done with) delivery to the EHR (src/outbox/). */
export interface OutboxItemRow {
  id: string;
  /** bigint, from a sequence: the enqueue order (node-postgres returns it as a string). */
  seq: string;
  ehrId: string;
  patientId: string;
  viewerKind: 'patient' | 'proxy';
  viewerId: string;
  /** Hash of the session that wrote it (the first choice of credentials for delivery). */
  sessionKey: string;
  kind: string;
  /** Items of one thread are delivered in seq order; null = no ordering constraint. */
  threadKey: string | null;
  status: 'sending' | 'retrying' | 'delivered' | 'rejected';
  /** JWE: the write itself (text, files). */
  payload: string;
  /** Ids the EHR returned so far (not PHI): binaryIds, headerId, messageId, resource ids. */
  result: { [key: string]: string | string[] };
  ehrThreadId: string | null;
  /** A code such as ehr_unavailable or waiting_for_signin; never PHI. */
  reasonCode: string | null;
  /** JWE: the EHR's own words for a rejection. */
  reason: string | null;
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  lockOwner: string | null;
  createdAt: Date;
  updatedAt: Date;
  deliveredAt: Date | null;
}

export const OutboxItemEntity = new EntitySchema<OutboxItemRow>({
  name: 'OutboxItem',
  tableName: 'outbox_item',
  columns: {
    id: { type: 'text', primary: true },
    seq: { type: 'bigint', generated: 'increment', insert: false },
    ehrId: { name: 'ehr_id', type: 'text' },
    patientId: { name: 'patient_id', type: 'text' },
    viewerKind: { name: 'viewer_kind', type: 'text' },
    viewerId: { name: 'viewer_id', type: 'text' },
    sessionKey: { name: 'session_key', type: 'text' },
    kind: { type: 'text' },
    threadKey: { name: 'thread_key', type: 'text', nullable: true },
    status: { type: 'text' },
    payload: { type: 'text' },
    result: { type: 'jsonb' },
    ehrThreadId: { name: 'ehr_thread_id', type: 'text', nullable: true },
    reasonCode: { name: 'reason_code', type: 'text', nullable: true },
    reason: { type: 'text', nullable: true },
    attempts: { type: 'int' },
    nextAttemptAt: { name: 'next_attempt_at', type: 'timestamptz' },
    lockedUntil: { name: 'locked_until', type: 'timestamptz', nullable: true },
    lockOwner: { name: 'lock_owner', type: 'text', nullable: true },
    createdAt: { name: 'created_at', type: 'timestamptz' },
    updatedAt: { name: 'updated_at', type: 'timestamptz' },
    deliveredAt: { name: 'delivered_at', type: 'timestamptz', nullable: true },
  },
});
