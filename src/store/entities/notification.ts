import { EntitySchema } from 'typeorm';

/** One event's delivery to one recipient on one channel (src/notify/delivery.ts). */
export interface NotificationRow {
  id: string;
  eventId: string;
  ehrId: string;
  patientId: string;
  viewerKind: 'patient' | 'proxy';
  viewerId: string;
  channel: 'email' | 'sms-webhook';
  eventKind: 'message' | 'result' | 'appointment' | 'write';
  status: 'pending' | 'sent' | 'failed' | 'skipped';
  /** Rows sent together (a digest) share it; it is the channel's Message-ID / idempotency key. */
  batchId: string | null;
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  lockOwner: string | null;
  /** A code (smtp_failed, no_address, …); never content. */
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export const NotificationEntity = new EntitySchema<NotificationRow>({
  name: 'Notification',
  tableName: 'notification',
  columns: {
    id: { type: 'text', primary: true },
    eventId: { name: 'event_id', type: 'text' },
    ehrId: { name: 'ehr_id', type: 'text' },
    patientId: { name: 'patient_id', type: 'text' },
    viewerKind: { name: 'viewer_kind', type: 'text' },
    viewerId: { name: 'viewer_id', type: 'text' },
    channel: { type: 'text' },
    eventKind: { name: 'event_kind', type: 'text' },
    status: { type: 'text' },
    batchId: { name: 'batch_id', type: 'text', nullable: true },
    attempts: { type: 'int' },
    nextAttemptAt: { name: 'next_attempt_at', type: 'timestamptz' },
    lockedUntil: { name: 'locked_until', type: 'timestamptz', nullable: true },
    lockOwner: { name: 'lock_owner', type: 'text', nullable: true },
    lastError: { name: 'last_error', type: 'text', nullable: true },
    createdAt: { name: 'created_at', type: 'timestamptz' },
    sentAt: { name: 'sent_at', type: 'timestamptz', nullable: true },
  },
});
