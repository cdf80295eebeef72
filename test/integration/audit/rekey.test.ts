import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { AuditLog } from '../../../src/audit/audit-log.js';
import { createFieldCipher, type FieldCipher } from '../../../src/crypto/field-cipher.js';
import { activeKeyOf, generateKeySet, removeKey, rotate } from '../../../src/crypto/key-set.js';
import { rekey, type RekeyCounts } from '../../../src/crypto/rekey.js';
import { freshDatabase } from './helpers.js';

async function addAuthRequest(ds: DataSource, cipher: FieldCipher, state: string, payload: string | object): Promise<void> {
  const value = typeof payload === 'string' ? payload : await cipher.encryptJson(payload);
  await ds.query(`INSERT INTO auth_request (state_hash, ehr_id, payload, created_at, expires_at) VALUES ($1, 'sandbox', $2, now(), now() + interval '5 minutes')`, [
    state,
    value,
  ]);
}

async function addSession(ds: DataSource, cipher: FieldCipher, id: string): Promise<void> {
  await ds.query(
    `INSERT INTO portal_session (id_hash, ehr_id, patient_id, viewer_kind, viewer_id, scopes, secrets, csrf_hash, created_at, last_seen_at, expires_at)
     VALUES ($1, 'sandbox', 'p-1', 'patient', 'p-1', 'openid', $2, 'c', now(), now(), now() + interval '1 hour')`,
    [id, await cipher.encryptJson({ accessToken: `token-${id}` })],
  );
}

const byTable = (counts: RekeyCounts[], table: string) => counts.find((c) => c.table === table)!;

describe('key rotation and rekey on PostgreSQL', function () {
  this.timeout(60_000);
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ds: DataSource;
  beforeEach(async () => {
    db = await freshDatabase('rekey');
    ds = await db.open();
  });
  afterEach(async () => db.drop());

  it('rekeys every registered column while the app appends; after dropping the old key everything decrypts and the chain holds', async () => {
    const setA = generateKeySet();
    const kidA = activeKeyOf(setA).kid;
    const cipherA = await createFieldCipher(setA);
    const logA = new AuditLog(ds, cipherA);
    for (let i = 0; i < 30; i++) {
      await logA.record({
        actor: { kind: i % 2 ? 'proxy' : 'patient', id: `a-${i}`, ...(i % 2 ? { name: `Proxy ${i}` } : {}) },
        ehrId: 'sandbox',
        patientId: 'p-1',
        action: 'signin',
        ...(i % 3 === 0 ? { details: { i } } : {}),
      });
    }
    for (let i = 0; i < 9; i++) await addAuthRequest(ds, cipherA, `state-${i}`, { codeVerifier: `v-${i}` });
    for (let i = 0; i < 4; i++) await addSession(ds, cipherA, `s-${i}`);
    const encryptedDetails = Number(((await ds.query('SELECT count(*) AS n FROM audit_entry WHERE details IS NOT NULL')) as { n: string }[])[0]!.n);

    const { set: setAB, kid: kidB } = rotate(setA);
    const cipherAB = await createFieldCipher(setAB);
    const logAB = new AuditLog(ds, cipherAB);
    // The app keeps writing (under B) while rekey runs; the trigger stays enabled throughout.
    const appending = Promise.all(
      Array.from({ length: 20 }, (_, i) => logAB.record({ actor: { kind: 'patient', id: 'p-1', name: 'Pat' }, ehrId: 'sandbox', patientId: 'p-1', action: 'read', requestId: `during-${i}` })),
    );
    const counts = await rekey(ds, cipherAB, { batchSize: 7 });
    await appending;

    assert.equal(byTable(counts, 'auth_request').rekeyed, 9);
    assert.equal(byTable(counts, 'portal_session').rekeyed, 4);
    const audit = byTable(counts, 'audit_entry');
    assert.equal(audit.rekeyed, encryptedDetails);
    assert.equal(audit.failed + audit.raced, 0);
    assert.ok(counts.every((c) => c.failed === 0));

    const cipherB = await createFieldCipher(removeKey(setAB, kidA));
    assert.equal(cipherB.activeKid(), kidB);
    for (const { table, column } of [
      { table: 'auth_request', column: 'payload' },
      { table: 'portal_session', column: 'secrets' },
      { table: 'audit_entry', column: 'details' },
    ]) {
      const values = (await ds.query(`SELECT ${column} AS v FROM ${table} WHERE ${column} IS NOT NULL`)) as { v: string }[];
      assert.ok(values.length > 0);
      for (const { v } of values) {
        assert.equal(cipherB.kidOf(v), kidB, `${table}.${column} still under the old key`);
        await cipherB.decrypt(v);
      }
    }
    const logB = new AuditLog(ds, cipherB);
    const result = await logB.verify({ batchSize: 8 });
    assert.deepEqual({ ok: result.ok, checked: result.checked }, { ok: true, checked: 50 });
    const names = (await logB.records('sandbox', 'p-1', { limit: 500, actions: ['signin'] })).filter((r) => r.actor.name).map((r) => r.actor.name);
    assert.equal(names.length, 15);
    assert.ok(names.includes('Proxy 29'));
    assert.deepEqual(await cipherB.decryptJson(((await ds.query(`SELECT payload FROM auth_request WHERE state_hash = 'state-3'`)) as { payload: string }[])[0]!.payload), {
      codeVerifier: 'v-3',
    });

    const again = await rekey(ds, cipherB);
    assert.ok(again.every((c) => c.rekeyed === 0 && c.failed === 0 && c.unchanged === c.scanned));
  });

  it('keeps a value the app changed mid-batch, and reports values it cannot read without touching them', async () => {
    const setA = generateKeySet();
    const cipherA = await createFieldCipher(setA);
    for (let i = 0; i < 3; i++) await addAuthRequest(ds, cipherA, `state-${i}`, { v: i });
    await addAuthRequest(ds, cipherA, 'state-garbage', 'not-a-jwe');
    const { set: setAB } = rotate(setA);
    const real = await createFieldCipher(setAB);

    // The real cipher, plus one concurrent app write: as rekey reads state-1, the app replaces it.
    let appValue: string | undefined;
    const racing: FieldCipher = {
      ...real,
      decrypt: async (jwe) => {
        const plain = await real.decrypt(jwe);
        if (!appValue && plain === '{"v":1}') {
          appValue = await real.encryptJson({ v: 'written by the app' });
          await ds.query(`UPDATE auth_request SET payload = $1 WHERE state_hash = 'state-1'`, [appValue]);
        }
        return plain;
      },
    };
    const counts = await rekey(ds, racing, { columns: [{ table: 'auth_request', primaryKey: 'state_hash', column: 'payload' }] });
    assert.deepEqual(counts, [{ table: 'auth_request', column: 'payload', scanned: 4, rekeyed: 2, unchanged: 0, raced: 1, failed: 1 }]);
    const rows = (await ds.query('SELECT state_hash, payload FROM auth_request ORDER BY state_hash')) as { state_hash: string; payload: string }[];
    assert.equal(rows.find((r) => r.state_hash === 'state-1')!.payload, appValue);
    assert.equal(rows.find((r) => r.state_hash === 'state-garbage')!.payload, 'not-a-jwe');
  });
});
