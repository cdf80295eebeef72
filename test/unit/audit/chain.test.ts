import assert from 'node:assert/strict';
import { digestDetails, entryHash, GENESIS_HASH, type ChainFields } from '../../../src/audit/chain.js';

const base: ChainFields = {
  seq: 1,
  at: new Date('2025-01-02T03:04:05.678Z'),
  actorKind: 'proxy',
  actorId: 'rp-1',
  ehrId: 'sandbox',
  patientId: 'p-1',
  action: 'read',
  resourceType: 'DiagnosticReport',
  resourceId: 'dr-1',
  outcome: 'success',
  decision: null,
  ip: '192.0.2.1',
  userAgent: 'UA',
  requestId: 'req-1',
  detailsDigest: digestDetails('{"n":"x"}'),
  prevHash: GENESIS_HASH,
};

describe('audit chain hash', () => {
  it('is a stable sha256 hex of the fields', () => {
    const h = entryHash(base);
    assert.match(h, /^[0-9a-f]{64}$/);
    assert.equal(entryHash({ ...base, at: new Date(base.at.getTime()) }), h);
  });

  it('changes when any single field changes', () => {
    const h = entryHash(base);
    const changes: Partial<ChainFields>[] = [
      { seq: 2 },
      { at: new Date(base.at.getTime() + 1) },
      { actorKind: 'patient' },
      { actorId: 'rp-2' },
      { ehrId: null },
      { patientId: 'p-2' },
      { action: 'write' },
      { resourceType: null },
      { resourceId: 'dr-2' },
      { outcome: 'failure' },
      { decision: 'hold:rule:BASIS' },
      { ip: null },
      { userAgent: 'UA2' },
      { requestId: null },
      { detailsDigest: null },
      { prevHash: 'f'.repeat(64) },
    ];
    const seen = new Set([h]);
    for (const c of changes) {
      const other = entryHash({ ...base, ...c });
      assert.ok(!seen.has(other), `changing ${Object.keys(c)[0]} did not change the hash`);
      seen.add(other);
    }
  });

  it('does not confuse a null with the string "null" or shifted fields', () => {
    assert.notEqual(entryHash({ ...base, decision: null }), entryHash({ ...base, decision: 'null' }));
    assert.notEqual(entryHash({ ...base, ehrId: 'a', patientId: 'b' }), entryHash({ ...base, ehrId: 'a","b', patientId: null }));
  });
});
