/**
 * The adapter's /api/summary and /api/results over HTTP, beside the same FHIR traffic made
 * directly (parallel, as the adapter does) and the naive one-request-at-a-time pattern, against
 * the sandbox loaded with the largest Synthea record; with no injected latency and with 50 ms per
 * FHIR request. Prints figures; asserts nothing.
 */
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { TestBrowser } from '../test/integration/helpers/browser.js';
import { startTestPortal, type TestPortal } from '../test/integration/helpers/test-portal.js';
import { newestSessionToken, RawFhir, type Endpoint } from './raw-fhir.js';
import { fmt, measure, measureInTurns, PAIR_TURNS, summarize } from './stats.js';
import { profileAdapter } from './profile-adapter.js';
import { overheadSplit } from './overhead-split.js';
import { FIXTURES, largestBundle } from './fixtures.js';
import { runSeparateEhrBench } from './separate-ehr.js';

const LATENCIES = [0, 50] as const;

/**
 * Counts the sandbox's FHIR requests and groups them into waves: the sandbox reads `latencyMs`
 * once per request it lets through, so a getter on it sees each arrival.
 */
function watchArrivals(faults: { latencyMs: number }): { arrivals: number[]; set: (ms: number) => void } {
  let latency = faults.latencyMs;
  const arrivals: number[] = [];
  Object.defineProperty(faults, 'latencyMs', {
    configurable: true,
    enumerable: true,
    get() {
      arrivals.push(performance.now());
      return latency;
    },
  });
  return { arrivals, set: (ms) => void (latency = ms) };
}

/** Requests arriving within half the injected latency of the previous one belong to its wave. */
function waves(arrivals: readonly number[], latencyMs: number): number[] {
  const sizes: number[] = [];
  let last = -Infinity;
  for (const t of arrivals) {
    if (t - last > latencyMs / 2) sizes.push(0);
    sizes[sizes.length - 1]!++;
    last = t;
  }
  return sizes;
}

async function startPortal(seedDir: string): Promise<{ portal: TestPortal; database: string }> {
  const env = { SANDBOX_SEED: seedDir, LOG_LEVEL: 'warn', WORKERS: 'off' };
  try {
    return { portal: await startTestPortal({ env }), database: 'fresh PostgreSQL database' };
  } catch (e) {
    console.log(`PostgreSQL not reachable (${(e as Error).message}); using the embedded database`);
    return { portal: await startTestPortal({ env, embedded: true }), database: 'embedded PGlite' };
  }
}

