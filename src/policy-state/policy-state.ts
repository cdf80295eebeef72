import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { FieldCipher } from '../crypto/field-cipher.js';
import type { ClinicianAction, PatientPreferences } from '../policy/types.js';

/**
 * The local facts the release policy needs: clinicians' release/hold actions (recorded here, not in
 * the EHR) and the patient's own release choices. Reasons and preferences are stored encrypted.
 */
export class PolicyState {
  constructor(
    private readonly ds: DataSource,
    private readonly cipher: FieldCipher,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async clinicianActions(ehrId: string, patientId: string): Promise<ClinicianAction[]> {
    const rows = (await this.ds.query(
      'SELECT resource_ref, action, by_practitioner, reason, at FROM clinician_action WHERE ehr_id = $1 AND patient_id = $2 ORDER BY at',
      [ehrId, patientId],
    )) as { resource_ref: string; action: 'release' | 'hold'; by_practitioner: string; reason: string | null; at: Date | string }[];
    return Promise.all(
      rows.map(async (r) => ({
        resourceRef: r.resource_ref,
        action: r.action,
        by: r.by_practitioner,
        at: new Date(r.at),
        ...(r.reason ? { reason: await this.cipher.decrypt(r.reason) } : {}),
      })),
    );
  }

  async recordClinicianAction(
    m: EntityManager,
    input: { ehrId: string; patientId: string; resourceRef: string; action: 'release' | 'hold'; by: string; reason: string },
  ): Promise<ClinicianAction> {
    const at = this.clock();
    await m.query(
      'INSERT INTO clinician_action (id, ehr_id, patient_id, resource_ref, action, by_practitioner, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [randomUUID(), input.ehrId, input.patientId, input.resourceRef, input.action, input.by, await this.cipher.encrypt(input.reason), at],
    );
    return { resourceRef: input.resourceRef, action: input.action, by: input.by, at, reason: input.reason };
  }

  async preferences(ehrId: string, patientId: string): Promise<PatientPreferences> {
    const rows = (await this.ds.query('SELECT prefs FROM patient_preference WHERE ehr_id = $1 AND patient_id = $2', [ehrId, patientId])) as { prefs: string }[];
    return rows[0] ? this.cipher.decryptJson<PatientPreferences>(rows[0].prefs) : {};
  }

  async savePreferences(ehrId: string, patientId: string, prefs: PatientPreferences): Promise<void> {
    await this.ds.query(
      `INSERT INTO patient_preference (id, ehr_id, patient_id, prefs, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET prefs = EXCLUDED.prefs, updated_at = EXCLUDED.updated_at`,
      [`${ehrId}/${patientId}`, ehrId, patientId, await this.cipher.encryptJson(prefs), this.clock()],
    );
  }
}
