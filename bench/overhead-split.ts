/**
 * Where the adapter's overhead goes, with no injected latency. The summary call is built up layer
 * by layer, and the layers take turns call by call (the order reversed every round), so that all
 * of them see the same machine even when its speed drifts within seconds:
 *   raw again            the raw queries a second time: the gap to raw is the noise floor
 *   FHIR via FhirSession the adapter's own FHIR client (fhir-kit-client, timeouts, metrics)
 *   + local reads        the policy-state and outbox reads that run beside the searches
 *   + policy and views   the use case in process with its audit append skipped: zod checks, the
 *                        release policy and view mapping (a bench-only variant, never served)
 *   use case in process  + the durable audit append, as served
 *   over HTTP            + the browser's request, the session read, Koa and the JSON answer
 * Prints figures; asserts nothing.
 */
import type { TestBrowser } from '../test/integration/helpers/browser.js';
import type { TestPortal } from '../test/integration/helpers/test-portal.js';
import { fhirForSession } from '../src/fhir/for-session.js';
import { PortalService } from '../src/portal/portal-service.js';
import { THREAD_WRITES } from '../src/portal/local-writes.js';
import { ADAPTER_SEARCHES, type RawFhir } from './raw-fhir.js';
import { fmt, measureCallByCall, summarize } from './stats.js';
import { benchCall } from './bench-call.js';

/**
 * Rounds run before any is recorded, and the time the split gets. Only with no injected latency:
 * at 50 ms a round takes half a second, and the rounds that fit in a bench leave the split
 * inside its own noise.
 */
const WARMUP_ROUNDS = 10;
const BUDGET_MS = 45_000;
const signed = (ms: number) => `${ms < 0 ? '−' : '+'}${fmt(Math.abs(ms), 2)}`;

/** Run with the sandbox's injected latency at 0. */
export async function overheadSplit(portal: TestPortal, browser: TestBrowser, raw: RawFhir): Promise<void> {
  const s = portal.services;
  const { session, call } = await benchCall(portal, browser);
  const service = new PortalService();
  const searches = () => {
    const fhir = fhirForSession(s, session);
    return ADAPTER_SEARCHES.summary.map((x) => fhir.searchPatient(x.resourceType, x.patientParam, x.params));
  };
  const layers: [string, () => Promise<void>][] = [
    ['raw', async () => void (await raw.parallel('summary'))],
    ['raw again', async () => void (await raw.parallel('summary'))],
    ['FHIR via FhirSession', async () => void (await Promise.all(searches()))],
    ['+ local reads', async () => void (await Promise.all([...searches(), s.policyState.forPatient(session.ehrId, session.patientId), s.outbox.sealedWrites(session.ehrId, session.patientId, { kinds: THREAD_WRITES })]))],
    [
      '+ policy and views',
      async () => {
        // An own property shadows AuditLog's method for this one call; deleting it restores the method.
        const audit = s.audit as { record?: typeof s.audit.record };
        audit.record = async () => undefined;
        try {
          void JSON.stringify(await service.summary(call()));
        } finally {
          delete audit.record;
        }
      },
    ],
    ['use case in process', async () => void JSON.stringify(await service.summary(call()))],
    [
      'over HTTP',
      async () => {
        const r = await browser.get('/api/summary');
        if (r.status !== 200) throw new Error(`/api/summary answered ${r.status}`);
      },
    ],
  ];

  console.log('\n  where the summary\'s overhead goes (layers taking turns; p50 ms, and what each layer adds):');
  const runs = await measureCallByCall(layers, { warmupRounds: WARMUP_ROUNDS, budgetMs: BUDGET_MS });
  const p50 = (label: string) => summarize(runs.samples.get(label)!).p50;
  const base = p50('raw');
  let previous = base;
  console.log(`    no injected latency, ${runs.rounds} rounds:`);
  for (const [label] of layers) {
    const now = p50(label);
    const added = label === 'raw again' ? `noise floor ${signed(now - base)}` : label === 'raw' ? '' : signed(now - previous);
    console.log(`      ${label.padEnd(22)} ${fmt(now, 2).padStart(7)}   ${added}`);
    if (label !== 'raw again') previous = now;
  }
  console.log(`      ${'overhead (HTTP − raw)'.padEnd(22)} ${fmt(p50('over HTTP') - base, 2).padStart(7)}`);
}
