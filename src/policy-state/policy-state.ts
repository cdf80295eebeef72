import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { FieldCipher } from '../crypto/field-cipher.js';
import type { ClinicianAction, PatientPreferences } from '../policy/types.js';
import { runStatement, statement } from '../store/statement.js';

/** A clinician action row, or the preferences row (`secret` holds the encrypted reason or preferences). */
interface StateRow {
  kind: 'action' | 'prefs';
  resource_ref: string | null;
  action: 'release' | 'hold' | null;
  by_practitioner: string | null;
  at: Date | string | null;
  secret: string | null;
}

const PATIENT_STATE = statement(
  'policy_state_for_patient',
  `SELECT 'action' AS kind, resource_ref, action, by_practitioner, at, reason AS secret FROM clinician_action WHERE ehr_id = $1 AND patient_id = $2
   UNION ALL
   SELECT 'prefs', NULL, NULL, NULL, NULL, prefs FROM patient_preference WHERE ehr_id = $1 AND patient_id = $2
   ORDER BY at NULLS FIRST`,
);

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

  /** Everything the policy reads for one patient, in one round trip: clinician actions (oldest first) and preferences. */
  async forPatient(ehrId: string, patientId: string): Promise<{ clinicianActions: ClinicianAction[]; preferences: PatientPreferences }> {
    const rows = await runStatement<StateRow>(this.ds, PATIENT_STATE, [ehrId, patientId]);
    const prefs = rows.find((r) => r.kind === 'prefs');
    const [clinicianActions, preferences] = await Promise.all([
      Promise.all(
        rows
          .filter((r) => r.kind === 'action')
          .map(async (r) => ({
            resourceRef: r.resource_ref!,
            action: r.action!,
            by: r.by_practitioner!,
            at: new Date(r.at!),
            ...(r.secret ? { reason: await this.cipher.decrypt(r.secret) } : {}),
          })),
      ),
      prefs?.secret ? this.cipher.decryptJson<PatientPreferences>(prefs.secret) : {},
    ]);
    return { clinicianActions, preferences };
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

  async savePreferences(ehrId: string, patientId: string, prefs: PatientPreferences): Promise<void> {
    await this.ds.query(
      `INSERT INTO patient_preference (id, ehr_id, patient_id, prefs, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET prefs = EXCLUDED.prefs, updated_at = EXCLUDED.updated_at`,
      [`${ehrId}/${patientId}`, ehrId, patientId, await this.cipher.encryptJson(prefs), this.clock()],
    );
  }
}
