import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestBrowser } from '../helpers/browser.js';
import { freshDatabase } from '../helpers/test-portal.js';
import { childEnv, freePort, startMain, type MainProcess } from './child.js';

/** Issue 2 "Done when": SIGTERM lets a request in flight finish, then the process exits 0. */
describe('graceful shutdown of tsx src/main.ts', function () {
  this.timeout(120_000);
  let main: MainProcess | undefined;
  let dataDir: string;
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portal-shutdown-'));
    db = await freshDatabase('shutdown');
  });
  after(async () => {
    if (main && main.child.exitCode === null) main.child.kill('SIGKILL');
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a slow request started before SIGTERM completes with 200, then the process exits 0', async () => {
    const port = await freePort();
    main = startMain(childEnv({ PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: db.url, LOG_LEVEL: 'warn' }));
    await main.ready;
    const base = `http://localhost:${port}`;
    const b = new TestBrowser(base);
    await b.launch('robert-okafor');
    const set = await fetch(`${base}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 2500 }) });
    assert.equal(set.status, 200);

    let signalled = false;
    let answeredAfterSignal = false;
    const inFlight = b.get('/api/results').then((r) => ((answeredAfterSignal = signalled), r));
    await new Promise((r) => setTimeout(r, 800)); // the request is now waiting on the slow EHR
    assert.equal(main.child.exitCode, null);
    signalled = true;
    main.child.kill('SIGTERM');
    const res = await inFlight;
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.ok(Array.isArray(res.json.items));
    // Accepted before SIGTERM (a closed server refuses new connections), answered after it.
    assert.ok(answeredAfterSignal, 'the answer came after SIGTERM');
    assert.equal(await main.exited, 0, main.stderr().slice(-2000));
    assert.match(main.stderr(), /SIGTERM received/);
    // Nothing listens any more.
    await assert.rejects(fetch(`${base}/healthz`));
  });
});
