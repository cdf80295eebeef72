import { EntitySchema } from 'typeorm';

/** A result not yet visible to a viewer: re-decided when its release time comes or a clinician acts. */
export interface NotificationWatchRow {
  ehrId: string;
  patientId: string;
  reportId: string;
  viewerKind: 'patient' | 'proxy';
  viewerId: string;
  releaseAt: Date | null;
  createdAt: Date;
}

export const NotificationWatchEntity = new EntitySchema<NotificationWatchRow>({
  name: 'NotificationWatch',
  tableName: 'notification_watch',
  columns: {
    ehrId: { name: 'ehr_id', type: 'text', primary: true },
    patientId: { name: 'patient_id', type: 'text', primary: true },
    reportId: { name: 'report_id', type: 'text', primary: true },
    viewerKind: { name: 'viewer_kind', type: 'text', primary: true },
    viewerId: { name: 'viewer_id', type: 'text', primary: true },
    releaseAt: { name: 'release_at', type: 'timestamptz', nullable: true },
    createdAt: { name: 'created_at', type: 'timestamptz' },
  },
});
