import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestBrowser } from '../helpers/browser.js';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';

describe('SMART launch against the sandbox EHR (real HTTP, real PostgreSQL)', function () {
  this.timeout(120_000);
  let portal: TestPortal;

  before(async () => {
    portal = await startTestPortal();
  });
  after(async () => portal?.stop());

  it('EHR launch signs a patient in, with the patient and viewer from the token', async () => {
    const b = new TestBrowser(portal.url);
    const s = await b.launch('maria-lopez');
    assert.equal(s.patient.id, 'maria-lopez');
    assert.equal(s.viewer.kind, 'patient');
    assert.equal(s.viewer.id, 'maria-lopez');
    assert.match(String(s.patient.name), /Maria/);
    assert.ok(s.csrfToken.length >= 40);
    assert.ok((s.scopes as string[]).some((x) => x.startsWith('patient/Communication')));
    assert.ok(b.trail.some((t) => t.startsWith('GET /callback -> 302')));
    // The session cookie is HttpOnly; the tokens never reach the browser.
    assert.ok(!JSON.stringify(s).includes('access_token'));
    // The EHR's smart_style_url colours were read at sign-in and reach the page theme.
    const theme = await b.request('/theme.css');
    assert.match(await theme.text(), /#1b6fa8/i);
  });

  it('EHR launch for a proxy knows who is viewing and for whom', async () => {
    const b = new TestBrowser(portal.url);
    const s = await b.launch('emma-nguyen', 'rp-linh-nguyen');
    assert.equal(s.patient.id, 'emma-nguyen');
    assert.equal(s.viewer.kind, 'proxy');
    assert.equal(s.viewer.id, 'rp-linh-nguyen');
    assert.match(String(s.viewer.name), /Linh/);
  });

  it('standalone launch through the sandbox patient picker works for a patient and a proxy', async () => {
    for (const [patient, user, kind] of [
      ['james-carter', undefined, 'patient'],
      ['robert-okafor', 'rp-grace-okafor', 'proxy'],
    ] as const) {
      const b = new TestBrowser(portal.url);
      const iss = `${portal.url}/sandbox/fhir`;
      let res = await b.follow(`/launch?iss=${encodeURIComponent(iss)}`);
      const page = await res.text();
      assert.equal(res.status, 200, b.trail.join(' | '));
      const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
      assert.ok(action, 'picker form');
      const form = new URLSearchParams({ patient, ...(user ? { user } : {}), mfa: '1' });
      res = await b.request(new URL(action.replace(/&amp;/g, '&'), portal.url).toString(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
      const loc = res.headers.get('location');
      assert.ok(loc, `picker answered ${res.status}`);
      res = await b.follow(new URL(loc, portal.url).toString());
      const s = await b.get('/api/session');
      assert.equal(s.status, 200, b.trail.join(' | '));
      assert.equal(s.json.patient.id, patient);
      assert.equal(s.json.viewer.kind, kind);
    }
  });

  it('two launches in one browser (two tabs) each complete: state is keyed, not one slot', async () => {
    const b = new TestBrowser(portal.url);
    const first = await b.request('/sandbox/launch?patient=maria-lopez');
    const second = await b.request('/sandbox/launch?patient=james-carter');
    const a1 = await b.request(first.headers.get('location')!);
    const a2 = await b.request(second.headers.get('location')!);
    // Finish the second tab first, then the first.
    const toPortal = (loc: URL) => loc.pathname === '/';
    const r2 = await b.follow(a2.headers.get('location')!, {}, toPortal);
    assert.equal(r2.status, 302, b.trail.join(' | '));
    assert.equal((await b.get('/api/session')).json.patient.id, 'james-carter');
    const r1 = await b.follow(a1.headers.get('location')!, {}, toPortal);
    assert.equal(r1.status, 302, b.trail.join(' | '));
    assert.equal((await b.get('/api/session')).json.patient.id, 'maria-lopez');
  });

  it('an unknown iss is refused before any request is made to it', async () => {
    let contacted = 0;
    const trap = createServer((_req, res) => {
      contacted++;
      res.end('{}');
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
    const iss = `http://127.0.0.1:${(trap.address() as AddressInfo).port}/fhir`;
    const b = new TestBrowser(portal.url);
    const res = await b.request(`/launch?iss=${encodeURIComponent(iss)}&launch=abc`);
    const body = await res.text();
    trap.close();
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    assert.match(body, /not set up to work with the system that opened it/);
    assert.equal(contacted, 0);
    assert.equal((await b.get('/api/session')).status, 401);
  });

  it('refuses a missing, unknown, reused or foreign-browser state, and leaves no session', async () => {
    const b = new TestBrowser(portal.url);
    assert.equal((await b.request('/callback?code=x')).status, 400);
    assert.equal((await b.request('/callback?code=x&state=nobody-issued-this')).status, 400);
    // A real state, used once, then replayed.
    const launch = await b.request('/sandbox/launch?patient=maria-lopez');
    const authorize = await b.request(launch.headers.get('location')!);
    let res = await b.request(authorize.headers.get('location')!);
    for (let hops = 0; res.status >= 300 && res.status < 400 && !new URL(res.headers.get('location')!, portal.url).pathname.startsWith('/callback'); hops++) {
      res = await b.request(new URL(res.headers.get('location')!, portal.url).toString());
    }
    const callback = new URL(res.headers.get('location')!, portal.url);
    // Another browser (no launch cookie) cannot finish it.
    const thief = new TestBrowser(portal.url);
    assert.equal((await thief.request(callback.pathname + callback.search)).status, 400);
    assert.equal((await thief.get('/api/session')).status, 401);
    // The thief's attempt did not spend it: the browser that started the sign-in finishes it, once.
    assert.equal((await b.request(callback.pathname + callback.search)).status, 302);
    assert.equal((await b.get('/api/session')).status, 200);
    assert.equal((await b.request(callback.pathname + callback.search)).status, 400, 'a state is good once');
  });

  it('refuses a callback whose state expired (10 minutes)', async () => {
    let offset = 0;
    const clocked = await startTestPortal({ clock: () => new Date(Date.now() + offset) });
    try {
      const b = new TestBrowser(clocked.url);
      const launch = await b.request('/sandbox/launch?patient=maria-lopez');
      const authorize = await b.request(launch.headers.get('location')!);
      offset = 11 * 60_000;
      const res = await b.follow(authorize.headers.get('location')!);
      const text = await res.text();
      assert.equal(res.status, 400);
      assert.match(text, /took too long/);
      assert.equal((await b.get('/api/session')).status, 401);
    } finally {
      await clocked.stop();
    }
  });

  it('an EHR that is down at the token step leaves a clear error and no session', async () => {
    const b = new TestBrowser(portal.url);
    const launch = await b.request('/sandbox/launch?patient=maria-lopez');
    const authorize = await b.request(launch.headers.get('location')!);
    portal.sandbox!.faults.down = true;
    try {
      const res = await b.follow(authorize.headers.get('location')!);
      // Said as an outage, with when to try again: not as a failed sign-in to retry at once.
      assert.equal(res.status, 503);
      const text = await res.text();
      assert.match(text, /Sandbox EHR is not answering right now/);
      assert.match(text, /in a few minutes/);
      assert.match(text, /signin_ehr_unavailable/);
    } finally {
      portal.sandbox!.faults.down = false;
    }
    assert.equal((await b.get('/api/session')).status, 401);
  });

  it('the patient comes only from the token: other ids in query, body and path change nothing', async () => {
    const b = new TestBrowser(portal.url);
    await b.launch('maria-lopez');
    for (const path of ['/api/results?patient=james-carter', '/api/messages?subject=Patient/james-carter', '/api/documents?patient=james-carter', '/api/summary?patient=james-carter']) {
      const r = await b.get(path);
      assert.equal(r.status, 200, path);
      assert.ok(!r.text.includes('james-carter') && !r.text.includes('Carter'), `${path} leaked another patient`);
    }
    const foreign = await b.get('/api/results/nonexistent-or-foreign');
    assert.equal(foreign.status, 404);
  });

  it('logout revokes and ends the session; the old cookie no longer works', async () => {
    const b = new TestBrowser(portal.url);
    await b.launch('maria-lopez');
    const cookies = new Map(b.jar);
    const noCsrf = await b.request('/logout', { method: 'POST', headers: { accept: 'application/json' } });
    assert.equal(noCsrf.status, 403);
    const out = await b.post('/logout', {});
    assert.equal(out.status, 200);
    assert.equal(out.json.revoked, true);
    assert.equal((await b.get('/api/session')).status, 401);
    const replay = new TestBrowser(portal.url);
    for (const [k, v] of cookies) replay.jar.set(k, v);
    const r = await replay.get('/api/session');
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'session_ended');
  });
});
