import assert from 'node:assert/strict';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';
import { TestBrowser } from '../helpers/browser.js';

/** The limits as configured through the environment, on the real app. */
describe('security: rate limits from the environment', function () {
  this.timeout(120_000);

  describe('WRITE_LIMIT_PER_MINUTE=3', () => {
    let portal: TestPortal;
    before(async () => {
      portal = await startTestPortal({ env: { WRITE_LIMIT_PER_MINUTE: '3' } });
    });
    after(async () => portal?.stop());

    it('the fourth write in a minute answers 429 with Retry-After, and is not stored', async () => {
      const b = new TestBrowser(portal.url);
      await b.launch('maria-lopez');
      const send = (i: number) => b.post('/api/messages', { purpose: 'other', subject: `Question ${i}`, body: `Text ${i}` });
      for (let i = 1; i <= 3; i++) assert.equal((await send(i)).status, 202, `write ${i}`);
      const fourth = await send(4);
      assert.equal(fourth.status, 429);
      assert.equal(fourth.json.error.code, 'rate_limited');
      const retry = Number(fourth.headers.get('retry-after'));
      assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After ${fourth.headers.get('retry-after')}`);
      assert.match(fourth.headers.get('cache-control') ?? '', /no-store/);
      const [{ n }] = (await portal.db.query('SELECT count(*)::int AS n FROM outbox_item')) as { n: number }[];
      assert.equal(n, 3);
      // Reads are not writes: the session can still read.
      assert.equal((await b.get('/api/messages')).status, 200);
    });
  });

  describe('LAUNCH_LIMIT_PER_MINUTE=3', () => {
    let portal: TestPortal;
    before(async () => {
      portal = await startTestPortal({ env: { LAUNCH_LIMIT_PER_MINUTE: '3' } });
    });
    after(async () => portal?.stop());

    it('the fourth /launch from one address in a minute answers 429 with Retry-After', async () => {
      const url = `${portal.url}/launch?iss=${encodeURIComponent(`${portal.url}/sandbox/fhir`)}&launch=abc`;
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i++) {
        last = await fetch(url, { redirect: 'manual' });
        await last.arrayBuffer();
        statuses.push(last.status);
      }
      assert.ok(statuses.slice(0, 3).every((s) => s !== 429), `first three: ${statuses.join(', ')}`);
      assert.equal(statuses[3], 429);
      assert.ok(Number(last!.headers.get('retry-after')) >= 1);
    });
  });
});
