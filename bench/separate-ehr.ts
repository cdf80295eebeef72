/**
 * The same comparison with the EHR in its own process (src/sandbox/serve.ts), as in a real
 * deployment: in the in-process run the sandbox's search work and the adapter share one event
 * loop, so each waits on the other. Adapter vs raw (parallel) at 0 and 50 ms per FHIR request.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestBrowser } from '../test/integration/helpers/browser.js';
import { freePort, startProcess } from '../test/integration/helpers/processes.js';
import { startTestPortal } from '../test/integration/helpers/test-portal.js';
import { newestSessionToken, RawFhir, type Endpoint } from './raw-fhir.js';
import { fmt, measureInTurns, PAIR_TURNS, summarize } from './stats.js';

export async function runSeparateEhrBench(seedDir: string, family: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ehr-'));
  const secret = `bench-${Math.random().toString(36).slice(2)}-secret-value`;
  const [ehrPort, appPort] = [await freePort(), await freePort()];
  const ehr = `http://127.0.0.1:${ehrPort}`;
  const app = `http://127.0.0.1:${appPort}`;
  let child: ChildProcess | undefined;
  const smartDir = join(dir, 'smart-config');
  mkdirSync(smartDir);
  writeFileSync(
    join(smartDir, 'own-process-ehr.json'),
    JSON.stringify({
      id: 'own-process-ehr',
      name: 'Sandbox EHR (own process)',
      fhirBaseUrl: `${ehr}/sandbox/fhir`,
      auth: { type: 'smart', clientId: 'portal-adapter', clientAuth: { method: 'client_secret_basic', secret: { env: 'BENCH_EHR_SECRET' } } },
    }),
  );
  try {
    child = await startProcess(
      'src/sandbox/serve.ts',
      { SANDBOX_PORT: String(ehrPort), LOG_LEVEL: 'silent', SANDBOX_SEED: seedDir, SANDBOX_CLIENTS: JSON.stringify([{ clientId: 'portal-adapter', clientSecret: secret, redirectUris: [`${app}/callback`] }]) },
      /sandbox listening/,
    );
    const portal = await startTestPortal({
      env: { PORT: String(appPort), PUBLIC_URL: app, SMART_CONFIG_DIR: smartDir, EHRS: 'own-process-ehr', SANDBOX: 'off', BENCH_EHR_SECRET: secret, LOG_LEVEL: 'warn', WORKERS: 'off' },
    });
    try {
      const patients = (await (await fetch(`${ehr}/sandbox/patients.json`)).json()) as { id: string; name: string }[];
      const patient = patients.find((p) => p.name.includes(family))!;
      const browser = new TestBrowser(app);
      const res = await browser.follow(`${ehr}/sandbox/launch?patient=${encodeURIComponent(patient.id)}`, {}, (loc) => loc.origin === app && !/^\/(launch|callback)/.test(loc.pathname));
      const session = await browser.get("/api/session");
      if (res.status >= 400 || session.status !== 200) throw new Error(`launch failed: ${browser.trail.join(" | ")}`);
      const token = await newestSessionToken(portal);
      const raw = new RawFhir(`${ehr}/sandbox/fhir`, token, patient.id);
      const setLatency = async (ms: number) => {
        const r = await fetch(`${ehr}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: ms }) });
        if (!r.ok) throw new Error(`faults answered ${r.status}`);
      };
      console.log(`\n  the EHR in its own process (${ehr}), adapter in this one:`);
      console.log('  latency  endpoint  adapter p50   raw p50   overhead p50   adapter/raw');
      for (const latency of [0, 50]) {
        await setLatency(latency);
        for (const ep of ['summary', 'results'] as Endpoint[]) {
          const pair = await measureInTurns(
            [
              ['adapter', async () => {
                const r = await browser.get(`/api/${ep}`);
                if (r.status !== 200) throw new Error(`/api/${ep} answered ${r.status}`);
              }],
              ['raw', async () => void (await raw.parallel(ep))],
            ],
            PAIR_TURNS,
          );
          const a = summarize(pair.get('adapter')!);
          const b = summarize(pair.get('raw')!);
          console.log(`  ${String(latency).padStart(4)} ms  ${ep.padEnd(8)}  ${fmt(a.p50).padStart(8)} ms ${fmt(b.p50).padStart(7)} ms ${fmt(a.p50 - b.p50).padStart(10)} ms ${fmt(a.p50 / b.p50, 2).padStart(12)}`);
        }
      }
    } finally {
      await portal.stop();
    }
  } finally {
    child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
