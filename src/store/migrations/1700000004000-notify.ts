import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PHI-free notifications (src/notify/): events (one per idempotency key), their deliveries per
 * recipient and channel, viewers' preferences and contact snapshots (JWE), change-feed cursors,
 * and results waiting to become visible to a viewer.
 */
export class Notify1700000004000 implements MigrationInterface {
  name = 'Notify1700000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_event (
        id text PRIMARY KEY,
        idempotency_key text NOT NULL UNIQUE,
        ehr_id text NOT NULL,
        patient_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('message', 'result', 'appointment', 'write')),
        resource_ref text,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE notification (
        id text PRIMARY KEY,
        event_id text NOT NULL REFERENCES notification_event (id),
        ehr_id text NOT NULL,
        patient_id text NOT NULL,
        viewer_kind text NOT NULL CHECK (viewer_kind IN ('patient', 'proxy')),
        viewer_id text NOT NULL,
        channel text NOT NULL CHECK (channel IN ('email', 'sms-webhook')),
        event_kind text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
        batch_id text,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        locked_until timestamptz,
        lock_owner text,
        last_error text,
        created_at timestamptz NOT NULL,
        sent_at timestamptz,
        UNIQUE (event_id, viewer_kind, viewer_id, channel)
      )`);
    // The delivery claim: pending rows by due time.
    await q.query(`CREATE INDEX notification_due ON notification (next_attempt_at) WHERE status = 'pending'`);
    // The digest rule: the last send and the pending rows of one recipient on one channel.
    await q.query(`CREATE INDEX notification_recipient ON notification (ehr_id, patient_id, viewer_kind, viewer_id, channel, status)`);
    await q.query(`CREATE INDEX notification_batch ON notification (batch_id) WHERE batch_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE notification_preference (
        id text PRIMARY KEY,
        ehr_id text NOT NULL,
        patient_id text NOT NULL,
        viewer_kind text NOT NULL CHECK (viewer_kind IN ('patient', 'proxy')),
        viewer_id text NOT NULL,
        prefs text,
        contact text,
        updated_at timestamptz NOT NULL,
        UNIQUE (ehr_id, patient_id, viewer_kind, viewer_id)
      )`);
    await q.query(`
      CREATE TABLE notification_cursor (
        name text PRIMARY KEY,
        value text NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE notification_watch (
        ehr_id text NOT NULL,
        patient_id text NOT NULL,
        report_id text NOT NULL,
        viewer_kind text NOT NULL CHECK (viewer_kind IN ('patient', 'proxy')),
        viewer_id text NOT NULL,
        release_at timestamptz,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (ehr_id, patient_id, report_id, viewer_kind, viewer_id)
      )`);
    await q.query(`CREATE INDEX notification_watch_due ON notification_watch (release_at) WHERE release_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE notification_watch');
    await q.query('DROP TABLE notification_cursor');
    await q.query('DROP TABLE notification_preference');
    await q.query('DROP TABLE notification');
    await q.query('DROP TABLE notification_event');
  }
}
