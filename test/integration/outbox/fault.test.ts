/**
 * The fault test: one standalone sandbox EHR with faults switched on (503s, latency longer than
 * the adapter's timeout so responses are lost after the write happened, timeouts, a stretch of
 * "down"), two adapter processes on one PostgreSQL, 500 patient messages through both HTTP APIs,
 * and one adapter SIGKILLed mid-run (a replacement starts later). Every message must reach the
 * EHR exactly once and in order within its thread. Prints the figures.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Bundle, Communication } from 'fhir/r4.js';
import { generateKeySet } from '../../../src/crypto/key-set.js';
import { WRITE_IDENTIFIER_SYSTEM } from '../../../src/outbox/types.js';
import { TestBrowser } from '../helpers/browser.js';
import { freshDatabase } from '../helpers/test-portal.js';
import { freePort, startProcess } from '../helpers/processes.js';

const TOTAL = 500;
const PATIENTS = 4;
const NEW_THREADS_PER_PATIENT = 3;
const SECRET = `fault-test-${Math.random().toString(36).slice(2)}-secret`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

describe('outbox fault test: two adapters, a faulty EHR, one adapter killed', function () {
  this.timeout(240_000);
  const procs: ChildProcess[] = [];
  let db: { url: string; drop: () => Promise<void> } | undefined;
  let dir: string | undefined;

  after(async () => {
    for (const p of procs) await stopProcess(p);
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every message exactly once, in order within each thread', async () => {
    const t0 = Date.now();
    db = await freshDatabase('outbox_fault');
    dir = mkdtempSync(join(tmpdir(), 'outbox-fault-'));
    const [sPort, aPort, bPort] = [await freePort(), await freePort(), await freePort()];
    const ehr = `http://127.0.0.1:${sPort}`;
    const adapters = [`http://127.0.0.1:${aPort}`, `http://127.0.0.1:${bPort}`];

    const sandbox = await startProcess(
      'src/sandbox/serve.ts',
      {
        SANDBOX_PORT: String(sPort),
        LOG_LEVEL: 'silent',
        SANDBOX_CLIENTS: JSON.stringify([
          { clientId: 'portal-adapter', clientSecret: SECRET, redirectUris: adapters.map((a) => `${a}/callback`) },
          { clientId: 'fault-checker', clientSecret: SECRET, redirectUris: [], tokenEndpointAuthMethod: 'client_secret_post', grantTypes: ['client_credentials'] },
        ]),
      },
      /sandbox listening/,
    );
    procs.push(sandbox);

    const smartDir = join(dir, 'smart-config');
    mkdirSync(smartDir);
    writeFileSync(
      join(smartDir, 'shared-ehr.json'),
      JSON.stringify({
        id: 'shared-ehr',
        name: 'Shared sandbox EHR',
        fhirBaseUrl: `${ehr}/sandbox/fhir`,
        auth: { type: 'smart', clientId: 'portal-adapter', clientAuth: { method: 'client_secret_basic', secret: { env: 'SHARED_EHR_SECRET' } }, scopeStyle: 'v2', refresh: 'offline_access' },
        messaging: { recipient: 'Practitioner/pr-chen' },
        fhirTimeoutMs: 2000,
      }),
    );
    const keys = JSON.stringify(generateKeySet());
    const adapterEnv = (port: number, name: string): Record<string, string> => ({
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: db!.url,
      DATA_DIR: join(dir!, name),
      SMART_CONFIG_DIR: smartDir,
      EHRS: 'shared-ehr',
      SANDBOX: 'off',
      SHARED_EHR_SECRET: SECRET,
      ENCRYPTION_KEYS: keys,
      LOG_LEVEL: 'silent',
      WRITE_LIMIT_PER_MINUTE: '10000',
      LAUNCH_LIMIT_PER_MINUTE: '10000',
      OUTBOX_POLL_MS: '100',
      OUTBOX_BACKOFF_BASE_MS: '100',
      OUTBOX_BACKOFF_CAP_MS: '2000',
    });
    // One at a time: the first runs the migrations.
    const adapterA = await startProcess('src/main.ts', adapterEnv(aPort, 'a'), /is running at/);
    procs.push(adapterA);
    const adapterB = await startProcess('src/main.ts', adapterEnv(bPort, 'b'), /is running at/);
    procs.push(adapterB);

    // Sign in a few patients (through adapter A; the session lives in the shared database, so it works on both).
    const patients = ((await (await fetch(`${ehr}/sandbox/patients.json`)).json()) as { id: string }[]).slice(0, PATIENTS);
    assert.equal(patients.length, PATIENTS);
    const browsers: TestBrowser[] = [];
    for (const p of patients) {
      const b = new TestBrowser(adapters[0]!);
      const res = await b.follow(`${ehr}/sandbox/launch?patient=${p.id}`, {}, (loc) => loc.origin === adapters[0] && !/^\/(sandbox|launch|callback)/.test(loc.pathname));
      await res.body?.cancel();
      const s = await b.get(`${adapters[0]}/api/session`);
      assert.equal(s.status, 200, `launch of ${p.id}: ${b.trail.join(' | ')}`);
      b.session = s.json;
      browsers.push(b);
    }

    const faults = async (patch: Record<string, unknown>) => {
      const r = await fetch(`${ehr}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });
      assert.equal(r.status, 200);
    };
    await faults({ latencyMs: 30, errorRate: 0.2, timeoutRate: 0.02 });

    // The sends: a few new threads per patient first, then replies spread over them.
    const accepted: string[] = [];
    let unconfirmed = 0;
    const threads: string[][] = browsers.map(() => []);
    let aliveA = true;
    const send = async (i: number): Promise<void> => {
      const pi = i % PATIENTS;
      const b = browsers[pi]!;
      const own = threads[pi]!;
      for (let attempt = 0; attempt < 20; attempt++) {
        const target = aliveA && (i + attempt) % 2 === 0 ? adapters[0]! : adapters[1]!;
        try {
          const r =
            own.length < NEW_THREADS_PER_PATIENT && i < PATIENTS * NEW_THREADS_PER_PATIENT
              ? await b.post(`${target}/api/messages`, { purpose: 'other', subject: `Thread ${i}`, body: `Message ${i}` })
              : await b.post(`${target}/api/messages/${own[i % own.length]}/replies`, { body: `Message ${i}` });
          if (r.status === 202) {
            accepted.push(r.json.id);
            if (r.json.threadId && !own.includes(r.json.threadId)) own.push(r.json.threadId);
            return;
          }
          assert.ok(r.status >= 500 || r.status === 429, `send ${i}: ${r.status} ${r.text.slice(0, 200)}`);
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          unconfirmed++; // connection lost (the killed adapter): it may or may not have been stored
        }
        await sleep(100);
      }
      assert.fail(`send ${i} never accepted`);
    };

    let next = 0;
    const senders = Array.from({ length: 4 }, async () => {
      while (next < TOTAL) {
        const i = next++;
        await send(i);
        await sleep(40);
      }
    });
    // The fault timeline, while sending goes on.
    const timeline = (async () => {
      await sleep(5000);
      await faults({ down: true });
      await sleep(4000);
      await faults({ down: false, latencyMs: 2500 }); // answers come after the adapter gave up: lost responses
      await sleep(3000);
      await faults({ latencyMs: 30 });
      await sleep(1000);
      aliveA = false;
      adapterA.kill('SIGKILL');
      await sleep(4000);
      const replacement = await startProcess('src/main.ts', adapterEnv(aPort, 'a2'), /is running at/);
      procs.push(replacement);
      aliveA = true;
    })();
    await Promise.all([...senders, timeline]);
    const sendingDone = Date.now();
    await faults({ latencyMs: 0, errorRate: 0, timeoutRate: 0, down: false });

    // Wait until the outbox is empty.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      for (;;) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM outbox_item WHERE status IN ('sending', 'retrying')`);
        if (rows[0].n === 0) break;
        assert.ok(Date.now() - sendingDone < 150_000, `${rows[0].n} writes still undelivered after 150 s`);
        await sleep(500);
      }
      const items = (
        await client.query(`SELECT id, kind, thread_key, seq::int AS seq, status, created_at, delivered_at FROM outbox_item ORDER BY seq`)
      ).rows as { id: string; kind: string; thread_key: string; seq: number; status: string; created_at: Date; delivered_at: Date | null }[];

      // Read the EHR back with a system token.
      const tok = await fetch(`${ehr}/sandbox/auth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'fault-checker', client_secret: SECRET, scope: 'system/Communication.rs' }),
      });
      assert.equal(tok.status, 200, await tok.clone().text());
      const token = ((await tok.json()) as { access_token: string }).access_token;
      const found = new Map<string, Communication[]>();
      for (const p of patients) {
        let url: string | undefined = `${ehr}/sandbox/fhir/Communication?patient=Patient/${p.id}&_count=200`;
        while (url) {
          const res: Response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' } });
          assert.equal(res.status, 200);
          const bundle = (await res.json()) as Bundle;
          for (const e of bundle.entry ?? []) {
            const c = e.resource as Communication;
            for (const id of c.identifier ?? []) if (id.system === WRITE_IDENTIFIER_SYSTEM) found.set(id.value!, [...(found.get(id.value!) ?? []), c]);
          }
          url = bundle.link?.find((l) => l.relation === 'next')?.url;
        }
      }

      const known = new Set(items.map((x) => x.id));
      const lostAccepted = accepted.filter((id) => !known.has(id));
      let duplicates = 0;
      let missing = 0;
      for (const it of items) {
        for (const part of it.kind === 'message' ? ['header', 'message'] : ['message']) {
          const n = found.get(`${it.id}-${part}`)?.length ?? 0;
          if (n === 0) missing++;
          duplicates += Math.max(0, n - 1);
        }
      }
      const stray = [...found.keys()].filter((k) => !known.has(k.replace(/-(header|message)$/, ''))).length;
      // Order: within a thread, each message was created in the EHR no earlier than the one enqueued before it.
      let outOfOrder = 0;
      const byThread = new Map<string, typeof items>();
      for (const it of items) byThread.set(it.thread_key, [...(byThread.get(it.thread_key) ?? []), it]);
      for (const list of byThread.values()) {
        let last = 0;
        for (const it of list) {
          const at = Date.parse(found.get(`${it.id}-message`)?.[0]?.meta?.lastUpdated ?? '');
          if (at < last) outOfOrder++;
          last = Math.max(last, at);
        }
      }
      const delivered = items.filter((x) => x.status === 'delivered').length;
      const maxDelay = Math.max(...items.map((x) => (x.delivered_at ? x.delivered_at.getTime() - x.created_at.getTime() : Infinity)));
      const figures = {
        sent: accepted.length,
        unconfirmedSends: unconfirmed,
        outboxItems: items.length,
        threads: byThread.size,
        delivered,
        duplicates,
        missing,
        stray,
        outOfOrder,
        maxDelayMs: maxDelay,
        runSeconds: Math.round((Date.now() - t0) / 100) / 10,
      };
      console.log(`\n    outbox fault test: ${JSON.stringify(figures)}`);
      assert.equal(accepted.length, TOTAL);
      assert.deepEqual(lostAccepted, [], 'every 202 is in the outbox');
      assert.equal(delivered, items.length, 'every write delivered');
      assert.equal(duplicates, 0);
      assert.equal(missing, 0);
      assert.equal(stray, 0);
      assert.equal(outOfOrder, 0);
    } finally {
      await client.end();
    }
  });
});
