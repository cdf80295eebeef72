import assert from 'node:assert/strict';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';
import { TestBrowser } from '../helpers/browser.js';

/** Issue 2 "Done when": `npm start` with no DATABASE_URL runs on embedded PGlite, end to end. */
describe('embedded PGlite: smoke and error paths', function () {
  this.timeout(120_000);
  let portal: TestPortal;
  const stray: unknown[] = [];
  const onStray = (e: unknown) => stray.push(e);

  before(async () => {
    process.on('unhandledRejection', onStray);
    process.on('uncaughtException', onStray);
    portal = await startTestPortal({ embedded: true });
  });
  after(async () => {
    await portal?.stop();
    process.off('unhandledRejection', onStray);
    process.off('uncaughtException', onStray);
  });

  it('launch, read the summary, send a message and see it delivered', async () => {
    assert.equal(portal.config.database.kind, 'embedded');
    const b = new TestBrowser(portal.url);
    await b.launch('maria-lopez');
    const summary = await b.get('/api/summary');
    assert.equal(summary.status, 200);
    const sent = await b.post('/api/messages', { purpose: 'refill-request', subject: 'Refill please', body: 'Metformin, 90 days.' });
    assert.equal(sent.status, 202, sent.text);
    let status = '';
    for (let i = 0; i < 60 && status !== 'delivered'; i++) {
      const t = await b.get(`/api/messages/${encodeURIComponent(sent.json.threadId)}`);
      const mine = (t.json?.messages ?? []) as { body: string; status: string }[];
      status = mine.find((m) => m.body === 'Metformin, 90 days.')?.status ?? '';
      if (status !== 'delivered') await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(status, 'delivered');
  });

  it('/readyz names the embedded database', async () => {
    const res = await fetch(`${portal.url}/readyz`);
    const body = (await res.json()) as { checks: { name: string; kind: string; ok: boolean }[] };
    assert.equal(res.status, 200);
    assert.deepEqual(body.checks.find((c) => c.kind === 'database'), { ...body.checks.find((c) => c.kind === 'database'), name: 'embedded-database', ok: true });
  });

  it('a constraint violation inside a transaction rejects cleanly; the process and the database go on', async () => {
    const before = (await portal.db.query('SELECT seq FROM audit_head WHERE id = 1')) as { seq: string }[];
    await assert.rejects(
      portal.db.transaction(async (m) => {
        await m.query(`UPDATE audit_head SET seq = seq + 1000 WHERE id = 1`);
        await m.query(`INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, 'x')`); // duplicate primary key
      }),
      /duplicate key|unique/i,
    );
    // The transaction rolled back as a whole.
    assert.deepEqual(await portal.db.query('SELECT seq FROM audit_head WHERE id = 1'), before);
    await assert.rejects(portal.db.query('SELECT * FROM no_such_table'), /no_such_table/);
    // Still serving, and still writing.
    const b = new TestBrowser(portal.url);
    await b.launch('james-carter');
    assert.equal((await b.get('/api/appointments')).status, 200);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(stray, []);
  });
});
