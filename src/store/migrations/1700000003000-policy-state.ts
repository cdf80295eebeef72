import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the release policy reads besides the resource: clinicians' release/hold actions and the
 * patient's own choices. Reasons and preferences are PHI-adjacent and stored as JWE.
 */
export class PolicyState1700000003000 implements MigrationInterface {
  name = 'PolicyState1700000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE clinician_action (
        id text PRIMARY KEY,
        ehr_id text NOT NULL,
        patient_id text NOT NULL,
        resource_ref text NOT NULL,
        action text NOT NULL CHECK (action IN ('release', 'hold')),
        by_practitioner text NOT NULL,
        reason text,
        at timestamptz NOT NULL
      )`);
    await q.query('CREATE INDEX clinician_action_patient ON clinician_action (ehr_id, patient_id, at)');
    await q.query(`
      CREATE TABLE patient_preference (
        id text PRIMARY KEY,
        ehr_id text NOT NULL,
        patient_id text NOT NULL,
        prefs text NOT NULL,
        updated_at timestamptz NOT NULL,
        UNIQUE (ehr_id, patient_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE patient_preference');
    await q.query('DROP TABLE clinician_action');
  }
}
