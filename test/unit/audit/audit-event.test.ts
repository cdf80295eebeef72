import assert from 'node:assert/strict';
import { ACTION_SYSTEM, toAuditEvent } from '../../../src/audit/audit-event.js';
import type { AuditRecord } from '../../../src/audit/audit-record.js';

const at = new Date('2025-05-06T07:08:09.000Z');

describe('toAuditEvent', () => {
  it('maps a proxy read to a BALP-style RESTful read with the patient and the resource', () => {
    const ev = toAuditEvent({
      seq: 42,
      at,
      actor: { kind: 'proxy', id: 'rp-7', name: 'Ana Proxy' },
      ehrId: 'sandbox',
      patientId: 'p-1',
      action: 'read',
      resourceType: 'DiagnosticReport',
      resourceId: 'dr-9',
      outcome: 'success',
      decision: 'release:default:CURES_ACT',
      ip: '192.0.2.4',
      requestId: 'req-5',
    });
    assert.equal(ev.resourceType, 'AuditEvent');
    assert.equal(ev.id, '42');
    assert.equal(ev.recorded, '2025-05-06T07:08:09.000Z');
    assert.deepEqual(ev.type, { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' });
    assert.equal(ev.subtype?.[0]?.code, 'read');
    assert.equal(ev.action, 'R');
    assert.equal(ev.outcome, '0');
    assert.deepEqual(ev.agent[0]?.who, { reference: 'RelatedPerson/rp-7', display: 'Ana Proxy' });
    assert.equal(ev.agent[0]?.requestor, true);
    assert.deepEqual(ev.agent[0]?.network, { address: '192.0.2.4', type: '2' });
    assert.deepEqual(ev.entity?.map((e) => e.what?.reference), ['Patient/p-1', 'DiagnosticReport/dr-9']);
    assert.equal(ev.entity?.[0]?.role?.code, '1');
    assert.deepEqual(ev.entity?.[1]?.detail, [
      { type: 'policy-decision', valueString: 'release:default:CURES_ACT' },
      { type: 'request-id', valueString: 'req-5' },
    ]);
  });

  it('maps sign-in, a failed sign-in, a pending write and a policy hold', () => {
    const base: AuditRecord = { seq: 1, at, actor: { kind: 'patient', id: 'p-1' }, patientId: 'p-1', action: 'signin', outcome: 'success' };
    const signin = toAuditEvent(base);
    assert.equal(signin.type.code, '110114');
    assert.equal(signin.subtype?.[0]?.code, '110122');
    assert.equal(toAuditEvent({ ...base, action: 'signout' }).subtype?.[0]?.code, '110123');
    assert.equal(toAuditEvent({ ...base, action: 'signin_failed', outcome: 'failure' }).outcome, '4');

    const write = toAuditEvent({ ...base, action: 'write', resourceType: 'Communication', outcome: 'pending' });
    assert.equal(write.action, 'C');
    assert.equal(write.outcome, undefined);
    assert.equal(write.outcomeDesc, 'pending');
    assert.deepEqual(write.entity?.[1]?.what, { type: 'Communication' });

    const hold = toAuditEvent({ ...base, actor: { kind: 'system', id: 'policy' }, action: 'policy_hold', decision: 'hold_until_released:hiv-hold:PRIVACY_STATE_LAW' });
    assert.equal(hold.type.code, '110110');
    assert.deepEqual(hold.subtype?.[0], { system: ACTION_SYSTEM, code: 'policy_hold' });
    assert.equal(hold.agent[0]?.requestor, false);
    assert.equal(hold.agent[0]?.who?.reference, undefined);
  });
});
