import assert from 'node:assert/strict';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';

interface Readiness {
  status: string;
  checks: { name: string; kind: string; ok: boolean }[];
}

/** Issue 2 "Done when": /healthz answers; /readyz reports the database and each EHR one by one. */
describe('/healthz and /readyz', function () {
  this.timeout(60_000);
  let portal: TestPortal;
  const ready = async () => {
    const res = await fetch(`${portal.url}/readyz`);
    return { status: res.status, body: (await res.json()) as Readiness, cacheControl: res.headers.get('cache-control') };
  };
  const faults = (patch: object) => fetch(`${portal.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) }).then((r) => r.json());

  before(async () => {
    portal = await startTestPortal();
  });
  after(async () => portal?.stop());

  it('/healthz answers', async () => {
    const res = await fetch(`${portal.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('/readyz names the database and the EHR, each ready', async () => {
    const r = await ready();
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'ready');
    assert.deepEqual(
      r.body.checks.map((c) => [c.name, c.kind, c.ok]),
      [
        ['postgres', 'database', true],
        ['sandbox', 'ehr', true],
      ],
    );
    assert.equal(r.cacheControl, 'no-store');
  });

  it('/readyz answers 503 naming the EHR while the sandbox EHR is down, and recovers', async () => {
    await faults({ down: true });
    try {
      const r = await ready();
      assert.equal(r.status, 503);
      assert.equal(r.body.status, 'not_ready');
      const ehr = r.body.checks.find((c) => c.name === 'sandbox');
      assert.equal(ehr?.kind, 'ehr');
      assert.equal(ehr?.ok, false);
      assert.equal(r.body.checks.find((c) => c.kind === 'database')?.ok, true);
      // Public endpoint: no URLs or error details.
      assert.ok(!JSON.stringify(r.body).includes('http'));
    } finally {
      await faults({ down: false });
    }
    assert.equal((await ready()).status, 200);
  });
});
