import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import * as oidc from 'openid-client';
import { exportJWK, generateKeyPair } from 'jose';
import { createLogger } from '../../../src/log.js';
import { createSandbox, type Sandbox, type SandboxExtraOptions, type SandboxOptions } from '../../../src/sandbox/index.js';

export const FIXTURE_SEED = fileURLToPath(new URL('./fixtures/seed', import.meta.url));
export const SECRET = 'test-only-secret-value-0123456789';

export interface Harness {
  origin: string;
  issuer: string;
  fhirBase: string;
  redirectUri: string;
  sandbox: Sandbox;
  clock: { ms: number };
  es384: { privateKey: CryptoKey; kid: string };
  close(): Promise<void>;
}

/** A tiny Koa app on a free port that mounts only the sandbox middleware. */
export async function startHarness(extra: Partial<SandboxOptions & SandboxExtraOptions> = {}): Promise<Harness> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const redirectUri = `${origin}/callback`;
  const clock = { ms: Date.now() };
  const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
  const kid = 'es384-test';
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES384', use: 'sig' };
  const sandbox = await createSandbox({
    publicUrl: origin,
    appLaunchUrl: `${origin}/launch`,
    clients: [
      { clientId: 'portal', clientSecret: SECRET, redirectUris: [redirectUri], tokenEndpointAuthMethod: 'client_secret_basic' },
      { clientId: 'portal-jwt', jwks: { keys: [publicJwk as JsonWebKey] }, redirectUris: [redirectUri], tokenEndpointAuthMethod: 'private_key_jwt' },
      { clientId: 'backend', clientSecret: SECRET, redirectUris: [], tokenEndpointAuthMethod: 'client_secret_post', grantTypes: ['client_credentials'] },
    ],
    seedDirs: [FIXTURE_SEED],
    logger: createLogger({ level: 'silent' }),
    now: () => new Date(clock.ms),
    projectSeed: false,
    ...extra,
  });
  const app = new Koa();
  app.use(sandbox.middleware);
  app.use((ctx) => {
    ctx.status = 418;
    ctx.body = 'not sandbox';
  });
  server.on('request', app.callback());
  return {
    origin,
    issuer: `${origin}/sandbox/auth`,
    fhirBase: `${origin}/sandbox/fhir`,
    redirectUri,
    sandbox,
    clock,
    es384: { privateKey, kid },
    async close() {
      await sandbox.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function secretClient(h: Harness): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(h.issuer), 'portal', {}, oidc.ClientSecretBasic(SECRET), {
    execute: [oidc.allowInsecureRequests],
  });
}

export async function jwtClient(h: Harness): Promise<oidc.Configuration> {
  return oidc.discovery(
    new URL(h.issuer),
    'portal-jwt',
    {},
    oidc.PrivateKeyJwt({ key: h.es384.privateKey, kid: h.es384.kid }),
    { execute: [oidc.allowInsecureRequests] },
  );
}

/** Follows redirects by hand with a cookie jar until the browser would land on `stopAt`. */
export async function browse(start: string, stopAt: string, init: RequestInit = {}): Promise<{ url: string; jar: Map<string, string> }> {
  const jar = new Map<string, string>();
  // Cookies the caller already holds (e.g. from the authorization request) stay in the jar.
  for (const pair of (new Headers(init.headers).get('cookie') ?? '').split('; ').filter(Boolean)) {
    const i = pair.indexOf('=');
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
  let url = start;
  let req: RequestInit = init;
  for (let hops = 0; hops < 15; hops++) {
    if (url.startsWith(stopAt)) return { url, jar };
    const headers = new Headers(req.headers);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...req, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    const location = res.headers.get('location');
    if (!location) {
      const body = await res.text();
      throw new Error(`no redirect from ${new URL(url).pathname}: ${res.status} ${body.slice(0, 200)}`);
    }
    await res.arrayBuffer().catch(() => undefined);
    url = new URL(location, url).href;
    req = {};
  }
  throw new Error('too many redirects');
}

export interface LaunchResult {
  tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  config: oidc.Configuration;
}

/** EHR launch: /sandbox/launch → app launch URL → authorize (echoing launch) → code → token. */
export async function ehrLaunch(
  h: Harness,
  launchQuery: string,
  scope = 'openid fhirUser launch offline_access patient/*.rs patient/Communication.crs patient/Binary.cr',
  config?: oidc.Configuration,
): Promise<LaunchResult> {
  const cfg = config ?? (await secretClient(h));
  const launchRes = await fetch(`${h.origin}/sandbox/launch?${launchQuery}`, { redirect: 'manual' });
  if (launchRes.status !== 302) throw new Error(`launch answered ${launchRes.status}`);
  const appUrl = new URL(launchRes.headers.get('location')!);
  const launch = appUrl.searchParams.get('launch')!;
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const authUrl = oidc.buildAuthorizationUrl(cfg, {
    redirect_uri: h.redirectUri,
    scope,
    state,
    launch,
    aud: appUrl.searchParams.get('iss')!,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const { url } = await browse(authUrl.href, h.redirectUri);
  const tokens = await oidc.authorizationCodeGrant(cfg, new URL(url), { pkceCodeVerifier: verifier, expectedState: state });
  return { tokens, config: cfg };
}

export async function fhirGet(h: Harness, token: string, path: string, accept = 'application/fhir+json'): Promise<Response> {
  return fetch(`${h.fhirBase}/${path}`, { headers: { authorization: `Bearer ${token}`, accept } });
}
