import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { AuditLog } from '../../../src/audit/audit-log.js';
import { createFieldCipher } from '../../../src/crypto/field-cipher.js';
import { generateKeySet, rotate } from '../../../src/crypto/key-set.js';
import { rekey } from '../../../src/crypto/rekey.js';
import { openStore } from '../../../src/store/data-source.js';

describe('audit log on embedded PGlite (smoke)', function () {
  this.timeout(60_000);
  let ds: DataSource;
  before(async () => {
    ds = await openStore({ kind: 'embedded', dataDir: 'memory://' });
  });
  after(async () => ds?.destroy());

  it('appends (alone, in a batch, inside a caller transaction), verifies, rekeys and detects tampering', async () => {
    const set = generateKeySet();
    const log = new AuditLog(ds, await createFieldCipher(set));
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => log.record({ actor: { kind: 'proxy', id: 'rp', name: 'Pat Proxy' }, ehrId: 'e', patientId: 'p', action: 'read', details: { i } })),
    );
    await log.record([
      { actor: { kind: 'system', id: 'policy' }, action: 'policy_hold', decision: 'hold:rule:BASIS', ehrId: 'e', patientId: 'p' },
      { actor: { kind: 'patient', id: 'p' }, action: 'signout', ehrId: 'e', patientId: 'p' },
    ]);
    await ds.transaction((m) => log.record({ actor: { kind: 'patient', id: 'p' }, action: 'write', ehrId: 'e', patientId: 'p' }, m));
    const intact = await log.verify({ batchSize: 4 });
    assert.deepEqual({ ok: intact.ok, checked: intact.checked }, { ok: true, checked: 13 });
    assert.match(intact.headHash!, /^[0-9a-f]{64}$/);
    const activity = await log.forPatient('e', 'p');
    assert.equal(activity.length, 12);
    assert.deepEqual(activity[activity.length - 1]!.who, { kind: 'proxy', name: 'Pat Proxy' });

    const rotated = await createFieldCipher(rotate(set).set);
    const counts = await rekey(ds, rotated, { batchSize: 3 });
    assert.equal(counts.find((c) => c.table === 'audit_entry')!.rekeyed, 10);
    assert.equal((await new AuditLog(ds, rotated).verify()).ok, true);

    await assert.rejects(ds.query(`UPDATE audit_entry SET action = 'export' WHERE seq = 3`), /append-only/);
    await ds.query('ALTER TABLE audit_entry DISABLE TRIGGER USER');
    await ds.query(`UPDATE audit_entry SET action = 'export' WHERE seq = 3`);
    const r = await new AuditLog(ds, rotated).verify();
    assert.deepEqual(r.problem && { seq: r.problem.seq, kind: r.problem.kind }, { seq: 3, kind: 'altered' });
  });
});
