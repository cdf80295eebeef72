import assert from 'node:assert/strict';
import { applyPolicy } from '../../../src/policy/apply.js';
import { decide } from '../../../src/policy/decide.js';
import type { PolicyContext } from '../../../src/policy/types.js';
import * as f from './fixtures.js';

const held = (resource: unknown, c: PolicyContext = f.ctx()) => {
  const d = decide(resource, c, f.rules);
  assert.deepEqual([d.visible, d.presence, d.ruleId], [false, 'pending', 'fail-closed'], JSON.stringify(resource)?.slice(0, 80));
  assert.equal(d.basis, 'PREVENTING_HARM_DATA_ERROR');
};

describe('policy: fail closed', () => {
  const { status: _s, ...noStatus } = f.cholesterol;

  const garbage: [string, unknown][] = [
    ['null', null],
    ['a string', 'Observation/1'],
    ['a number', 42],
    ['an array', [f.cholesterol]],
    ['no resourceType', { ...f.cholesterol, resourceType: undefined }],
    ['a lower-case resourceType', { ...f.cholesterol, resourceType: 'observation' }],
    ['no id', { ...f.cholesterol, id: undefined }],
    ['an id with a slash', { ...f.cholesterol, id: '../Patient/1' }],
    ['an Observation without status', noStatus],
    ['an Observation with status "unknown"', { ...f.cholesterol, status: 'unknown' }],
    ['an Observation with an invented status', { ...f.cholesterol, status: 'released' }],
    ['a DiagnosticReport with a numeric status', { ...f.lipidPanel, status: 1 }],
    ['a DocumentReference without status', { ...f.documentFor(f.lipidPanel, 'd1'), status: undefined }],
    ['meta.security that is not a list', { ...f.cholesterol, meta: { security: { code: 'HIV' } } }],
    ['a coding that is not an object', { ...f.cholesterol, code: { coding: ['75622-1'] } }],
    ['category that is not a list', { ...f.lipidPanel, category: { coding: [{ code: 'LAB' }] } }],
  ];
  for (const [name, resource] of garbage) {
    it(`holds ${name}`, () => {
      held(resource);
      held(resource, f.ctx({ viewer: f.parentProxy }));
    });
  }

  it('holds everything when the context itself is broken', () => {
    held(f.cholesterol, f.ctx({ now: new Date('nope') }));
    held(f.cholesterol, { ...f.ctx(), viewer: { kind: 'admin' } } as unknown as PolicyContext);
    held(f.cholesterol, { ...f.ctx(), now: '2026-03-01' } as unknown as PolicyContext);
  });

  it('a clinician release does not open an unreadable resource', () => {
    held({ ...f.cholesterol, status: 'unknown' }, f.ctx({ clinicianActions: [f.release('Observation/chol')] }));
  });

  it('applyPolicy holds unreadable items, misfiled items and lists them as pending without content', () => {
    const misfiled = f.observation({ id: 'misfiled', code: '2093-3', display: 'Cholesterol SECRET-misfiled' });
    const out = applyPolicy(
      {
        reports: [misfiled as never, null as never],
        observations: [{ resourceType: 'Observation', id: 'o9', status: 'bogus', valueString: 'SECRET-value' } as never],
        documents: [],
      },
      f.ctx(),
      f.rules,
    );
    assert.deepEqual(out.visible, { reports: [], observations: [], documents: [] });
    assert.deepEqual(out.pending.map((p) => p.ref).sort(), ['DiagnosticReport/#0', 'DiagnosticReport/#1', 'Observation/o9']);
    assert.ok(!JSON.stringify(out.pending).includes('SECRET'));
    for (const d of out.decisions.values()) assert.equal(d.ruleId, 'fail-closed');
  });
});
