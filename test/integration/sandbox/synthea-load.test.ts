import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Bundle } from 'fhir/r4.js';
import { ehrLaunch, fhirGet, startHarness, type Harness } from './harness.js';

// Reads the public Synthea R4 sample patients beside the project (/work/shared/fixtures/synthea-r4,
// or SYNTHEA_R4_DIR); skipped cleanly when that folder is absent.
const SYNTHEA_DIR = process.env.SYNTHEA_R4_DIR ?? '/work/shared/fixtures/synthea-r4';

describe('sandbox EHR: Synthea R4 transaction bundles', function () {
  this.timeout(60_000);
  let h: Harness;
  let files: string[] = [];
  before(async function () {
    if (!existsSync(SYNTHEA_DIR)) this.skip();
    files = readdirSync(SYNTHEA_DIR).filter((f) => f.endsWith('.json'));
    if (files.length === 0) this.skip();
    h = await startHarness({ seedDirs: [SYNTHEA_DIR] });
  });
  after(async () => {
    await h?.close();
  });

  it('loads every resource of every bundle and makes it searchable by patient', async () => {
    const listed = await h.sandbox.patients();
    for (const file of files) {
      const bundle = JSON.parse(readFileSync(`${SYNTHEA_DIR}/${file}`, 'utf8')) as Bundle;
      const patient = bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!;
      const patientId = patient.resource!.id ?? patient.fullUrl!.replace('urn:uuid:', '');
      const expected = new Map<string, number>();
      for (const e of bundle.entry!) expected.set(e.resource!.resourceType, (expected.get(e.resource!.resourceType) ?? 0) + 1);
      // every entry is stored under its id
      for (const e of bundle.entry!) {
        const id = e.resource!.id ?? e.fullUrl!.replace('urn:uuid:', '');
        await h.sandbox.repo.readResource(e.resource!.resourceType, id);
      }
      // and every patient-linked type is found by a patient search (urn:uuid references resolved)
      for (const type of ['Observation', 'DiagnosticReport', 'Encounter', 'Condition']) {
        const want = expected.get(type) ?? 0;
        const got = await h.sandbox.repo.search({
          resourceType: type as never, filters: [{ code: 'patient', operator: 'eq', value: `Patient/${patientId}` }], count: 0,
        });
        assert.equal(got.total, want, `${file}: ${type}`);
      }
      const entry = listed.find((p) => p.id === patientId)!;
      assert.match(entry.description, new RegExp(`^Synthea patient: ${expected.get('DiagnosticReport') ?? 0} reports, ${expected.get('Observation') ?? 0} observations$`));
    }
  });

  it('serves a Synthea patient through an EHR launch', async () => {
    const [first] = await h.sandbox.patients();
    const { tokens } = await ehrLaunch(h, `patient=${first!.id}`);
    const res = await fhirGet(h, tokens.access_token, 'Observation?_count=5&_include=Observation:encounter');
    const bundle = (await res.json()) as Bundle;
    assert.equal(res.status, 200);
    assert.ok((bundle.total ?? 0) > 0);
    assert.ok(bundle.entry!.some((e) => e.search?.mode === 'include'));
  });
});
