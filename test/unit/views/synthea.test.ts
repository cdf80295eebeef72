/**
 * Mapping real-shaped data: the public Synthea R4 patients kept beside the project in
 * /work/shared/fixtures/synthea-r4 (see its NOTICE.md). Skipped when that folder is absent.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, DiagnosticReport, Observation, Resource } from 'fhir/r4.js';
import { checkResources } from '../../../src/fhir/resource-schemas.js';
import { mapResultDetail, mapResults, ResultListSchema, type ResultDetail } from '../../../src/views/results.js';
import { ctx } from './fixtures.js';

const FOLDER = process.env.SYNTHEA_FIXTURES ?? '/work/shared/fixtures/synthea-r4';
const files = existsSync(FOLDER) ? readdirSync(FOLDER).filter((f) => f.endsWith('.json')) : [];

function load(file: string): Resource[] {
  const bundle = JSON.parse(readFileSync(join(FOLDER, file), 'utf8')) as Bundle;
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Resource => r !== undefined);
}

describe('views on Synthea R4 patients', function () {
  before(function () {
    if (files.length === 0) this.skip();
  });

  for (const file of files.length > 0 ? files : ['(none)']) {
    const label = file.split('_').slice(0, 2).join(' ');

    it(`${label}: every resource we read passes its schema`, function () {
      const resources = load(file);
      for (const type of ['Observation', 'DiagnosticReport', 'Patient', 'Practitioner', 'Organization'] as const) {
        const items = resources.filter((r) => r.resourceType === type);
        const checked = checkResources(items, type);
        assert.deepEqual(checked.problems, [], `${type} problems`);
        assert.equal(checked.valid.length, items.length);
      }
    });

    it(`${label}: every final report maps with all its results, and repeated codes have trends`, function () {
      const resources = load(file);
      const patient = resources.find((r) => r.resourceType === 'Patient')!;
      const reports = resources.filter((r): r is DiagnosticReport => r.resourceType === 'DiagnosticReport');
      const others = resources.filter((r) => r.resourceType !== 'DiagnosticReport');
      const c = ctx({ patientRef: `Patient/${patient.id}`, viewerRef: `Patient/${patient.id}`, timeZone: 'America/New_York' });

      const list = mapResults(reports, others, [], c);
      assert.doesNotThrow(() => ResultListSchema.parse(list));
      assert.equal(list.skipped, 0);
      const listed = new Set(list.items.map((i) => i.id));

      const finals = reports.filter((r) => r.status === 'final');
      assert.ok(finals.length > 0);
      for (const report of finals) {
        assert.ok(listed.has(report.id!), `report ${report.id} listed`);
        const d = mapResultDetail(report.id!, reports, others, [], c) as ResultDetail | undefined;
        assert.ok(d && d.status === 'available', `report ${report.id} maps`);
        assert.equal(d.notShown, 0);
        assert.equal(d.results.length, report.result?.length ?? 0);
        for (const row of d.results) {
          assert.ok(row.display !== null, `value shown for ${row.code}`);
        }
      }

      // Every LOINC code with two or more numeric values (main value or component) has a series.
      const counts = new Map<string, number>();
      const bump = (code: string | undefined, value: unknown) => {
        if (code !== undefined && typeof value === 'number') counts.set(code, (counts.get(code) ?? 0) + 1);
      };
      for (const o of resources.filter((r): r is Observation => r.resourceType === 'Observation')) {
        bump(o.code.coding?.find((x) => x.system === 'http://loinc.org')?.code, o.valueQuantity?.value);
        for (const comp of o.component ?? []) bump(comp.code.coding?.find((x) => x.system === 'http://loinc.org')?.code, comp.valueQuantity?.value);
      }
      const repeated = [...counts].filter(([, n]) => n >= 2);
      assert.ok(repeated.length > 0);
      const series = new Map(list.trends.map((t) => [t.code, t]));
      for (const [code, n] of repeated) {
        const s = series.get(code);
        assert.ok(s, `trend for ${code}`);
        assert.equal(s.points.length, n, `points for ${code}`);
        const times = s.points.map((p) => Date.parse(p.at));
        assert.deepEqual(times, [...times].sort((a, b) => a - b));
      }
    });
  }
});
