import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { AuditLog } from '../../../src/audit/audit-log.js';
import type { AuditInput } from '../../../src/audit/audit-record.js';
import { digestDetails, entryHash, type ChainFields } from '../../../src/audit/chain.js';
import { createFieldCipher, type FieldCipher } from '../../../src/crypto/field-cipher.js';
import { generateKeySet } from '../../../src/crypto/key-set.js';
import { freshDatabase } from './helpers.js';

const ACTIONS = ['signin', 'write', 'export', 'notify', 'policy_hold'];

function entry(i: number, patientId = 'p-1'): AuditInput {
  return {
    actor: i % 3 === 0 ? { kind: 'proxy', id: 'rp-1', name: `Proxy Person ${i}` } : { kind: 'patient', id: patientId },
    ehrId: 'sandbox',
    patientId,
    action: ACTIONS[i % ACTIONS.length]!,
    resourceType: 'Communication',
    resourceId: `c-${i}`,
    outcome: 'success',
    ip: '192.0.2.10',
    userAgent: 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Mobile Safari/537.36',
    requestId: `req-${i}`,
    ...(i % 2 === 0 ? { details: { note: `secret detail ${i}` } } : {}),
  };
}

async function disableTrigger(ds: DataSource): Promise<void> {
  // What an attacker with DBA rights does first; detection must not depend on the trigger.
  await ds.query('ALTER TABLE audit_entry DISABLE TRIGGER USER');
}

