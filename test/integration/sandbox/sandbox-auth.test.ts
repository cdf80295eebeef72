import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { Bundle } from 'fhir/r4.js';
import { browse, ehrLaunch, fhirGet, jwtClient, secretClient, startHarness, SECRET, type Harness } from './harness.js';

// SMART authorization server of the sandbox EHR (oidc-provider), driven by openid-client 6.
describe('sandbox EHR: SMART authorization server', function () {
  this.timeout(30_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('publishes SMART discovery and a CapabilityStatement with oauth-uris', async () => {
    const conf = (await (await fetch(`${h.fhirBase}/.well-known/smart-configuration`)).json()) as Record<string, unknown>;
    assert.equal(conf.issuer, h.issuer);
    assert.equal(conf.token_endpoint, `${h.issuer}/token`);
    assert.deepEqual(conf.code_challenge_methods_supported, ['S256']);
    assert.ok((conf.capabilities as string[]).includes('launch-ehr'));
    assert.ok((conf.token_endpoint_auth_methods_supported as string[]).includes('private_key_jwt'));
    const meta = (await (await fetch(`${h.fhirBase}/metadata`)).json()) as { rest: { security: { extension: { extension: { url: string; valueUri: string }[] }[] } }[] };
    const uris = meta.rest[0]!.security.extension[0]!.extension;
    assert.equal(uris.find((u) => u.url === 'authorize')?.valueUri, `${h.issuer}/auth`);
    const style = await fetch(`${h.origin}/sandbox/smart-style.json`);
    assert.equal(style.status, 200);
    assert.ok(typeof ((await style.json()) as { color_background?: string }).color_background === 'string');
  });

  it('EHR launch: token carries the launch context, fhirUser and amr', async () => {
    const launch = await fetch(`${h.origin}/sandbox/launch?patient=pat-a`, { redirect: 'manual' });
    const appUrl = new URL(launch.headers.get('location')!);
    assert.equal(appUrl.origin + appUrl.pathname, `${h.origin}/launch`);
    assert.equal(appUrl.searchParams.get('iss'), h.fhirBase);
    assert.ok((appUrl.searchParams.get('launch') ?? '').length >= 20);

    const { tokens } = await ehrLaunch(h, 'patient=pat-a');
    assert.equal(tokens.patient, 'pat-a');
    assert.equal(tokens.need_patient_banner, true);
    assert.equal(tokens.smart_style_url, `${h.origin}/sandbox/smart-style.json`);
    assert.ok(tokens.scope?.split(' ').includes('patient/Observation.rs') || tokens.scope?.split(' ').includes('patient/*.rs'));
    assert.ok(tokens.refresh_token);
    const claims = tokens.claims()!;
    assert.equal(claims.fhirUser, 'Patient/pat-a');
    assert.deepEqual(claims.amr, ['pwd', 'otp']);
  });

  it('mfa=0 gives amr ["pwd"]; a proxy launch signs in the RelatedPerson for the same patient', async () => {
    const single = await ehrLaunch(h, 'patient=pat-a&mfa=0');
    assert.deepEqual(single.tokens.claims()!.amr, ['pwd']);
    const proxy = await ehrLaunch(h, 'patient=pat-a&user=rp-a1');
    assert.equal(proxy.tokens.patient, 'pat-a');
    assert.equal(proxy.tokens.claims()!.fhirUser, 'RelatedPerson/rp-a1');
    const res = await fhirGet(h, proxy.tokens.access_token, 'Observation');
    assert.equal(((await res.json()) as Bundle).total, 3);
  });

  it('refuses a user who is not a proxy of the patient, and an unknown patient', async () => {
    const notProxy = await fetch(`${h.origin}/sandbox/launch?patient=pat-b&user=rp-a1`, { redirect: 'manual' });
    assert.equal(notProxy.status, 403);
    const unknown = await fetch(`${h.origin}/sandbox/launch?patient=nobody`, { redirect: 'manual' });
    assert.equal(unknown.status, 404);
    const invalid = await fetch(`${h.origin}/sandbox/launch?patient=${encodeURIComponent('a/b')}`, { redirect: 'manual' });
    assert.equal(invalid.status, 400);
    assert.ok(((await invalid.json()) as { fields: Record<string, string> }).fields.patient);
  });

  it('a launch code works once: a second authorization with it is denied', async () => {
    const cfg = await secretClient(h);
    const launch = new URL((await fetch(`${h.origin}/sandbox/launch?patient=pat-a`, { redirect: 'manual' })).headers.get('location')!).searchParams.get('launch')!;
    const authorize = async () => {
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(cfg, {
        redirect_uri: h.redirectUri, scope: 'openid launch patient/*.rs', state: oidc.randomState(), launch,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      return new URL((await browse(url.href, h.redirectUri)).url);
    };
    assert.ok((await authorize()).searchParams.get('code'));
    const second = await authorize();
    assert.equal(second.searchParams.get('error'), 'access_denied');
    assert.equal(second.searchParams.get('code'), null);
  });

  it('refuses an aud that is not the sandbox FHIR base', async () => {
    const cfg = await secretClient(h);
    const launch = new URL((await fetch(`${h.origin}/sandbox/launch?patient=pat-a`, { redirect: 'manual' })).headers.get('location')!).searchParams.get('launch')!;
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: h.redirectUri, scope: 'openid launch patient/*.rs', state: oidc.randomState(), launch, aud: 'https://evil.example/fhir',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const back = new URL((await browse(url.href, h.redirectUri)).url);
    assert.equal(back.searchParams.get('error'), 'access_denied');
  });

  it('deny=<scope> narrows the grant', async () => {
    const { tokens } = await ehrLaunch(h, 'patient=pat-a&deny=patient/Communication.crs');
    const scopes = tokens.scope!.split(' ');
    assert.ok(!scopes.includes('patient/Communication.crs'));
    assert.ok(scopes.includes('patient/*.rs'));
    const create = await fetch(`${h.fhirBase}/Communication`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Communication', status: 'completed', subject: { reference: 'Patient/pat-a' } }),
    });
    assert.equal(create.status, 403);
  });

  it('standalone launch: the picker form signs in the chosen patient', async () => {
    const cfg = await secretClient(h);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: h.redirectUri, scope: 'openid fhirUser launch/patient patient/*.rs', state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    // authorize → interaction page (HTML picker)
    const first = await fetch(url, { redirect: 'manual' });
    const interaction = new URL(first.headers.get('location')!, url).href;
    const cookies = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const page = await fetch(interaction, { headers: { cookie: cookies } });
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.match(html, /<form method="post"/);
    assert.match(html, /value="pat-b"/);
    assert.doesNotMatch(html, /<script/i);
    const { url: callback } = await browse(interaction, h.redirectUri, {
      method: 'POST',
      headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'patient=pat-b&mfa=1',
    });
    const tokens = await oidc.authorizationCodeGrant(cfg, new URL(callback), { pkceCodeVerifier: verifier, expectedState: state });
    assert.equal(tokens.patient, 'pat-b');
    assert.equal(tokens.claims()!.fhirUser, 'Patient/pat-b');
  });

  it('refuses a wrong PKCE verifier and a reused code; plain PKCE is refused', async () => {
    const cfg = await secretClient(h);
    const launchAndCode = async () => {
      const launch = new URL((await fetch(`${h.origin}/sandbox/launch?patient=pat-a`, { redirect: 'manual' })).headers.get('location')!).searchParams.get('launch')!;
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(cfg, {
        redirect_uri: h.redirectUri, scope: 'openid launch patient/*.rs', state, launch,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      return { callback: new URL((await browse(url.href, h.redirectUri)).url), verifier, state };
    };
    const a = await launchAndCode();
    await assert.rejects(
      oidc.authorizationCodeGrant(cfg, a.callback, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: a.state }),
      (e: { error?: string }) => e.error === 'invalid_grant',
    );
    const b = await launchAndCode();
    await oidc.authorizationCodeGrant(cfg, b.callback, { pkceCodeVerifier: b.verifier, expectedState: b.state });
    await assert.rejects(
      oidc.authorizationCodeGrant(cfg, b.callback, { pkceCodeVerifier: b.verifier, expectedState: b.state }),
      (e: { error?: string }) => e.error === 'invalid_grant',
    );
    const plain = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: h.redirectUri, scope: 'openid', state: 's', code_challenge: 'x'.repeat(43), code_challenge_method: 'plain',
    });
    const res = await fetch(plain, { redirect: 'manual' });
    assert.match(res.headers.get('location') ?? '', /error=invalid_request/);
    const none = oidc.buildAuthorizationUrl(cfg, { redirect_uri: h.redirectUri, scope: 'openid', state: 's' });
    assert.match((await fetch(none, { redirect: 'manual' })).headers.get('location') ?? '', /error=invalid_request/);
  });

  it('refresh rotates the refresh token and refuses the old one; context survives', async () => {
    const { tokens, config } = await ehrLaunch(h, 'patient=pat-a');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(refreshed.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    assert.equal(refreshed.patient, 'pat-a');
    assert.equal(refreshed.need_patient_banner, true);
    assert.equal((await fhirGet(h, refreshed.access_token, 'Patient/pat-a')).status, 200);
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (e: { error?: string }) => e.error === 'invalid_grant');
  });

  it('introspection reports the patient; revocation ends the access token', async () => {
    const { tokens, config } = await ehrLaunch(h, 'patient=pat-a');
    const info = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(info.active, true);
    assert.equal(info.patient, 'pat-a');
    assert.equal((await fhirGet(h, tokens.access_token, 'Patient/pat-a')).status, 200);
    await oidc.tokenRevocation(config, tokens.access_token);
    assert.equal((await fhirGet(h, tokens.access_token, 'Patient/pat-a')).status, 401);
    assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false);
  });

  it('an expired access token is refused (injected clock)', async () => {
    const { tokens } = await ehrLaunch(h, 'patient=pat-a');
    const saved = h.clock.ms;
    try {
      h.clock.ms += 2 * 3600 * 1000;
      const res = await fhirGet(h, tokens.access_token, 'Patient/pat-a');
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /invalid_token/);
      assert.equal(((await res.json()) as { resourceType: string }).resourceType, 'OperationOutcome');
    } finally {
      h.clock.ms = saved;
    }
  });

  it('short accessTokenTtlSeconds shortens expires_in', async () => {
    h.sandbox.faults.accessTokenTtlSeconds = 60;
    try {
      const { tokens } = await ehrLaunch(h, 'patient=pat-a');
      assert.ok(tokens.expires_in !== undefined && tokens.expires_in <= 60);
    } finally {
      h.sandbox.faults.accessTokenTtlSeconds = 3600;
    }
  });

  it('private_key_jwt with an ES384 key works', async () => {
    const cfg = await jwtClient(h);
    const { tokens } = await ehrLaunch(h, 'patient=pat-a', 'openid fhirUser launch patient/*.rs', cfg);
    assert.equal(tokens.patient, 'pat-a');
    assert.equal((await fhirGet(h, tokens.access_token, 'Observation')).status, 200);
  });

  it('client_credentials: system scopes search across patients, nothing else', async () => {
    const cfg = await oidc.discovery(new URL(h.issuer), 'backend', {}, oidc.ClientSecretPost(SECRET), { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.clientCredentialsGrant(cfg, { scope: 'system/Observation.rs' });
    assert.equal(tokens.patient, undefined);
    const res = await fhirGet(h, tokens.access_token, 'Observation?_lastUpdated=gt2000-01-01&_count=100');
    assert.equal(res.status, 200);
    const subjects = new Set(((await res.json()) as Bundle).entry!.map((e) => (e.resource as { subject?: { reference?: string } }).subject?.reference));
    assert.ok(subjects.has('Patient/pat-a') && subjects.has('Patient/pat-b'));
    assert.equal((await fhirGet(h, tokens.access_token, 'Patient/pat-a')).status, 403);
  });

  it('down refuses the token endpoint with 503', async () => {
    h.sandbox.faults.down = true;
    try {
      const cfg = await oidc.discovery(new URL(h.issuer), 'backend', {}, oidc.ClientSecretPost(SECRET), { execute: [oidc.allowInsecureRequests] });
      await assert.rejects(oidc.clientCredentialsGrant(cfg, { scope: 'system/Observation.rs' }));
      const raw = await fetch(`${h.issuer}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials' }) });
      assert.equal(raw.status, 503);
    } finally {
      h.sandbox.faults.down = false;
    }
  });
});
