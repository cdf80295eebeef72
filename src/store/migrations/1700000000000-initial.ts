import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Sign-in state: pending authorizations (keyed by state) and server-side sessions. */
export class Initial1700000000000 implements MigrationInterface {
  name = 'Initial1700000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE auth_request (
        state_hash text PRIMARY KEY,
        ehr_id text NOT NULL,
        payload text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX auth_request_expires ON auth_request (expires_at)`);
    await q.query(`
      CREATE TABLE portal_session (
        id_hash text PRIMARY KEY,
        ehr_id text NOT NULL,
        patient_id text NOT NULL,
        viewer_kind text NOT NULL,
        viewer_id text NOT NULL,
        scopes text NOT NULL,
        secrets text,
        csrf_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        access_expires_at timestamptz,
        ended_at timestamptz,
        end_reason text
      )`);
    await q.query(`CREATE INDEX portal_session_patient ON portal_session (ehr_id, patient_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE portal_session');
    await q.query('DROP TABLE auth_request');
  }
}
