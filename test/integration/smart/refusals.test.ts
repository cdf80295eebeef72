import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestBrowser } from '../helpers/browser.js';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';
import type { SessionSecrets } from '../../../src/smart/sessions.js';
import type { PendingAuthorization } from '../../../src/smart/auth-requests.js';
import { sha256 } from '../../../src/smart/hash.js';

/** Walks a sandbox launch up to (not into) the portal's callback; returns the callback URL. */
async function untilCallback(b: TestBrowser, patient = 'maria-lopez', extra = ''): Promise<URL> {
  let res = await b.request(`/sandbox/launch?patient=${patient}${extra}`);
  for (let hops = 0; hops < 12; hops++) {
    const loc = new URL(res.headers.get('location')!, b.base);
    if (loc.pathname === '/callback') return loc;
    await res.body?.cancel();
    res = await b.request(loc.toString());
  }
  throw new Error(`no callback: ${b.trail.join(' | ')}`);
}

describe('SMART sign-in refusals and session lifetime (sandbox EHR, real HTTP)', function () {
  this.timeout(120_000);
  let portal: TestPortal;
  let offset = 0;

  before(async () => {
    portal = await startTestPortal({ clock: () => new Date(Date.now() + offset) });
  });
  after(async () => portal?.stop());
  afterEach(() => {
    portal.sandbox!.faults.idToken = 'valid';
    portal.sandbox!.faults.accessTokenTtlSeconds = 3600;
    offset = 0;
  });

  for (const fault of ['wrong-aud', 'wrong-iss', 'bad-signature', 'expired'] as const) {
    it(`refuses an id_token with ${fault}, with a clear page and no session`, async () => {
      portal.sandbox!.faults.idToken = fault;
      const b = new TestBrowser(portal.url);
      const cb = await untilCallback(b);
      const res = await b.request(cb.pathname + cb.search, { headers: { accept: 'text/html' } });
      assert.equal(res.status, 401);
      assert.match(await res.text(), /could not complete your sign-in/);
      assert.equal((await b.get('/api/session')).status, 401);
    });
  }

  it('refuses a token exchange with the wrong PKCE verifier', async () => {
    const b = new TestBrowser(portal.url);
    const launch = await b.request('/sandbox/launch?patient=maria-lopez');
    const authorize = new URL((await b.request(launch.headers.get('location')!)).headers.get('location')!);
    const state = authorize.searchParams.get('state')!;
    // Swap the stored verifier for another one: the EHR must refuse the code.
    const [row] = (await portal.db.query('SELECT payload FROM auth_request WHERE state_hash = $1', [sha256(state)])) as { payload: string }[];
    const pending = await portal.services.cipher.decryptJson<PendingAuthorization>(row!.payload);
    const swapped = await portal.services.cipher.encryptJson({ ...pending, codeVerifier: 'x'.repeat(64) });
    await portal.db.query('UPDATE auth_request SET payload = $1 WHERE state_hash = $2', [swapped, sha256(state)]);
    const res = await b.follow(authorize.toString(), {}, (loc) => loc.pathname === '/');
    assert.equal(res.status, 401, b.trail.join(' | '));
    assert.equal((await b.get('/api/session')).status, 401);
  });

  it('a callback URL replayed in another browser is refused there, and does not spoil the sign-in of the browser that started it', async () => {
    const mine = new TestBrowser(portal.url);
    const cb = await untilCallback(mine);
    const thief = new TestBrowser(portal.url);
    const stolen = await thief.request(cb.pathname + cb.search, { headers: { accept: 'application/json' } });
    assert.equal(stolen.status, 400);
    assert.equal((await stolen.json()).error.code, 'state_invalid');
    assert.equal((await thief.get('/api/session')).status, 401);
    const res = await mine.request(cb.pathname + cb.search);
    assert.equal(res.status, 302, 'the sign-in completes in the browser that started it');
    assert.equal((await mine.get('/api/session')).status, 200);
    // And is good once.
    assert.equal((await mine.request(cb.pathname + cb.search, { headers: { accept: 'application/json' } })).status, 400);
  });

  it('an error the EHR sends back, whatever its text, is a clear refusal and an audited failure', async () => {
    for (const [error, code] of [['access_denied', 'ehr_access_denied'], ['<script>alert(1)</script>', 'ehr_other']] as const) {
      const b = new TestBrowser(portal.url);
      const cb = await untilCallback(b);
      const refused = new URL(cb);
      refused.searchParams.delete('code');
      refused.searchParams.set('error', error);
      const res = await b.request(refused.pathname + refused.search, { headers: { accept: 'application/json' } });
      assert.equal(res.status, 401, error);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'signin_refused');
      assert.doesNotMatch(body.error.message, /script/);
      const [last] = (await portal.db.query(`SELECT decision FROM audit_entry WHERE action = 'signin_failed' ORDER BY seq DESC LIMIT 1`)) as { decision: string }[];
      assert.equal(last?.decision, code);
    }
  });

  it('refuses a reused authorization code', async () => {
    const b = new TestBrowser(portal.url);
    const cb = await untilCallback(b);
    assert.equal((await b.request(cb.pathname + cb.search)).status, 302);
    // Same code again with a fresh state of this browser: the EHR refuses a code used once.
    const again = await untilCallback(b);
    const replay = new URL(again);
    replay.searchParams.set('code', cb.searchParams.get('code')!);
    const res = await b.request(replay.pathname + replay.search);
    assert.equal(res.status, 401);
  });

  it('ends an idle session after 15 minutes and says why', async () => {
    const b = new TestBrowser(portal.url);
    await b.launch('maria-lopez');
    offset = 16 * 60_000;
    const r = await b.get('/api/session');
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'session_idle');
    assert.match(r.json.error.action, /Anything you were writing is kept/);
    // Never signed in here (or signed out, which clears drafts): nothing is promised.
    const none = await new TestBrowser(portal.url).get('/api/session');
    assert.equal(none.json.error.code, 'session_required');
    assert.doesNotMatch(none.json.error.action, /kept/);
  });

  it('refreshes an expiring access token, storing the rotated refresh token', async () => {
    portal.sandbox!.faults.accessTokenTtlSeconds = 30; // inside the 60 s refresh margin
    const b = new TestBrowser(portal.url);
    await b.launch('maria-lopez');
    const key = (await portal.db.query('SELECT id_hash FROM portal_session ORDER BY created_at DESC LIMIT 1'))[0].id_hash as string;
    const before = await secretsOf(portal, key);
    assert.equal((await b.get('/api/appointments')).status, 200);
    const after = await secretsOf(portal, key);
    assert.notEqual(after.refreshToken, before.refreshToken);
    assert.notEqual(after.accessToken, before.accessToken);
  });

  it('a refresh answered with a broken id_token (no usable aud) still refreshes: identity was settled at sign-in', async () => {
    portal.sandbox!.faults.accessTokenTtlSeconds = 30;
    const b = new TestBrowser(portal.url);
    await b.launch('maria-lopez');
    const key = (await portal.db.query('SELECT id_hash FROM portal_session ORDER BY created_at DESC LIMIT 1'))[0].id_hash as string;
    const before = await secretsOf(portal, key);
    portal.sandbox!.faults.idToken = 'wrong-aud';
    assert.equal((await b.get('/api/appointments')).status, 200);
    assert.notEqual((await secretsOf(portal, key)).accessToken, before.accessToken);
  });

  it('a refused refresh ends the session cleanly', async () => {
    portal.sandbox!.faults.accessTokenTtlSeconds = 30;
    const b = new TestBrowser(portal.url);
    await b.launch('maria-lopez');
    const key = (await portal.db.query('SELECT id_hash FROM portal_session ORDER BY created_at DESC LIMIT 1'))[0].id_hash as string;
    const secrets = await secretsOf(portal, key);
    // Rotate the refresh token behind the session's back: its stored one is now spent.
    await portal.services.smartClients.get('sandbox')!.refresh(secrets.refreshToken!);
    const r = await b.get('/api/appointments');
    assert.equal(r.status, 401);
    assert.equal((await b.get('/api/session')).status, 401);
  });

  it('a clinician (Practitioner fhirUser) signs in as staff, not into the patient API', async () => {
    const b = new TestBrowser(portal.url);
    const cb = await untilCallback(b, 'james-carter', '&user=pr-chen');
    const res = await b.request(cb.pathname + cb.search);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/staff');
    const s = await b.get('/api/session');
    assert.equal(s.json.viewer.kind, 'staff');
    assert.equal((await b.get('/api/results')).status, 403);
  });
});

