import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox of patient writes (src/outbox/): one row per write, payload JWE-encrypted. */
export class Outbox1700000002000 implements MigrationInterface {
  name = 'Outbox1700000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_item (
        id text PRIMARY KEY,
        seq bigserial NOT NULL UNIQUE,
        ehr_id text NOT NULL,
        patient_id text NOT NULL,
        viewer_kind text NOT NULL CHECK (viewer_kind IN ('patient', 'proxy')),
        viewer_id text NOT NULL,
        session_key text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('message', 'reply', 'appointment-request', 'cancel', 'upload')),
        thread_key text,
        status text NOT NULL CHECK (status IN ('sending', 'retrying', 'delivered', 'rejected')),
        payload text NOT NULL,
        result jsonb NOT NULL DEFAULT '{}'::jsonb,
        ehr_thread_id text,
        reason_code text,
        reason text,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        locked_until timestamptz,
        lock_owner text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        delivered_at timestamptz
      )`);
    // The worker's claim: undelivered items by due time.
    await q.query(`CREATE INDEX outbox_item_due ON outbox_item (next_attempt_at) WHERE status IN ('sending', 'retrying')`);
    // The ordering rule looks for unsettled earlier items of the same thread.
    await q.query(`CREATE INDEX outbox_item_thread ON outbox_item (thread_key, seq) WHERE thread_key IS NOT NULL`);
    await q.query(`CREATE INDEX outbox_item_patient ON outbox_item (ehr_id, patient_id, seq)`);
    await q.query(`CREATE INDEX outbox_item_ehr_thread ON outbox_item (ehr_id, patient_id, ehr_thread_id) WHERE ehr_thread_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE outbox_item');
  }
}
