import assert from 'node:assert/strict';
import type { PendingItem } from '../../../src/views/pending.js';
import { mapResultDetail, mapResults, ResultDetailSchema, ResultListSchema, type ResultDetail } from '../../../src/views/results.js';
import { unitText } from '../../../src/views/observation-value.js';
import {
  bloodPressure,
  cbc,
  ctx,
  cultureObs,
  included,
  lipidObs,
  lipidPanel,
  oldChol,
  prelimCulture,
  standaloneA1c,
} from './fixtures.js';

const held: PendingItem = {
  ref: 'DiagnosticReport/biopsy',
  kind: 'result',
  issued: '2025-05-30T12:00:00Z',
  releaseAt: '2025-06-03T12:00:00Z',
  explanation: 'Your care team will go over this result with you first.',
  category: 'Pathology',
};
const vitals = [bloodPressure('bp1', '2025-01-15T15:05:00Z', 138, 88), bloodPressure('bp2', '2025-05-20T14:00:00Z', 128, 82)];
const reports = [lipidPanel, cbc, prelimCulture];
const others = [...included, ...lipidObs, oldChol, cultureObs, ...vitals, standaloneA1c];

const detail = (id: string, locale: 'en' | 'es' = 'en') => {
  const d = mapResultDetail(id, reports, others, [held], ctx({ locale }));
  assert.ok(d && d.status === 'available', `detail for ${id}`);
  assert.doesNotThrow(() => ResultDetailSchema.parse(d));
  return d as ResultDetail;
};

