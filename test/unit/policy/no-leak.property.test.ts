/**
 * Property: whatever the resources, labels, statuses, times, ages, viewers and clinician actions,
 * nothing of a resource the viewer may not see (its name, value, text, attachment) appears in the
 * visible set or in the pending list; and a proxy never sees more than the patient.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DiagnosticReport, DocumentReference, Observation } from 'fhir/r4.js';
import { applyPolicy } from '../../../src/policy/apply.js';
import { mapResults, mapResultDetail } from '../../../src/views/results.js';
import { mapDocuments } from '../../../src/views/documents.js';
import { mapSummary } from '../../../src/views/summary.js';
import { mapThreads } from '../../../src/views/messages.js';
import { mapAppointments } from '../../../src/views/appointments.js';
import type { ClinicianAction, PolicyContext } from '../../../src/policy/types.js';
import * as f from './fixtures.js';

const CODES = [
  '2093-3', '2345-7', '718-7', '57698-3', '24323-8', // ordinary
  '75622-1', '7917-8', '56888-1', // HIV
  '2857-1', '2039-6', '10334-1', // tumour markers
  '81247-9', '43304-5', '43305-2', '2106-3', '60567-5', '22637-3',
];
const CATEGORIES = ['LAB', 'PAT', 'GE', 'RAD', 'laboratory', 'imaging', 'MB'];
const LABELS = ['HIV', 'SUD', 'STD', 'SEX', 'PSY', 'GDIS', 'NOPAT', 'R', 'V', 'N', 'BH'];
const STATUSES = ['final', 'final', 'amended', 'preliminary', 'registered', 'cancelled', 'unknown', 'bogus', undefined];
const BASE = Date.parse('2026-02-20T17:00:00Z');
const HOUR = 3_600_000;

const issuedArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -240, max: 240 }).map((h) => new Date(BASE + h * HOUR).toISOString()) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, 'yesterday', '2026-02-30T00:00:00Z') },
);

const common = {
  code: fc.constantFrom(...CODES),
  category: fc.constantFrom(...CATEGORIES),
  labels: fc.subarray(LABELS, { maxLength: 3 }),
  status: fc.constantFrom(...STATUSES),
  issued: issuedArb,
};

const secret = (kind: string, k: number, what: string) => `SEC[${kind}${k}:${what}]`;

const scenario = fc.record({
  observations: fc.array(fc.record({ ...common, interpretation: fc.constantFrom(undefined, 'H', 'N', 'POS') }), { maxLength: 7 }),
  reports: fc.array(fc.record({ ...common, members: fc.array(fc.nat(20), { maxLength: 4 }), pdf: fc.boolean() }), { maxLength: 4 }),
  documents: fc.array(
    fc.record({ labels: fc.subarray(LABELS, { maxLength: 2 }), link: fc.constantFrom('related', 'identifier', 'none'), target: fc.nat(20), date: issuedArb, preliminary: fc.boolean() }),
    { maxLength: 3 },
  ),
  age: fc.oneof(fc.integer({ min: 0, max: 90 }).map((a) => `${2026 - a}-06-15`), fc.constantFrom(undefined, '2013', '2012-03', 'garbage')),
  nowHours: fc.integer({ min: -24, max: 600 }),
  clinician: fc.array(fc.record({ target: fc.nat(30), action: fc.constantFrom<'release' | 'hold'>('release', 'hold'), atHours: fc.integer({ min: -240, max: 600 }) }), { maxLength: 4 }),
  preferences: fc.record({ waitForClinician: fc.boolean(), geneticEarlyRelease: fc.boolean() }),
  relationship: fc.constantFrom(undefined, 'MTH', 'GUARD'),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario) {
  const secrets = new Map<string, string[]>();
  const sec = (ref: string, kind: string, k: number, what: string) => {
    const v = secret(kind, k, what);
    secrets.set(ref, [...(secrets.get(ref) ?? []), v]);
    return v;
  };
  const observations = s.observations.map((o, k): Observation => {
    const ref = `Observation/o${k}`;
    const r: Record<string, unknown> = {
      resourceType: 'Observation',
      id: `o${k}`,
      status: o.status,
      meta: { security: o.labels.map(f.label) },
      category: [{ coding: [{ code: o.category }] }],
      code: { coding: [{ system: 'http://loinc.org', code: o.code, display: sec(ref, 'o', k, 'display') }], text: sec(ref, 'o', k, 'text') },
      issued: o.issued,
      valueString: sec(ref, 'o', k, 'value'),
      note: [{ text: sec(ref, 'o', k, 'note') }],
      ...(o.interpretation ? { interpretation: [{ coding: [{ code: o.interpretation }] }] } : {}),
    };
    return r as unknown as Observation;
  });
  const reports = s.reports.map((r, k): DiagnosticReport => {
    const ref = `DiagnosticReport/r${k}`;
    const members = [...new Set(r.members.filter((m) => m < observations.length))];
    return {
      resourceType: 'DiagnosticReport',
      id: `r${k}`,
      status: r.status,
      meta: { security: r.labels.map(f.label) },
      identifier: [{ system: 'urn:example:accession', value: `ACC${k}` }],
      category: [{ coding: [{ code: r.category }] }],
      code: { coding: [{ system: 'http://loinc.org', code: r.code, display: sec(ref, 'r', k, 'display') }] },
      issued: r.issued,
      // The report names its results: the path by which a held result could leak.
      result: members.map((m) => ({ reference: `Observation/o${m}`, display: secrets.get(`Observation/o${m}`)![0]! })),
      conclusion: sec(ref, 'r', k, 'conclusion'),
      ...(r.pdf ? { presentedForm: [{ contentType: 'application/pdf', data: sec(ref, 'r', k, 'pdf'), title: sec(ref, 'r', k, 'title') }] } : {}),
    } as unknown as DiagnosticReport;
  });
  const documents = s.documents.map((d, k): DocumentReference => {
    const ref = `DocumentReference/d${k}`;
    const target = reports.length > 0 ? d.target % reports.length : -1;
    const link =
      target < 0 || d.link === 'none'
        ? {}
        : d.link === 'related'
          ? { context: { related: [{ reference: `DiagnosticReport/r${target}` }] } }
          : { identifier: [{ system: 'urn:example:accession', value: `ACC${target}` }] };
    return {
      resourceType: 'DocumentReference',
      id: `d${k}`,
      status: 'current',
      docStatus: d.preliminary ? 'preliminary' : 'final',
      securityLabel: [{ coding: d.labels.map(f.label) }],
      date: d.date,
      description: sec(ref, 'd', k, 'description'),
      ...link,
      content: [{ attachment: { url: `Binary/${sec(ref, 'd', k, 'url')}`, data: sec(ref, 'd', k, 'data'), title: sec(ref, 'd', k, 'title') } }],
    } as unknown as DocumentReference;
  });
  const refs = [...secrets.keys()];
  const clinicianActions: ClinicianAction[] = s.clinician
    .filter(() => refs.length > 0)
    .map((c) => ({ resourceRef: refs[c.target % refs.length]!, action: c.action, at: new Date(BASE + c.atHours * HOUR), by: 'Practitioner/p1' }));
  return { input: { reports, observations, documents }, secrets, clinicianActions };
}

describe('policy property: held content never leaks', () => {
  it('no secret of a non-visible resource appears in visible or pending; proxy ⊆ patient', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { input, secrets, clinicianActions } = build(s);
        const base: PolicyContext = {
          viewer: f.patientViewer,
          patient: { id: 'pat-1', ...(s.age ? { birthDate: s.age } : {}), state: 'CA' },
          now: new Date(BASE + s.nowHours * HOUR),
          clinicianActions,
          preferences: s.preferences,
        };
        const viewers = [f.patientViewer, { kind: 'proxy' as const, id: 'rp-1', ...(s.relationship ? { relationship: s.relationship } : {}) }];
        const seen: Set<string>[] = [];
        for (const viewer of viewers) {
          const out = applyPolicy(input, { ...base, viewer }, f.rules);
          const visibleJson = JSON.stringify(out.visible);
          const pendingJson = JSON.stringify(out.pending);
          assert.ok(!pendingJson.includes('SEC['), `pending carries content: ${pendingJson}`);
          for (const [ref, values] of secrets) {
            const d = out.decisions.get(ref);
            assert.ok(d, `no decision for ${ref}`);
            if (d.visible) continue;
            for (const v of values) assert.ok(!visibleJson.includes(v), `${viewer.kind}: ${v} of held ${ref} (${d.ruleId}) is visible`);
            if (d.presence === 'absent') assert.ok(!out.pending.some((p) => p.ref === ref), `absent ${ref} listed`);
          }
          seen.push(new Set([...out.visible.reports, ...out.visible.observations, ...out.visible.documents].map((r) => `${r.resourceType}/${r.id}`)));
        }
        for (const ref of seen[1]!) assert.ok(seen[0]!.has(ref), `proxy sees ${ref}, patient does not`);
      }),
      { numRuns: 400 },
    );
  });

  it('nothing of a held resource reaches what the API serves (results, result detail, documents, summary)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { input, secrets, clinicianActions } = build(s);
        for (const viewer of [f.patientViewer, { kind: 'proxy' as const, id: 'rp-1', ...(s.relationship ? { relationship: s.relationship } : {}) }]) {
          const now = new Date(BASE + s.nowHours * HOUR);
          const ctx: PolicyContext = { viewer, patient: { id: 'pat-1', ...(s.age ? { birthDate: s.age } : {}), state: 'CA' }, now, clinicianActions, preferences: s.preferences };
          const out = applyPolicy(input, ctx, f.rules);
          // The same calls src/portal/portal-service.ts makes with the policy's outcome.
          const view = { timeZone: 'America/Los_Angeles', locale: 'en' as const, now, patientRef: 'Patient/pat-1', viewerRef: viewer.kind === 'patient' ? 'Patient/pat-1' : 'RelatedPerson/rp-1' };
          const results = mapResults(out.visible.reports, out.visible.observations, out.pending, view);
          const documents = mapDocuments(out.visible.documents, [], out.pending, view);
          const details = input.reports.map((r) => mapResultDetail(r.id!, out.visible.reports, out.visible.observations, out.pending, view));
          const summary = mapSummary({ threads: mapThreads([], [], view), appointments: mapAppointments([], [], view), results, documents }, view);
          const served = JSON.stringify([results, documents, details, summary]);
          for (const [ref, values] of secrets) {
            if (out.decisions.get(ref)?.visible) continue;
            for (const v of values) assert.ok(!served.includes(v), `${viewer.kind}: ${v} of held ${ref} is served`);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