export async function runViewsBench(): Promise<void> {
  const bundle = largestBundle();
  if (!bundle) {
    console.log(`views bench skipped: no Synthea bundle in ${FIXTURES}`);
    return;
  }
  // Synthea names its files Given_Family_uuid.json.
  const family = basename(bundle).split('_')[1]!;
  const seedDir = mkdtempSync(join(tmpdir(), 'bench-seed-'));
  copyFileSync(bundle, join(seedDir, basename(bundle)));
  const { portal, database } = await startPortal(seedDir);
  try {
    const patients = (await (await fetch(`${portal.url}/sandbox/patients.json`)).json()) as { id: string; name: string }[];
    const patient = patients.find((p) => p.name.includes(family));
    if (!patient) throw new Error(`no sandbox patient named ${family}`);
    const browser = new TestBrowser(portal.url);
    await browser.launch(patient.id);
    const token = await newestSessionToken(portal);
    const fhirBase = portal.services.registration('sandbox').fhirBaseUrl.replace(/\/+$/, '');
    const raw = new RawFhir(fhirBase, token, patient.id);
    const watch = watchArrivals(portal.sandbox!.faults);

    const adapter = (path: string) => async () => {
      const r = await browser.get(path);
      if (r.status !== 200) throw new Error(`${path} answered ${r.status}`);
    };
    const endpoints: Endpoint[] = ['summary', 'results'];

    console.log(`views bench: ${basename(bundle)} (${(statSync(bundle).size / 1e6).toFixed(1)} MB), patient ${patient.id}, ${database}, Node ${process.version}`);
    // The shape of each call's FHIR traffic, at 50 ms so that waves stand apart.
    watch.set(50);
    const shape: Record<string, string> = {};
    for (const ep of endpoints) {
      for (const [label, run] of [
        ['adapter', adapter(`/api/${ep}`)],
        ['raw', () => raw.parallel(ep)],
        ['naive', () => raw.naive(ep)],
      ] as const) {
        watch.arrivals.length = 0;
        await run();
        const w = waves(watch.arrivals, 50);
        shape[`${label} ${ep}`] = `${watch.arrivals.length} FHIR requests in ${w.length} wave(s)${w.length <= 6 ? ` [${w.join(', ')}]` : ''}`;
      }
    }
    for (const [k, v] of Object.entries(shape)) console.log(`  ${k.padEnd(16)} ${v}`);

    const rows: { latency: number; ep: Endpoint; label: string; s: ReturnType<typeof summarize> }[] = [];
    for (const latency of LATENCIES) {
      watch.set(latency);
      for (const ep of endpoints) {
        // Adapter and raw take turns after a warm-up (they are the pair the targets compare);
        // naive, far slower, is measured after them in one block.
        const pair = await measureInTurns(
          [
            ['adapter', adapter(`/api/${ep}`)],
            ['raw', async () => void (await raw.parallel(ep))],
          ],
          PAIR_TURNS,
        );
        for (const label of ['adapter', 'raw']) rows.push({ latency, ep, label, s: summarize(pair.get(label)!) });
        const naive = await measure('naive', async () => void (await raw.naive(ep)), { budgetMs: latency ? 6000 : 3000, warmup: latency ? 1 : 5, minRuns: 5 });
        rows.push({ latency, ep, label: 'naive', s: summarize(naive) });
      }
    }

    console.log('\n  latency  endpoint  pattern   runs   req/s    p50 ms   p99 ms');
    for (const r of rows) {
      console.log(`  ${String(r.latency).padStart(4)} ms  ${r.ep.padEnd(8)}  ${r.label.padEnd(8)} ${String(r.s.n).padStart(5)} ${fmt(r.s.rps).padStart(7)} ${fmt(r.s.p50).padStart(9)} ${fmt(r.s.p99).padStart(8)}`);
    }
    console.log('\n  latency  endpoint  overhead p50 (adapter − raw)  adapter/raw  naive/adapter');
    const get = (latency: number, ep: Endpoint, label: string) => rows.find((r) => r.latency === latency && r.ep === ep && r.label === label)!.s;
    for (const latency of LATENCIES) {
      for (const ep of endpoints) {
        const a = get(latency, ep, 'adapter');
        const b = get(latency, ep, 'raw');
        const c = get(latency, ep, 'naive');
        console.log(`  ${String(latency).padStart(4)} ms  ${ep.padEnd(8)}  ${fmt(a.p50 - b.p50).padStart(10)} ms${' '.repeat(18)}${fmt(a.p50 / b.p50, 2).padStart(6)}${fmt(c.p50 / a.p50, 1).padStart(14)}`);
      }
    }
    const t = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const at50 = endpoints.map((ep) => get(50, ep, 'adapter').p50 / get(50, ep, 'raw').p50);
    const at0 = endpoints.map((ep) => get(0, ep, 'adapter').p50 - get(0, ep, 'raw').p50);
    console.log('\n  targets (reported, not asserted):');
    console.log(`    summary in one wave of parallel requests: ${shape['adapter summary']} → ${t(/in 1 wave/.test(shape['adapter summary']!))}`);
    console.log(`    adapter/raw ≤ 1.10 at 50 ms: ${at50.map((x) => fmt(x, 2)).join(' / ')} (summary / results) → ${t(at50.every((x) => x <= 1.1))}`);
    console.log(`    overhead ≤ 5 ms p50 with no latency: ${at0.map((x) => fmt(x)).join(' / ')} ms → ${t(at0.every((x) => x <= 5))}`);

    watch.set(0);
    await profileAdapter(portal, browser, patient.id);
    await overheadSplit(portal, browser, raw);
  } finally {
    await portal.stop();
  }
  try {
    await runSeparateEhrBench(seedDir, family);
  } finally {
    rmSync(seedDir, { recursive: true, force: true });
  }
}
