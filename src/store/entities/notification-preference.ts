import { EntitySchema } from 'typeorm';

/** A viewer's notification choices and the last contact details read from their FHIR record. */
export interface NotificationPreferenceRow {
  /** `<ehr>/<patient>/<viewer kind>/<viewer id>` */
  id: string;
  ehrId: string;
  patientId: string;
  viewerKind: 'patient' | 'proxy';
  viewerId: string;
  /** JWE: the saved preferences; NULL while the viewer has saved none (clinic defaults apply). */
  prefs: string | null;
  /** JWE: email / sms / language from Patient or RelatedPerson telecom, kept for when the EHR is down. */
  contact: string | null;
  updatedAt: Date;
}

export const NotificationPreferenceEntity = new EntitySchema<NotificationPreferenceRow>({
  name: 'NotificationPreference',
  tableName: 'notification_preference',
  columns: {
    id: { type: 'text', primary: true },
    ehrId: { name: 'ehr_id', type: 'text' },
    patientId: { name: 'patient_id', type: 'text' },
    viewerKind: { name: 'viewer_kind', type: 'text' },
    viewerId: { name: 'viewer_id', type: 'text' },
    prefs: { type: 'text', nullable: true },
    contact: { type: 'text', nullable: true },
    updatedAt: { name: 'updated_at', type: 'timestamptz' },
  },
});
