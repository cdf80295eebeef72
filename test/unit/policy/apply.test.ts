import assert from 'node:assert/strict';
import type { Observation } from 'fhir/r4.js';
import { applyPolicy } from '../../../src/policy/apply.js';
import { createPolicy } from '../../../src/policy/create-policy.js';
import * as f from './fixtures.js';

const ids = (list: { id?: string }[]) => list.map((r) => r.id);

describe('policy apply: related resources share the hold', () => {
  // An HIV test inside an otherwise ordinary panel: the whole report and its PDF wait.
  const hivInPanel = { ...f.hivScreen, id: 'hiv-in-panel' };
  const sodium = f.observation({ id: 'na', code: '2951-2', display: 'Sodium [Moles/volume] in Serum or Plasma', value: { value: 139, unit: 'mmol/L' } });
  const panel = f.report({ id: 'screen', code: '24323-8', display: 'Comprehensive metabolic panel', results: [sodium, hivInPanel], pdf: 'JVBERi0xLjcKc2NyZWVu' });
  const panelDoc = f.documentFor(panel, 'doc-screen');
  const pathologyDoc = f.documentFor(f.pathology, 'doc-path', 'identifier');
  const set = {
    reports: [f.lipidPanel, panel, f.pathology],
    observations: [f.cholesterol, f.triglycerides, f.hdl, sodium, hivInPanel, f.highGlucose],
    documents: [panelDoc, pathologyDoc],
  };

  it('holds a report, its observations, its presentedForm and the document carrying it', () => {
    const out = applyPolicy(set, f.ctx(), f.rules);
    assert.deepEqual(ids(out.visible.reports), ['lipid']);
    assert.deepEqual(ids(out.visible.observations), ['chol', 'trig', 'hdl', 'glu-h']);
    assert.deepEqual(ids(out.visible.documents), []);
    const json = JSON.stringify(out.visible);
    for (const secret of ['HIV', 'Sodium', 'mmol/L', 'JVBERi0xLjcKc2NyZWVu', 'carcinoma', 'JVBERi0xLjcKcGF0aG9sb2d5', 'Binary/pdf-screen', 'Binary/pdf-path']) {
      assert.ok(!json.includes(secret), `${secret} leaked`);
    }
    // The held HIV result also holds the report that lists it, and so the report's other results.
    assert.equal(out.decisions.get('DiagnosticReport/screen')?.ruleId, 'hiv-sud-hold');
    assert.equal(out.decisions.get('Observation/na')?.inheritedFrom, 'Observation/hiv-in-panel');
    assert.equal(out.decisions.get('DocumentReference/doc-path')?.ruleId, 'pathology-delay');
  });

  it('lists pending reports and documents, not their member observations, with no content', () => {
    const out = applyPolicy(set, f.ctx(), f.rules);
    assert.deepEqual(
      out.pending.map((p) => [p.ref, p.kind, p.category]),
      [
        ['DiagnosticReport/screen', 'result', 'LAB'],
        ['DiagnosticReport/path', 'result', 'PAT'],
        ['DocumentReference/doc-screen', 'document', 'clinical-note'],
        ['DocumentReference/doc-path', 'document', 'clinical-note'],
      ],
    );
    const path = out.pending.find((p) => p.ref === 'DiagnosticReport/path')!;
    assert.deepEqual(Object.keys(path).sort(), ['category', 'explanation', 'issued', 'kind', 'ref', 'releaseAt']);
    assert.equal(path.releaseAt, '2026-03-04T18:00:00.000Z');
    const json = JSON.stringify(out.pending);
    for (const secret of ['Lipid', 'HIV', 'pathology', 'carcinoma', 'mg/dL', '75622-1', '60567-5', 'pdf']) {
      assert.ok(!json.includes(secret), `${secret} in pending items`);
    }
  });

  it('a clinician release of the report releases its observations and its document', () => {
    const out = applyPolicy(set, f.ctx({ clinicianActions: [f.release('DiagnosticReport/screen'), f.release('DiagnosticReport/path')] }), f.rules);
    assert.deepEqual(ids(out.visible.reports), ['lipid', 'screen', 'path']);
    assert.deepEqual(ids(out.visible.observations), ['chol', 'trig', 'hdl', 'na', 'hiv-in-panel', 'glu-h']);
    assert.deepEqual(ids(out.visible.documents), ['doc-screen', 'doc-path']);
    assert.deepEqual(out.pending, []);
  });

  it('a clinician release of one observation does not open the held report around it', () => {
    const labelled = { ...f.lipidPanel, meta: { security: [f.label('SUD')] } };
    const input = { reports: [labelled], observations: [f.cholesterol, f.triglycerides, f.hdl], documents: [] };
    const out = applyPolicy(input, f.ctx({ clinicianActions: [f.release('Observation/chol')] }), f.rules);
    assert.deepEqual(out.visible, { reports: [], observations: [], documents: [] });
    assert.equal(out.decisions.get('Observation/chol')?.ruleId, 'hiv-sud-hold');
  });

  it('once the clinician releases the held result itself, the report that lists it follows', () => {
    const out = applyPolicy(set, f.ctx({ clinicianActions: [f.release('Observation/hiv-in-panel')] }), f.rules);
    assert.ok(ids(out.visible.reports).includes('screen'));
    assert.ok(ids(out.visible.documents).includes('doc-screen'));
  });

  it('an observation listed by two reports is held with either', () => {
    const second = f.report({ id: 'second', code: '24323-8', display: 'Comprehensive metabolic panel', results: [f.cholesterol], labels: ['HIV'] });
    const out = applyPolicy({ reports: [f.lipidPanel, second], observations: [f.cholesterol, f.triglycerides, f.hdl], documents: [] }, f.ctx(), f.rules);
    // The lipid panel lists cholesterol by name, so it cannot be shown while cholesterol waits.
    assert.deepEqual(out.visible, { reports: [], observations: [], documents: [] });
  });

  it('a clinician hold on a report holds its observations', () => {
    const out = applyPolicy({ reports: [f.lipidPanel], observations: [f.cholesterol, f.triglycerides, f.hdl], documents: [] }, f.ctx({ clinicianActions: [f.hold('DiagnosticReport/lipid')] }), f.rules);
    assert.deepEqual(out.visible, { reports: [], observations: [], documents: [] });
    assert.equal(out.decisions.get('Observation/trig')?.ruleId, 'clinician-hold');
  });

  it('decides unreferenced observations on their own', () => {
    const out = applyPolicy({ reports: [], observations: [f.cholesterol, f.psa], documents: [] }, f.ctx(), f.rules);
    assert.deepEqual(ids(out.visible.observations), ['chol']);
    assert.deepEqual(out.pending.map((p) => p.ref), ['Observation/psa']);
  });

  it('resolves urn:uuid and absolute references (transaction bundles, EHR full URLs)', () => {
    const member = { ...f.psa, id: 'a1b2c3d4-0000-4000-8000-000000000001' };
    const absolute: Observation = { ...f.cholesterol, id: 'abs-1' };
    const r = { ...f.lipidPanel, id: 'uuid-panel', result: [{ reference: `urn:uuid:${member.id}` }, { reference: 'https://ehr.example.org/fhir/R4/Observation/abs-1/_history/3' }] };
    const out = applyPolicy({ reports: [r], observations: [member, absolute], documents: [] }, f.ctx(), f.rules);
    assert.deepEqual(out.visible, { reports: [], observations: [], documents: [] });
    assert.equal(out.decisions.get('Observation/abs-1')?.inheritedFrom, `Observation/${member.id}`);
  });

  it('hides a minor\'s confidential report, its results and document from a proxy without listing them', () => {
    const sti = f.report({ id: 'sti', code: '43304-5', display: 'Chlamydia trachomatis rRNA', results: [f.chlamydia, f.gonorrhoea] });
    const doc = f.documentFor(sti, 'doc-sti');
    const input = { reports: [f.lipidPanel, sti], observations: [f.chlamydia, f.gonorrhoea, f.cholesterol, f.triglycerides, f.hdl], documents: [doc] };
    const teen = { birthDate: f.TEEN_BIRTH };
    const proxy = applyPolicy(input, f.ctx({ ...teen, viewer: f.parentProxy }), f.rules);
    assert.deepEqual(ids(proxy.visible.reports), ['lipid']);
    assert.deepEqual(ids(proxy.visible.observations), ['chol', 'trig', 'hdl']);
    assert.deepEqual(proxy.visible.documents, []);
    assert.deepEqual(proxy.pending, []);
    assert.equal(proxy.decisions.get('DocumentReference/doc-sti')?.presence, 'absent');
    const patient = applyPolicy(input, f.ctx(teen), f.rules);
    assert.deepEqual(ids(patient.visible.reports), ['lipid', 'sti']);
    assert.deepEqual(ids(patient.visible.documents), ['doc-sti']);
  });

  it('lists a held panel observation whose members point back at it (no silent gap)', () => {
    const a = { ...f.hivScreen, id: 'a', hasMember: [{ reference: 'Observation/b' }] };
    const b = { ...f.cholesterol, id: 'b', hasMember: [{ reference: 'Observation/a' }] };
    const out = applyPolicy({ reports: [], observations: [a, b], documents: [] }, f.ctx(), f.rules);
    assert.deepEqual(out.pending.map((p) => p.ref), ['Observation/a', 'Observation/b']);
  });

  it('createPolicy binds the rules: decide(resource, ctx) and apply(resources, ctx)', () => {
    const policy = createPolicy(f.rules);
    assert.equal(policy.decide(f.psa, f.ctx()).ruleId, 'pathology-delay');
    assert.deepEqual(ids(policy.apply({ reports: [], observations: [f.psa, f.hdl], documents: [] }, f.ctx()).visible.observations), ['hdl']);
  });

  it('links a document through relatesTo as well', () => {
    const doc = { ...f.documentFor(f.lipidPanel, 'doc-r'), context: undefined, relatesTo: [{ code: 'transforms' as const, target: { reference: 'DiagnosticReport/path' } }] };
    const out = applyPolicy({ reports: [f.pathology], observations: [], documents: [doc] }, f.ctx(), f.rules);
    assert.deepEqual(out.visible.documents, []);
    assert.equal(out.decisions.get('DocumentReference/doc-r')?.inheritedFrom, 'DiagnosticReport/path');
  });
});
