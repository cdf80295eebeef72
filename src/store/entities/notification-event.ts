import { EntitySchema } from 'typeorm';

/** Something a patient should hear about, created once per idempotency key (src/notify/). */
export interface NotificationEventRow {
  id: string;
  /** `msg:<ehr>:<id>`, `result:<ehr>:<report>:<viewer>`, `appt:<ehr>:<id>:<lead>`, `write:<outbox id>` */
  idempotencyKey: string;
  ehrId: string;
  patientId: string;
  kind: 'message' | 'result' | 'appointment' | 'write';
  /** `Type/id` of what it is about: ids only, never content. */
  resourceRef: string | null;
  createdAt: Date;
}

export const NotificationEventEntity = new EntitySchema<NotificationEventRow>({
  name: 'NotificationEvent',
  tableName: 'notification_event',
  columns: {
    id: { type: 'text', primary: true },
    idempotencyKey: { name: 'idempotency_key', type: 'text', unique: true },
    ehrId: { name: 'ehr_id', type: 'text' },
    patientId: { name: 'patient_id', type: 'text' },
    kind: { type: 'text' },
    resourceRef: { name: 'resource_ref', type: 'text', nullable: true },
    createdAt: { name: 'created_at', type: 'timestamptz' },
  },
});
