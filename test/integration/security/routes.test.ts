import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';
import { TestBrowser } from '../helpers/browser.js';
import { addReportWithForm, apiLinks, mountedRoutes, pdfWith, smartConfigWithFrameAncestors, waitAllDelivered, type RouteInfo } from './support.js';

/**
 * The route tables, checked route by route: the lists come from the mounted routers, so a route
 * added tomorrow is checked without editing this file (and fails here until it is audited,
 * no-store and CSRF-guarded).
 */
const PATIENT = 'robert-okafor';
const STAFF_USER = 'pr-chen';
const FRAMING_ORIGIN = 'https://portal.riverside.example';
/** GET /api routes that carry no PHI, so no audit entry: who is signed in, and the message form's settings. */
const NOT_PHI = new Set(['/api/session', '/api/messaging-options']);
/**
 * Writes that no browser session authorises, so a forged cross-site request has no ambient
 * credential to ride on: the open-server patient pick (bound to the browser by the launch cookie)
 * and the EHR's rest-hook (a bearer secret, server to server).
 */
const NOT_COOKIE_AUTHENTICATED = new Set(['/launch/open', '/hooks/fhir/:ehrId']);

interface Call {
  route: RouteInfo;
  url: string;
  status: number;
  cacheControl: string;
  requestId: string;
}

function directive(csp: string, name: string): string[] {
  const d = csp.split(';').map((x) => x.trim()).find((x) => x.startsWith(`${name} `));
  return d ? d.split(/\s+/).slice(1) : [];
}

