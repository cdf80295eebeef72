/**
 * Where an adapter call's time goes, piece by piece, in process (no HTTP): the session lookup and
 * touch of the auth pipeline, the policy context and outbox DB reads, the FHIR searches through
 * FhirSession, the policy and view mapping, the audit append, and the whole use case.
 */
import type { Communication, FhirResource } from 'fhir/r4.js';
import type { TestBrowser } from '../test/integration/helpers/browser.js';
import type { TestPortal } from '../test/integration/helpers/test-portal.js';
import { fhirForSession } from '../src/fhir/for-session.js';
import { applyPolicy } from '../src/policy/index.js';
import { loadClinicalRecords } from '../src/portal/clinical-records.js';
import { policyContext } from '../src/portal/policy-context.js';
import { PortalService } from '../src/portal/portal-service.js';
import { mapResults } from '../src/views/results.js';
import { mapThreads } from '../src/views/messages.js';
import type { PendingItem } from '../src/views/pending.js';
import { THREAD_WRITES } from '../src/portal/local-writes.js';
import { ADAPTER_SEARCHES, COMMUNICATIONS, type PlannedSearch } from './raw-fhir.js';
import { fmt, measure, summarize } from './stats.js';
import { benchCall } from './bench-call.js';

export async function profileAdapter(portal: TestPortal, browser: TestBrowser, patientId: string): Promise<void> {
  const s = portal.services;
  const { session, cookie, call } = await benchCall(portal, browser);
  const service = new PortalService();
  const fhir = fhirForSession(s, session);
  const rec = await loadClinicalRecords(call(), fhir, { reports: true, documents: true });
  const search = <T extends FhirResource>(planned: PlannedSearch) => fhir.searchPatient<T>(planned.resourceType, planned.patientParam, planned.params);
  const comms = await search<Communication>(COMMUNICATIONS);
  const ctx = await policyContext(call());
  const rules = s.rules(session.ehrId);
  const included: FhirResource[] = [...rec.outcome.visible.observations, ...rec.supporting];
  const auditRows = () => [
    { actor: { kind: session.viewer.kind, id: session.viewer.id }, ehrId: session.ehrId, patientId, ip: '127.0.0.1', userAgent: 'bench', requestId: 'bench', action: 'read' as const, resourceType: 'Patient', resourceId: patientId, outcome: 'success' as const },
  ];

  const pieces: [string, () => Promise<unknown>][] = [
    ['session lookup (auth pipeline)', () => s.sessions.lookup(cookie)],
    ['session touch (auth pipeline)', () => s.sessions.touch(session)],
    ['policy context (1 DB read)', () => policyContext(call())],
    ['outbox local writes (1 DB read)', () => s.outbox.sealedWrites(session.ehrId, patientId, { kinds: THREAD_WRITES })],
    ['audit append (1 row)', () => s.audit.record(auditRows())],
    ['FHIR: results searches via FhirSession', () => Promise.all(ADAPTER_SEARCHES.results.map((x) => search(x)))],
    ['policy: applyPolicy on the record', async () => applyPolicy({ reports: rec.outcome.visible.reports, observations: rec.outcome.visible.observations, documents: rec.outcome.visible.documents }, ctx, rules)],
    ['views: mapResults', async () => mapResults(rec.outcome.visible.reports, included, rec.outcome.pending as PendingItem[], call().view)],
    ['views: mapThreads', async () => mapThreads(comms.matches, comms.included, call().view)],
    ['use case: results (in process)', () => service.results(call())],
    ['use case: summary (in process)', () => service.summary(call())],
  ];
  console.log('\n  where the time goes (in process, no injected latency, one call at a time):');
  console.log('    piece                                        p50 ms   p99 ms');
  for (const [label, run] of pieces) {
    const r = summarize(await measure(label, async () => void (await run()), { budgetMs: 1500, warmup: 3, minRuns: 10 }));
    console.log(`    ${label.padEnd(44)} ${fmt(r.p50, 2).padStart(7)} ${fmt(r.p99, 2).padStart(8)}`);
  }
}