describe('views/results', () => {
  const list = mapResults(reports, others, [held], ctx());

  it('lists reports, stand-alone lab values and pending placeholders, newest first', () => {
    assert.doesNotThrow(() => ResultListSchema.parse(list));
    assert.deepEqual(
      list.items.map((i) => [i.id, i.status]),
      [
        ['culture', 'available'],
        ['biopsy', 'pending'],
        ['cbc', 'available'],
        ['lipid', 'available'],
        ['a1c', 'available'],
        ['chol-2024', 'available'],
      ],
    );
    // Vital signs are not list items, only trend points.
    assert.ok(!list.items.some((i) => i.id === 'bp1'));
    assert.equal(list.skipped, 0);
  });

  it('shows a pending item with its explanation and no name or value', () => {
    const p = list.items.find((i) => i.status === 'pending')!;
    assert.deepEqual(Object.keys(p).sort(), ['category', 'explanation', 'id', 'issued', 'releaseAt', 'status']);
    assert.equal(p.id, 'biopsy');
    assert.equal(p.releaseAt?.iso, '2025-06-03T12:00:00.000Z');
    const d = mapResultDetail('biopsy', reports, others, [held], ctx());
    assert.equal(d?.status, 'pending');
  });

  it('summarizes each report: counts, flags, critical, status words, performer, form', () => {
    const cbcItem = list.items.find((i) => i.id === 'cbc');
    assert.ok(cbcItem?.status === 'available');
    assert.equal(cbcItem.resultCount, 4);
    assert.equal(cbcItem.flagged, 4);
    assert.equal(cbcItem.critical, true);
    assert.equal(cbcItem.category, 'Blood count');
    assert.deepEqual(cbcItem.resultStatus, { code: 'amended', label: 'Updated' });
    assert.deepEqual(cbcItem.performers, ['Dr. Susan Kim MD']);
    const lipid = list.items.find((i) => i.id === 'lipid');
    assert.ok(lipid?.status === 'available');
    assert.equal(lipid.hasForm, true);
    assert.equal(lipid.flagged, 2);
    assert.equal(lipid.critical, false);
    assert.deepEqual(lipid.performers, ['Riverside Family Clinic']);
    const culture = list.items.find((i) => i.id === 'culture');
    assert.ok(culture?.status === 'available');
    assert.equal(culture.resultStatus.label, 'Preliminary — may change');
  });

  it('maps the CBC: contained values, H / L / critical words, range computed when no flag', () => {
    const d = detail('cbc');
    const row = (code: string) => d.results.find((r) => r.code === code)!;
    assert.deepEqual(
      [row('6690-2').display, row('6690-2').unit, row('6690-2').interpretation?.label, row('6690-2').range?.text],
      ['11.8', '10³/µL', 'High', '4–11 10³/µL'],
    );
    assert.equal(row('718-7').interpretation?.label, 'Low');
    assert.deepEqual(row('777-3').interpretation, {
      code: 'LL',
      label: 'Critical — your care team has been told',
      severity: 'critical',
      computed: false,
    });
    assert.deepEqual(row('787-2').interpretation, {
      code: null,
      label: 'Outside the usual range',
      severity: 'abnormal',
      computed: true,
    });
    // One listed result (Observation/held-one) did not come: counted, not named.
    assert.equal(d.notShown, 1);
    assert.equal(d.results.length, 4);
    const es = detail('cbc', 'es');
    assert.equal(es.results.find((r) => r.code === '777-3')!.interpretation?.label, 'Crítico: su equipo de atención ya fue informado');
  });

  it('maps the lipid panel with form link, ranges, text ranges and a trend for repeated codes', () => {
    const d = detail('lipid');
    assert.deepEqual(d.forms, [{ title: 'Lipid panel report', contentType: 'application/pdf', size: 10240, url: '/api/results/lipid/form/0' }]);
    const chol = d.results.find((r) => r.code === '2093-3')!;
    assert.equal(chol.display, '212');
    assert.equal(chol.unit, 'mg/dL');
    assert.equal(chol.range?.text, '≤ 200 mg/dL');
    assert.equal(chol.interpretation?.label, 'Outside the usual range');
    assert.equal(d.results.find((r) => r.code === '2085-9')!.range?.text, '>= 40 mg/dL');
    assert.equal(d.results.find((r) => r.code === '2571-8')!.interpretation?.label, 'Within the usual range');
    assert.deepEqual(d.trends.map((t) => t.code), ['2093-3']);
    assert.deepEqual(d.trends[0]!.points, [
      { at: '2024-05-02T08:00:00.000Z', value: 190, unit: 'mg/dL' },
      { at: '2025-05-10T08:00:00.000Z', value: 212, unit: 'mg/dL' },
    ]);
  });

  it('reads string values and preliminary status', () => {
    const d = detail('culture');
    assert.equal(d.results[0]!.display, 'No growth at 24 hours');
    assert.equal(d.results[0]!.numeric, null);
    assert.equal(d.resultStatus.label, 'Preliminary — may change');
  });

  it('trends include vital-sign components (systolic / diastolic) sorted by time', () => {
    const sys = list.trends.find((t) => t.code === '8480-6')!;
    assert.deepEqual(sys.points.map((p) => p.value), [138, 128]);
    assert.equal(sys.unit, 'mmHg');
    assert.ok(list.trends.some((t) => t.code === '8462-4'));
    // Single values make no trend.
    assert.ok(!list.trends.some((t) => t.code === '4548-4'));
  });

  it('leaves the trends out on request, and the items unchanged', () => {
    const without = mapResults(reports, others, [held], ctx(), { trends: false });
    assert.deepEqual(without.trends, []);
    assert.deepEqual(without.items, list.items);
    assert.ok(list.trends.length > 0);
  });

  it('shows a blood pressure as systolic/diastolic and a stand-alone lab value as its own detail', () => {
    const bp = mapResults([], [bloodPressure('bp9', '2025-05-20T14:00:00Z', 121.6, 79.2)].map((o) => ({ ...o, category: [] })), [], ctx());
    assert.equal(bp.items.length, 1);
    const d = mapResultDetail('bp9', [], [{ ...bloodPressure('bp9', '2025-05-20T14:00:00Z', 121.6, 79.2), category: [] }], [], ctx());
    assert.ok(d?.status === 'available');
    assert.equal((d as ResultDetail).results[0]!.display, '122/79');
    assert.equal((d as ResultDetail).results[0]!.unit, 'mmHg');
    const a1c = detail('a1c');
    assert.equal(a1c.kind, 'observation');
    assert.equal(a1c.results[0]!.display, '6.1');
    assert.equal(a1c.results[0]!.interpretation?.label, 'Outside the usual range');
  });

  it('skips malformed reports and observations, and never shows entered-in-error', () => {
    const bad = [
      { resourceType: 'DiagnosticReport', id: 'x1', status: 'final' }, // no code
      { resourceType: 'DiagnosticReport', id: 'x2', status: 'final', code: { text: 'A' }, issued: 'last week' },
      { resourceType: 'Observation', id: 'x3', status: 'final', code: { text: 'B' } }, // wrong list
      { ...lipidPanel, id: 'x4', subject: { reference: 'Patient/p2' } },
    ];
    const err = { ...prelimCulture, id: 'gone', status: 'entered-in-error' };
    const badObs = { ...lipidObs[0]!, valueQuantity: { value: 'high' } };
    const out = mapResults([...reports, ...bad, err], [...others.filter((o) => o !== lipidObs[0]), badObs], [], ctx());
    assert.equal(out.skipped, 4);
    assert.ok(!out.items.some((i) => i.id === 'gone'));
    const lipid = mapResultDetail('lipid', [...reports, ...bad], [...others.filter((o) => o !== lipidObs[0]), badObs], [], ctx());
    assert.equal((lipid as ResultDetail).notShown, 1);
    assert.equal(mapResultDetail('x4', [...reports, ...bad], others, [], ctx()), undefined);
    assert.equal(mapResultDetail('nope', reports, others, [], ctx()), undefined);
  });

  it('writes UCUM units as people read them', () => {
    assert.equal(unitText('mm[Hg]'), 'mmHg');
    assert.equal(unitText('10*6/uL'), '10⁶/µL');
    assert.equal(unitText('{score}'), undefined);
    assert.equal(unitText('U/L'), 'U/L');
    assert.equal(unitText('ug/dL'), 'µg/dL');
  });
});
