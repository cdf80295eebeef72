import assert from 'node:assert/strict';
import type { Observation } from 'fhir/r4.js';
import { checkResource, checkResources, resourceSchemas } from '../../../src/fhir/resource-schemas.js';
import { appointments, cbc, drKim, lipidObs, mainStreet, mother, nurseRole, patient, thread1, visitSummary, clinic } from './fixtures.js';

/** One realistic set of resources per checked type. */
const REALISTIC = [
  ['Communication', thread1],
  ['Appointment', appointments],
  ['DiagnosticReport', [cbc]],
  ['Observation', lipidObs],
  ['DocumentReference', [visitSummary]],
  ['Patient', [patient]],
  ['Practitioner', [drKim]],
  ['RelatedPerson', [mother]],
  ['Location', [mainStreet]],
  ['Organization', [clinic]],
  ['PractitionerRole', [nurseRole]],
] as const;

/** `part` holds nothing `whole` does not: same values, arrays of the same length, objects with a subset of the keys. */
function assertPartOf(part: unknown, whole: unknown, where: string): void {
  if (Array.isArray(part)) {
    assert.ok(Array.isArray(whole), where);
    assert.equal(part.length, whole.length, where);
    part.forEach((p, i) => assertPartOf(p, whole[i], `${where}[${i}]`));
  } else if (part !== null && typeof part === 'object') {
    assert.ok(whole !== null && typeof whole === 'object' && !Array.isArray(whole), where);
    for (const [k, v] of Object.entries(part)) {
      assert.ok(Object.hasOwn(whole, k), `${where}.${k} was added`);
      assertPartOf(v, (whole as Record<string, unknown>)[k], `${where}.${k}`);
    }
  } else {
    assert.equal(part, whole, where);
  }
}

describe('fhir/resource-schemas', () => {
  it('accepts realistic resources of every type and keeps unknown fields', () => {
    const withExtra = { ...lipidObs[0]!, extension: [{ url: 'https://ehr.example/x', valueString: 'kept' }], vendorField: 1 };
    const checked = checkResources<Observation>([withExtra], 'Observation');
    assert.equal(checked.invalid, 0);
    assert.equal((checked.valid[0] as unknown as { vendorField: number }).vendorField, 1);
    for (const [type, items] of REALISTIC) {
      const r = checkResources(items, type);
      assert.deepEqual(r.problems, [], type);
      assert.equal(r.valid.length, items.length, type);
    }
  });

  it('only checks: a resource that passes is handed on as it came, and parsing it changes nothing', () => {
    for (const [type, items] of REALISTIC) {
      for (const item of items) {
        const checked = checkResource(item, type);
        assert.ok(checked.ok, type);
        assert.equal(checked.value, item, type);
        // No defaults or transforms in the schemas: what zod would produce is the input with
        // only the checked fields kept, every value as it came.
        assertPartOf(resourceSchemas[type].parse(item), item, type);
      }
    }
  });

  it('skips and counts malformed resources with paths and codes, never values', () => {
    const secret = 'Maria has HIV';
    const items = [
      lipidObs[0],
      { ...lipidObs[1], valueQuantity: { value: secret } },
      { ...lipidObs[2], resourceType: 'Patient' },
      { ...lipidObs[3], effectiveDateTime: secret },
      { ...lipidObs[3], id: 'bad id with spaces' },
      null,
      42,
    ];
    const r = checkResources(items, 'Observation');
    assert.equal(r.valid.length, 1);
    assert.equal(r.invalid, 6);
    assert.deepEqual(
      r.problems.filter((p) => p.index < 5).map((p) => [p.index, p.path]),
      [
        [1, 'valueQuantity.value'],
        [2, 'resourceType'],
        [3, 'effectiveDateTime'],
        [4, 'id'],
      ],
    );
    assert.ok(r.problems.some((p) => p.index === 5 && p.path === '(root)'));
    assert.ok(!JSON.stringify(r).includes(secret));
    assert.ok(r.problems.every((p) => typeof p.code === 'string' && p.code.length > 0));
  });

  it('checks FHIR date formats: dateTime may be partial, instant may not', () => {
    const ok = (v: string) => checkResource({ ...visitSummary, date: v }, 'DocumentReference').ok;
    assert.equal(ok('2025-05-22T17:00:00Z'), true);
    assert.equal(ok('2025-05-22T17:00:00.123+02:00'), true);
    assert.equal(ok('2025-05-22'), false);
    assert.equal(ok('2025-05-22T17:00:00'), false);
    const dt = (v: string) => checkResource({ ...lipidObs[0]!, effectiveDateTime: v }, 'Observation').ok;
    assert.equal(dt('2025'), true);
    assert.equal(dt('2025-05'), true);
    assert.equal(dt('2025-05-22'), true);
    assert.equal(dt('2025-05-22T10:00'), false);
    assert.equal(dt('2025-13-01'), false);
  });

  it('keeps at most five problems per resource', () => {
    const r = checkResources([{ resourceType: 1, id: 2, status: 3, code: 4, category: 5, issued: 6, valueString: 7 }], 'Observation');
    assert.equal(r.invalid, 1);
    assert.equal(r.problems.length, 5);
  });
});
