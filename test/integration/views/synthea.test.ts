import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, DiagnosticReport, Patient } from 'fhir/r4.js';
import { TestBrowser } from '../helpers/browser.js';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';

const SYNTHEA = '/work/shared/fixtures/synthea-r4';
const files = existsSync(SYNTHEA) ? readdirSync(SYNTHEA).filter((f) => f.endsWith('.json')).sort() : [];

interface Fixture {
  file: string;
  family: string;
  reports: { id: string; resultRefs: number }[];
}

/** The id a bundle entry gets in the sandbox: its own id, or the uuid of its urn:uuid fullUrl. */
function entryId(resource: { id?: string }, fullUrl: string | undefined): string {
  return resource.id ?? fullUrl!.replace(/^urn:uuid:/, '');
}

function readFixture(file: string): Fixture {
  const bundle = JSON.parse(readFileSync(join(SYNTHEA, file), 'utf8')) as Bundle;
  const patient = bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource as Patient;
  const reports = bundle
    .entry!.filter((e) => e.resource?.resourceType === 'DiagnosticReport' && (e.resource as DiagnosticReport).status === 'final')
    .map((e) => ({ id: entryId(e.resource!, e.fullUrl), resultRefs: (e.resource as DiagnosticReport).result?.length ?? 0 }));
  return { file, family: patient.name![0]!.family!, reports };
}

describe('Synthea R4 patients loaded with SANDBOX_SEED (real HTTP)', function () {
  this.timeout(180_000);
  let portal: TestPortal;
  let patients: { id: string; name: string }[];

  before(async function () {
    if (files.length === 0) return this.skip();
    portal = await startTestPortal({ env: { SANDBOX_SEED: SYNTHEA } });
    patients = (await (await fetch(`${portal.url}/sandbox/patients.json`)).json()) as { id: string; name: string }[];
  });
  after(async () => portal?.stop());

  if (files.length === 0) it('skipped: no Synthea fixtures in ' + SYNTHEA);

  for (const file of files) {
    it(`${file.split('_').slice(0, 2).join(' ')}: every final report shown with all its results, nothing skipped`, async () => {
      const fx = readFixture(file);
      assert.ok(fx.reports.length > 0, 'the fixture has final reports');
      const matches = patients.filter((p) => p.name.includes(fx.family));
      assert.equal(matches.length, 1, `one sandbox patient named ${fx.family}`);
      const b = new TestBrowser(portal.url);
      await b.launch(matches[0]!.id);

      const r = await b.get('/api/results');
      assert.equal(r.status, 200, r.text.slice(0, 300));
      assert.equal(r.json.skipped, 0);
      assert.notEqual(r.json.cut, true);
      const byId = new Map<string, { status: string; kind?: string; resultCount?: number }>(r.json.items.map((i: { id: string }) => [i.id, i]));
      for (const report of fx.reports) {
        const item = byId.get(report.id);
        assert.ok(item, `report ${report.id} is in /api/results`);
        if (item.status === 'pending') continue;
        assert.equal(item.status, 'available');
        assert.equal(item.kind, 'report');
        assert.equal(item.resultCount, report.resultRefs, `report ${report.id}: results shown`);
        const detail = await b.get(`/api/results/${report.id}`);
        assert.equal(detail.status, 200);
        assert.equal(detail.json.results.length, report.resultRefs);
        assert.equal(detail.json.notShown, 0);
      }
      for (const path of ['/api/summary', '/api/messages', '/api/appointments', '/api/documents']) {
        const other = await b.get(path);
        assert.equal(other.status, 200, `${path}: ${other.text.slice(0, 300)}`);
        if (path !== '/api/summary') assert.equal(other.json.skipped, 0, path);
      }
    });
  }
});
