import assert from 'node:assert/strict';
import { TestBrowser } from '../helpers/browser.js';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';

/** /metrics as a clinic's Prometheus scrapes it: loopback only without a token, bearer token with one. */
describe('/metrics', function () {
  this.timeout(60_000);

  describe('without METRICS_TOKEN', () => {
    let portal: TestPortal;
    before(async () => {
      portal = await startTestPortal({ env: { TRUST_PROXY: 'true' } });
    });
    after(async () => portal?.stop());

    it('answers the host itself, with route patterns and never the ids in a path', async () => {
      const b = new TestBrowser(portal.url);
      const s = await b.launch('maria-lopez');
      const thread = (await b.get<{ items: { id: string }[] }>('/api/messages')).json.items[0]!;
      assert.equal((await b.get(`/api/messages/${encodeURIComponent(thread.id)}`)).status, 200);
      const res = await fetch(`${portal.url}/metrics`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const text = await res.text();
      assert.match(text, /portal_http_request_duration_seconds_count\{[^}]*route="\/api\/messages\/:threadId"/);
      assert.match(text, /portal_fhir_request_duration_seconds_count\{/);
      assert.ok(!text.includes(thread.id), 'a thread id in the metrics');
      assert.ok(!text.includes(s.patient.id), 'a patient id in the metrics');
    });

    it('is not there for anyone else (a proxied address that is not loopback)', async () => {
      const res = await fetch(`${portal.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      assert.equal(res.status, 404);
      assert.doesNotMatch(await res.text(), /portal_/);
    });
  });

  describe('with METRICS_TOKEN', () => {
    const token = 'scrape-token-0123456789abcdef';
    let portal: TestPortal;
    before(async () => {
      portal = await startTestPortal({ env: { TRUST_PROXY: 'true', METRICS_TOKEN: token } });
    });
    after(async () => portal?.stop());

    it('refuses a missing or wrong token with a Bearer challenge', async () => {
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789abc', `Basic ${token}`, `Bearer ${token}x`]) {
        const res = await fetch(`${portal.url}/metrics`, { headers: authorization ? { authorization } : {} });
        assert.equal(res.status, 401, authorization ?? '(none)');
        assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="metrics"');
        assert.doesNotMatch(await res.text(), /portal_http/);
      }
    });

    it('answers the right token from any address', async () => {
      const res = await fetch(`${portal.url}/metrics`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.9' } });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /portal_http_request_duration_seconds/);
    });
  });
});
