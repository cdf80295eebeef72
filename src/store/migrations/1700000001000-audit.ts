import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail: `audit_entry` (hash-chained rows, see src/audit/chain.ts) and `audit_head`
 * (the newest seq and hash, so deleting the newest rows is detectable too).
 */
export class Audit1700000001000 implements MigrationInterface {
  name = 'Audit1700000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_entry (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        at timestamptz NOT NULL,
        actor_kind text NOT NULL CHECK (actor_kind IN ('patient', 'proxy', 'staff', 'system')),
        actor_id text NOT NULL,
        ehr_id text,
        patient_id text,
        action text NOT NULL,
        resource_type text,
        resource_id text,
        outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'pending')),
        decision text,
        ip text,
        user_agent text,
        request_id text,
        details text,
        prev_hash text NOT NULL,
        hash text NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_entry_patient ON audit_entry (ehr_id, patient_id, seq DESC)`);
    await q.query(`
      CREATE TABLE audit_head (
        id smallint PRIMARY KEY CHECK (id = 1),
        seq bigint NOT NULL,
        hash text NOT NULL
      )`);
    await q.query(`INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}')`);
    // Defence in depth only: a DBA can disable this, so tamper detection rests on the hash chain.
    // The one UPDATE allowed changes nothing but the details ciphertext: re-encryption under a new
    // key (src/crypto/rekey.ts). The chain covers the plaintext, so any other change to details
    // is still detected.
    await q.query(`
      CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'details') = (to_jsonb(OLD) - 'details') THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_entry is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
      FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
      FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_head');
    await q.query('DROP TABLE audit_entry');
    await q.query('DROP FUNCTION audit_entry_append_only()');
  }
}
