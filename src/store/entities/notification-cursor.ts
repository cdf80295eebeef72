import { EntitySchema } from 'typeorm';

/** Where a change feed stopped: `changes:<ehr>` (the EHR's lastUpdated), `actions:<ehr>`, … */
export interface NotificationCursorRow {
  name: string;
  value: string;
  updatedAt: Date;
}

export const NotificationCursorEntity = new EntitySchema<NotificationCursorRow>({
  name: 'NotificationCursor',
  tableName: 'notification_cursor',
  columns: {
    name: { type: 'text', primary: true },
    value: { type: 'text' },
    updatedAt: { name: 'updated_at', type: 'timestamptz' },
  },
});