async function secretsOf(portal: TestPortal, key: string): Promise<SessionSecrets> {
  const row = (await portal.db.query('SELECT secrets FROM portal_session WHERE id_hash = $1', [key]))[0] as { secrets: string };
  return portal.services.cipher.decryptJson<SessionSecrets>(row.secrets);
}

describe('SMART registration with requireMfa', function () {
  this.timeout(120_000);
  let portal: TestPortal;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smart-config-'));
    cpSync('smart-config', dir, { recursive: true });
    const reg = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8'));
    writeFileSync(join(dir, 'sandbox.json'), JSON.stringify({ ...reg, requireMfa: true }));
    portal = await startTestPortal({ env: { SMART_CONFIG_DIR: dir } });
  });
  after(async () => portal?.stop());

  it('refuses a sign-in without a second factor and explains it', async () => {
    const b = new TestBrowser(portal.url);
    const cb = await untilCallback(b, 'maria-lopez', '&mfa=0');
    const res = await b.request(cb.pathname + cb.search, { headers: { accept: 'text/html' } });
    assert.equal(res.status, 401);
    assert.match(await res.text(), /second sign-in step/);
    assert.equal((await b.get('/api/session')).status, 401);
  });

  it('accepts the same sign-in with a second factor', async () => {
    const b = new TestBrowser(portal.url);
    const s = await b.launch('maria-lopez', undefined, { mfa: '1' });
    assert.equal(s.patient.id, 'maria-lopez');
  });
});