describe('audit log on PostgreSQL', function () {
  this.timeout(60_000);
  let cipher: FieldCipher;
  before(async () => {
    cipher = await createFieldCipher(generateKeySet());
  });

  describe('appends', () => {
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    let a: DataSource;
    let b: DataSource;
    before(async () => {
      db = await freshDatabase('audit');
      a = await db.open();
      b = await db.open();
    });
    after(async () => db.drop());

    it('keeps one unbroken chain with 200 concurrent appends across two data sources', async () => {
      const logs = [new AuditLog(a, cipher), new AuditLog(b, cipher)];
      const work: Promise<void>[] = [];
      for (let i = 0; i < 180; i++) work.push(logs[i % 2]!.record(entry(i)));
      // Ten batches of two, each inside a caller's transaction: both entries land adjacent.
      for (let i = 0; i < 10; i++) {
        const ds = i % 2 ? a : b;
        work.push(ds.transaction((m) => logs[i % 2]!.record([entry(1000 + i), entry(2000 + i)], m)));
      }
      await Promise.all(work);

      const result = await new AuditLog(a, cipher).verify({ batchSize: 37 });
      assert.deepEqual({ ok: result.ok, checked: result.checked, problem: result.problem }, { ok: true, checked: 200, problem: undefined });
      const seqs = (await a.query('SELECT seq FROM audit_entry ORDER BY seq')) as { seq: string }[];
      assert.deepEqual(seqs.map((r) => Number(r.seq)), Array.from({ length: 200 }, (_, i) => i + 1));
      const pairs = (await a.query(`SELECT seq, request_id FROM audit_entry WHERE request_id LIKE 'req-1___' OR request_id LIKE 'req-2___' ORDER BY seq`)) as {
        seq: string;
        request_id: string;
      }[];
      for (let i = 0; i < pairs.length; i += 2) {
        assert.equal(Number(pairs[i + 1]!.seq), Number(pairs[i]!.seq) + 1);
        assert.equal(pairs[i + 1]!.request_id, pairs[i]!.request_id.replace('req-1', 'req-2'));
      }
    });

    it('stores names and details only as ciphertext', async () => {
      const rows = (await a.query(`SELECT details, actor_id FROM audit_entry WHERE details IS NOT NULL`)) as { details: string }[];
      assert.ok(rows.length > 0);
      for (const r of rows) {
        assert.equal(r.details.split('.').length, 5);
        assert.ok(!r.details.includes('Proxy Person') && !r.details.includes('secret detail'));
      }
      const dump = JSON.stringify(await a.query('SELECT * FROM audit_entry'));
      assert.ok(!dump.includes('Proxy Person') && !dump.includes('secret detail'));
    });

    it('rolls back with the caller, and refuses a manager outside a transaction', async () => {
      const log = new AuditLog(a, cipher);
      const before = await log.verify();
      await assert.rejects(
        a.transaction(async (m) => {
          await log.record(entry(5000), m);
          throw new Error('write failed');
        }),
        /write failed/,
      );
      await assert.rejects(log.record(entry(5001), a.manager), /not inside a transaction/);
      const after = await log.verify();
      assert.equal(after.ok, true);
      assert.equal(after.checked, before.checked);
    });

    it('refuses an invalid entry, naming the field, before writing anything', async () => {
      const log = new AuditLog(a, cipher);
      await assert.rejects(log.record({ ...entry(1), decision: 'held because of HIV test' }), (e: unknown) => {
        assert.match((e as Error).message, /decision: codes joined/);
        assert.ok(!(e as Error).message.includes('HIV'));
        return true;
      });
      await assert.rejects(log.record([entry(1), { ...entry(2), action: 'Read!' }]), /audit entry 1: action/);
      assert.equal((await log.verify()).checked, 200);
    });

    it("lists one patient's activity, newest first, decrypted, without IPs or hold entries", async () => {
      const log = new AuditLog(a, cipher);
      await log.record([entry(1, 'p-2'), entry(3, 'p-2'), { ...entry(4, 'p-2'), action: 'policy_hold', decision: 'hold_until_released:hiv-hold:PRIVACY_STATE_LAW' }]);
      const items = await log.forPatient('sandbox', 'p-2');
      assert.equal(items.length, 2);
      assert.ok(items[0]!.seq > items[1]!.seq);
      assert.deepEqual(items[0], {
        seq: items[0]!.seq,
        at: items[0]!.at,
        action: 'notify',
        who: { kind: 'proxy', name: 'Proxy Person 3' },
        resourceType: 'Communication',
        outcome: 'success',
        device: 'Chrome on Android',
      });
      assert.ok(!JSON.stringify(items).includes('192.0.2.10'));
      assert.deepEqual(await log.forPatient('sandbox', 'p-3'), []);
      assert.deepEqual(await log.forPatient('other-ehr', 'p-2'), []);
      const older = await log.forPatient('sandbox', 'p-2', { before: items[0]!.seq });
      assert.deepEqual(older.map((i) => i.seq), [items[1]!.seq]);
      const holds = await log.records('sandbox', 'p-2', { actions: ['policy_hold'] });
      assert.equal(holds.length, 1);
      assert.equal(holds[0]!.decision, 'hold_until_released:hiv-hold:PRIVACY_STATE_LAW');
      assert.equal(log.toAuditEvent(holds[0]!).subtype?.[0]?.code, 'policy_hold');
    });

    it('refuses UPDATE, DELETE and TRUNCATE through the trigger, but allows a details-only re-encryption', async () => {
      await assert.rejects(a.query(`UPDATE audit_entry SET action = 'read' WHERE seq = 5`), /append-only/);
      await assert.rejects(a.query('DELETE FROM audit_entry WHERE seq = 5'), /append-only/);
      await assert.rejects(a.query('TRUNCATE audit_entry'), /append-only/);
      const [row] = (await a.query('SELECT seq, details FROM audit_entry WHERE details IS NOT NULL ORDER BY seq LIMIT 1')) as { seq: string; details: string }[];
      const fresh = await cipher.encrypt(await cipher.decrypt(row!.details));
      await a.query('UPDATE audit_entry SET details = $1 WHERE seq = $2', [fresh, row!.seq]);
      assert.equal((await new AuditLog(a, cipher).verify()).ok, true);
    });
  });

  describe('tamper detection (trigger disabled, as a DBA could)', () => {
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    let ds: DataSource;
    let log: AuditLog;
    beforeEach(async () => {
      db = await freshDatabase('audit_tamper');
      ds = await db.open();
      log = new AuditLog(ds, cipher);
      await log.record(Array.from({ length: 12 }, (_, i) => entry(i + 1)));
      assert.equal((await log.verify()).ok, true);
      await disableTrigger(ds);
    });
    afterEach(async () => db.drop());

    it('names an altered entry', async () => {
      await ds.query(`UPDATE audit_entry SET action = 'read' WHERE seq = 5`);
      const r = await log.verify({ batchSize: 4 });
      assert.equal(r.ok, false);
      assert.deepEqual(r.problem && { seq: r.problem.seq, kind: r.problem.kind }, { seq: 5, kind: 'altered' });
      assert.equal(r.checked, 4);
    });

    it('detects details swapped for another valid ciphertext', async () => {
      await ds.query(`UPDATE audit_entry SET details = (SELECT details FROM audit_entry WHERE seq = 4) WHERE seq = 6`);
      const r = await log.verify();
      assert.deepEqual(r.problem && { seq: r.problem.seq, kind: r.problem.kind }, { seq: 6, kind: 'altered' });
    });

    it('names a deleted middle entry as missing', async () => {
      await ds.query('DELETE FROM audit_entry WHERE seq = 7');
      const r = await log.verify({ batchSize: 5 });
      assert.deepEqual(r.problem && { seq: r.problem.seq, kind: r.problem.kind }, { seq: 7, kind: 'missing' });
    });

    it('detects deleting the newest entries through audit_head', async () => {
      await ds.query('DELETE FROM audit_entry WHERE seq >= 11');
      const r = await log.verify();
      assert.equal(r.ok, false);
      assert.deepEqual(r.problem && { seq: r.problem.seq, kind: r.problem.kind }, { seq: 11, kind: 'missing' });
      assert.match(r.problem!.detail, /head records #12/);
    });

    /** Rewrites one row and recomputes its own hash, as someone who knows the scheme would. */
    async function forge(seq: number, change: { action?: string; prevHash?: string }): Promise<void> {
      const [row] = (await ds.query('SELECT * FROM audit_entry WHERE seq = $1', [seq])) as Record<string, string | null>[];
      const r = row!;
      const action = change.action ?? r.action!;
      const prevHash = change.prevHash ?? r.prev_hash!;
      const hash = entryHash({
        seq,
        at: r.at as unknown as Date,
        actorKind: r.actor_kind as ChainFields['actorKind'],
        actorId: r.actor_id!,
        ehrId: r.ehr_id,
        patientId: r.patient_id,
        action,
        resourceType: r.resource_type,
        resourceId: r.resource_id,
        outcome: r.outcome as ChainFields['outcome'],
        decision: r.decision,
        ip: r.ip,
        userAgent: r.user_agent,
        requestId: r.request_id,
        detailsDigest: r.details ? digestDetails(await cipher.decrypt(r.details)) : null,
        prevHash,
      });
      await ds.query('UPDATE audit_entry SET action = $1, prev_hash = $2, hash = $3 WHERE seq = $4', [action, prevHash, hash, seq]);
    }

    it('detects an entry replaced with a self-consistent one: its successor no longer links to it', async () => {
      await forge(8, { action: 'signout' });
      const r = await log.verify();
      assert.deepEqual(r.problem && { seq: r.problem.seq, kind: r.problem.kind }, { seq: 9, kind: 'missing' });
    });

    it('names an entry re-linked past its predecessor as reordered', async () => {
      const [seven] = (await ds.query('SELECT hash FROM audit_entry WHERE seq = 7')) as { hash: string }[];
      await forge(9, { prevHash: seven!.hash });
      const r = await log.verify();
      assert.deepEqual(r.problem && { seq: r.problem.seq, kind: r.problem.kind }, { seq: 9, kind: 'reordered' });
      assert.match(r.problem!.detail, /follows entry #7/);
    });

    it('detects the first entry gone', async () => {
      await ds.query('DELETE FROM audit_entry WHERE seq = 1');
      const r = await log.verify();
      assert.deepEqual(r.problem && { seq: r.problem.seq, kind: r.problem.kind }, { seq: 1, kind: 'missing' });
    });
  });
});