describe('security, route by route: audit, no-store, CSRF and headers on every mounted route', function () {
  this.timeout(180_000);
  let portal: TestPortal;
  let configDir: string;
  let patient: TestBrowser;
  let otherPatient: TestBrowser;
  let staff: TestBrowser;
  let routes: RouteInfo[];
  const calls: Call[] = [];

  before(async () => {
    configDir = smartConfigWithFrameAncestors([FRAMING_ORIGIN]);
    portal = await startTestPortal({ env: { SMART_CONFIG_DIR: configDir } });
    routes = mountedRoutes(portal);
    await addReportWithForm(portal, PATIENT);
    patient = new TestBrowser(portal.url);
    otherPatient = new TestBrowser(portal.url);
    staff = new TestBrowser(portal.url);
    await patient.launch(PATIENT);
    await otherPatient.launch('maria-lopez');
    const st = await staff.launch(PATIENT, STAFF_USER);
    assert.equal(st.viewer.kind, 'staff');

    // A message with an attachment, so the attachment route has something to serve.
    const form = new FormData();
    form.set('purpose', 'medication-question');
    form.set('subject', 'Photo of the rash');
    form.set('body', 'Attached.');
    form.set('attachments', new Blob([pdfWith('photo')], { type: 'application/pdf' }), 'photo.pdf');
    assert.equal((await patient.postForm('/api/messages', form)).status, 202);
    await waitAllDelivered(portal, 1);

    // Sample URLs: every /api link the API itself hands out, plus the ids its lists name.
    const samples = new Set<string>(['/api/summary', '/api/messages', '/api/appointments', '/api/results', '/api/documents', '/api/activity']);
    for (const list of [...samples]) apiLinks((await patient.get(list)).json, samples);
    for (const t of (await patient.get('/api/messages')).json.items as { id: string }[]) {
      samples.add(`/api/messages/${t.id}`);
      const thread = (await patient.get(`/api/messages/${t.id}`)).json as { messages: { id: string; attachments: unknown[] }[] };
      apiLinks(thread, samples);
      for (const m of thread.messages) m.attachments.forEach((_a, i) => samples.add(`/api/messages/${m.id}/attachments/${i}`));
    }
    for (const r of (await patient.get('/api/results')).json.items as { id: string }[]) {
      samples.add(`/api/results/${r.id}`);
      apiLinks((await patient.get(`/api/results/${r.id}`)).json, samples);
    }
    for (const a of (await patient.get('/api/appointments')).json.items as { id: string }[]) samples.add(`/api/appointments/${a.id}/calendar.ics`);

    for (const route of routes.filter((r) => r.method === 'GET' && r.path.startsWith('/api/') && !NOT_PHI.has(r.path))) {
      // A route without parameters is its own sample.
      const url = route.path.includes(':') ? [...samples].find((u) => route.match(u)) : route.path;
      if (!url) throw new Error(`no sample request for GET ${route.path}: teach this test where to find one`);
      const res = await patient.request(url, { headers: { accept: 'application/json' } });
      await res.arrayBuffer();
      calls.push({ route, url, status: res.status, cacheControl: res.headers.get('cache-control') ?? '', requestId: res.headers.get('x-request-id') ?? '' });
    }
  });
  after(async () => {
    await portal?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('finds the PHI routes of the JSON API in the mounted routers', () => {
    const paths = calls.map((c) => c.route.path);
    for (const p of ['/api/summary', '/api/messages/:threadId', '/api/messages/:messageId/attachments/:index', '/api/results/:id/form/:index', '/api/documents/:id/content', '/api/activity']) {
      assert.ok(paths.includes(p), `${p} enumerated`);
    }
  });

  it('every PHI GET under /api answers 200 and writes an audit entry for that very request', async () => {
    const problems: string[] = [];
    for (const c of calls) {
      if (c.status !== 200) {
        problems.push(`${c.route.path} (${c.url}) answered ${c.status}`);
        continue;
      }
      const rows = (await portal.db.query('SELECT patient_id, action FROM audit_entry WHERE request_id = $1', [c.requestId])) as { patient_id: string; action: string }[];
      if (!rows.some((r) => r.patient_id === PATIENT && r.action === 'read')) problems.push(`${c.route.path}: no audit entry for request ${c.requestId}`);
    }
    assert.deepEqual(problems, []);
  });

  it('every PHI response, and every error, is Cache-Control: no-store', async () => {
    assert.deepEqual(
      calls.filter((c) => !c.cacheControl.includes('no-store')).map((c) => `${c.route.path}: ${c.cacheControl}`),
      [],
    );
    const errors = [
      await patient.get('/api/results/no-such-report'),
      await patient.get('/api/no-such-route'),
      await new TestBrowser(portal.url).get('/api/summary'),
      await patient.get('/api/messages/x/attachments/9'),
    ];
    assert.deepEqual(errors.map((e) => e.status), [404, 404, 401, 404]);
    for (const e of errors) assert.match(e.headers.get('cache-control') ?? '', /no-store/);
  });

  it('every state-changing route refuses a request without the CSRF token, and with another session\'s token', async () => {
    const writes = routes.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && !NOT_COOKIE_AUTHENTICATED.has(r.path));
    assert.ok(writes.length >= 6, `${writes.length} write routes found`);
    const threadId = ((await patient.get('/api/messages')).json.items as { id: string }[])[0]!.id;
    const problems: string[] = [];
    for (const r of writes) {
      const browser = r.path.startsWith('/staff/') ? staff : patient;
      const url = r.path.replace(':threadId', threadId).replace(/:[A-Za-z]+/g, 'dr-ro-01');
      const json = r.path.startsWith('/api/') || r.path.startsWith('/staff/') || r.path === '/logout';
      for (const [label, token] of [
        ['no token', undefined],
        ["another session's token", otherPatient.session!.csrfToken],
      ] as const) {
        const res = await browser.request(url, {
          method: r.method,
          headers: { accept: 'application/json', 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded', ...(token ? { 'x-csrf-token': token } : {}) },
          body: json ? JSON.stringify({ body: 'x', reason: 'x' }) : new URLSearchParams({ body: 'x', reason: 'x', ...(token ? { _csrf: token } : {}) }).toString(),
        });
        const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
        if (res.status !== 403 || body.error?.code !== 'csrf_failed') problems.push(`${r.method} ${r.path} with ${label}: ${res.status} ${body.error?.code}`);
      }
    }
    assert.deepEqual(problems, []);
    // Still signed in: the refused logout did not end the session.
    assert.equal((await patient.get('/api/session')).status, 200);
  });

  it('a method a route does not take: 405 with Allow and the error shape; an unknown method: 501; a bad path parameter named', async () => {
    for (const [method, path] of [['DELETE', '/api/messages'], ['PUT', '/api/session'], ['PATCH', '/api/activity']] as const) {
      const res = await patient.request(path, { method, headers: { accept: 'application/json', 'x-csrf-token': patient.session!.csrfToken } });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.match(res.headers.get('allow') ?? '', /GET/);
      const body = (await res.json()) as { error: { code: string; correlationId: string } };
      assert.equal(body.error.code, 'method_not_allowed');
      assert.equal(body.error.correlationId, res.headers.get('x-request-id'));
      assert.match(res.headers.get('cache-control') ?? '', /no-store/);
    }
    // A path parameter that is not what the route takes is named as itself, not as "body".
    const bad = await patient.get('/api/results/any-report/form/abc');
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys(bad.json.error.fields), ['index']);
    const odd = await patient.request('/api/messages', { method: 'PROPFIND', headers: { accept: 'application/json' } });
    assert.equal(odd.status, 501);
    assert.equal(((await odd.json()) as { error: { code: string } }).error.code, 'method_not_implemented');
  });

  it('security headers: CSP without inline script and with the registered frame ancestor, nosniff, no-referrer, no HSTS on http loopback', async () => {
    const home = await patient.request('/', { headers: { accept: 'text/html' } });
    await home.arrayBuffer();
    assert.equal(home.status, 200);
    const api = await patient.get('/api/summary');
    for (const res of [home, api]) {
      const csp = res.headers.get('content-security-policy') ?? '';
      const scriptSrc = directive(csp, 'script-src');
      assert.ok(scriptSrc.length > 0, 'script-src present');
      assert.ok(!scriptSrc.includes("'unsafe-inline'") && !scriptSrc.includes("'unsafe-eval'"), csp);
      assert.ok(directive(csp, 'frame-ancestors').includes(FRAMING_ORIGIN), csp);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(res.headers.get('strict-transport-security'), null);
    }
  });
});
