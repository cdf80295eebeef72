import assert from 'node:assert/strict';
import type { Resource } from 'fhir/r4.js';
import { parseResourceScope, scopeAllows, supportedScopes } from '../../../src/sandbox/auth/smart-scopes.js';
import { inPatientCompartment, referencesBinary } from '../../../src/sandbox/fhir/compartment.js';
import { decideFault, DEFAULT_FAULTS } from '../../../src/sandbox/faults.js';

// Pure pieces of the sandbox: SMART scope grammar, compartment membership, fault decisions.
describe('sandbox EHR: pure rules', () => {
  it('parses v1 and v2 scopes and rejects malformed ones', () => {
    assert.deepEqual([...parseResourceScope('patient/Observation.read')!.permissions], ['r', 's']);
    assert.deepEqual([...parseResourceScope('patient/Observation.write')!.permissions], ['c', 'u', 'd']);
    assert.deepEqual([...parseResourceScope('system/*.rs')!.permissions], ['r', 's']);
    assert.equal(parseResourceScope('patient/Observation.sr'), undefined, 'v2 letters out of order');
    assert.equal(parseResourceScope('patient/Observation.rr'), undefined);
    assert.equal(parseResourceScope('openid'), undefined);
    assert.ok(scopeAllows(['patient/*.rs'], 'patient', 'Binary', 'r'));
    assert.ok(!scopeAllows(['patient/*.rs'], 'system', 'Binary', 'r'));
    assert.ok(!scopeAllows(['patient/Communication.crs'], 'patient', 'Communication', 'u'));
    const all = supportedScopes();
    assert.ok(all.includes('patient/Communication.crs') && all.includes('patient/Binary.read') && all.includes('launch/patient'));
    assert.equal(new Set(all).size, all.length);
  });

  it('decides compartment membership from patient references only', () => {
    const obs = (subject: string) => ({ resourceType: 'Observation', subject: { reference: subject } }) as Resource;
    assert.ok(inPatientCompartment(obs('Patient/a'), 'a'));
    assert.ok(inPatientCompartment(obs('http://x/fhir/Patient/a'), 'a'));
    assert.ok(!inPatientCompartment(obs('Patient/ab'), 'a'));
    assert.ok(!inPatientCompartment(obs('Group/a'), 'a'));
    assert.ok(!inPatientCompartment({ resourceType: 'Observation' } as Resource, 'a'), 'no reference → outside');
    assert.ok(inPatientCompartment({ resourceType: 'Patient', id: 'a' } as Resource, 'a'));
    const appt = { resourceType: 'Appointment', participant: [{ actor: { reference: 'Practitioner/p' } }, { actor: { reference: 'Patient/a' } }] } as Resource;
    assert.ok(inPatientCompartment(appt, 'a'));
    const doc = { resourceType: 'DocumentReference', content: [{ attachment: { url: 'Binary/b1' } }] } as Resource;
    assert.ok(referencesBinary(doc, 'b1'));
    assert.ok(!referencesBinary(doc, 'b'));
  });

  it('applies fault settings in order: down, timeout, error, latency', () => {
    const f = { ...DEFAULT_FAULTS };
    assert.deepEqual(decideFault({ ...f, down: true, errorRate: 1 }, () => 0), { kind: 'down' });
    assert.deepEqual(decideFault({ ...f, timeoutRate: 0.5 }, () => 0.4), { kind: 'timeout' });
    assert.deepEqual(decideFault({ ...f, timeoutRate: 0.5 }, () => 0.6), { kind: 'pass', delayMs: 0 });
    assert.deepEqual(decideFault({ ...f, errorRate: 0.2, latencyMs: 40 }, () => 0.5), { kind: 'pass', delayMs: 40 });
    assert.deepEqual(decideFault({ ...f, errorRate: 0.2 }, () => 0.1), { kind: 'error' });
  });
});
