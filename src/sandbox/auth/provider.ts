import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';
import Provider, { interactionPolicy } from 'oidc-provider';
import type { KoaContextWithOIDC, OidcToken } from 'oidc-provider';
import type { FaultSettings, SandboxClient } from '../types.js';
import type { GrantContext } from './launch-store.js';
import { supportedScopes } from './smart-scopes.js';

export interface ProviderDeps {
  /** `${publicUrl}/sandbox/auth` */
  issuer: string;
  /** Path of the interaction pages, e.g. /sandbox/auth/interaction */
  interactionPath: string;
  clients: SandboxClient[];
  faults: FaultSettings;
  grants: Map<string, GrantContext>;
  smartStyleUrl: string;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

function clientMetadata(c: SandboxClient): Record<string, unknown> {
  const grantTypes = c.grantTypes ?? ['authorization_code', 'refresh_token'];
  return {
    client_id: c.clientId,
    ...(c.clientSecret ? { client_secret: c.clientSecret } : {}),
    ...(c.jwks ? { jwks: c.jwks } : {}),
    redirect_uris: c.redirectUris,
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    grant_types: grantTypes,
    // A backend-services-only client has no front channel.
    response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
  };
}

function signingKey(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

/**
 * The login prompt always runs for a new authorization request: the sandbox signs in whoever the
 * launch (or the picker form) names, never a user left over in the browser session.
 */
function interactionPolicyForSandbox() {
  const { Check, base } = interactionPolicy;
  const policy = base();
  policy.get('login')?.checks.add(
    new Check('sandbox_sign_in', 'the sandbox signs in the launch user', (ctx) =>
      ctx.oidc.result?.login ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT,
    ),
    0,
  );
  return policy;
}

/**
 * OIDC Core 11 keeps offline_access only with prompt=consent; SMART apps do not send it, and the
 * sandbox consents for registered clients anyway. Applied to the authorization request URL
 * (relative to the provider mount) before the provider sees it.
 */
export function withConsentForOfflineAccess(url: string): string {
  const [path, query] = url.split('?', 2);
  if (path !== '/auth' || query === undefined) return url;
  const q = new URLSearchParams(query);
  if (!q.get('scope')?.split(' ').includes('offline_access') || q.has('prompt')) return url;
  q.set('prompt', 'consent');
  return `${path}?${q.toString()}`;
}

/**
 * Fault injection for clients' id_token checks (as the public SMART launcher simulates errors):
 * a token for another audience or issuer, already expired (all validly signed with the provider's
 * own key), or with a broken signature.
 */
async function tamperIdToken(token: string, fault: FaultSettings['idToken'], key: Record<string, unknown>): Promise<string> {
  const [h, p, sig] = token.split('.') as [string, string, string];
  if (fault === 'bad-signature') return `${h}.${p}.${sig.slice(0, -4)}${sig.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  if (fault === 'wrong-aud') claims.aud = 'some-other-client';
  if (fault === 'wrong-iss') claims.iss = 'https://evil.example/auth';
  if (fault === 'expired') {
    claims.iat = now - 7200;
    claims.exp = now - 3600;
  }
  const privateKey = await importJWK(key as JWK, 'RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: String(key.kid), typ: 'JWT' }).sign(privateKey);
}

export function createProvider(deps: ProviderDeps): Provider {
  const { faults, grants } = deps;
  const key = signingKey();
  const provider = new Provider(deps.issuer, {
    clients: deps.clients.map(clientMetadata),
    jwks: { keys: [key] },
    cookies: { keys: [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')] },
    scopes: supportedScopes(),
    // amr rides with openid so MFA can be checked from the id_token (the sandbox sets it per launch).
    claims: { acr: null, amr: null, auth_time: null, sid: null, iss: null, openid: ['sub', 'amr', 'auth_time'], fhirUser: ['fhirUser'] },
    // SMART wants fhirUser in the id_token itself, not only at userinfo.
    conformIdTokenClaims: false,
    extraParams: ['launch', 'aud'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    enabledJWA: {
      clientAuthSigningAlgValues: ['RS256', 'RS384', 'PS384', 'ES256', 'ES384'],
      idTokenSigningAlgValues: ['RS256'],
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Any registered confidential client may introspect (it acts as a resource server).
        allowedPolicy: (_ctx: unknown, client: { clientAuthMethod: string }) => client.clientAuthMethod !== 'none',
      },
      revocation: {
        enabled: true,
        // A client may revoke only its own tokens (RFC 7009 §2.1).
        allowedPolicy: (_ctx: unknown, client: { clientId: string }, token: { clientId: string }) =>
          token.clientId === client.clientId,
      },
      resourceIndicators: { enabled: false },
      userinfo: { enabled: true },
    },
    findAccount: (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: () => ({ sub, fhirUser: sub }),
    }),
    // Stored on the access token, so introspection and the FHIR server see the launch context.
    extraTokenClaims: (_ctx: unknown, token: OidcToken) => {
      const g = token.grantId ? grants.get(token.grantId) : undefined;
      return g ? { patient: g.patient, fhirUser: g.fhirUser } : undefined;
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `${deps.interactionPath}/${interaction.uid}`,
      policy: interactionPolicyForSandbox(),
    },
    // Every refresh returns a new refresh token and consumes the old one.
    rotateRefreshToken: () => true,
    issueRefreshToken: (
      _ctx: unknown,
      client: { grantTypeAllowed(g: string): boolean },
      code: { scopes: Set<string> },
    ) =>
      client.grantTypeAllowed('refresh_token') && (code.scopes.has('offline_access') || code.scopes.has('online_access')),
    ttl: {
      AccessToken: () => faults.accessTokenTtlSeconds,
      ClientCredentials: () => faults.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: HOUR,
      Interaction: HOUR,
      RefreshToken: 14 * DAY,
      Session: DAY,
      Grant: 14 * DAY,
    },
    renderError: (ctx: KoaContextWithOIDC, out: { error: string }) => {
      ctx.type = 'text/plain';
      ctx.body = `Sign-in failed: ${out.error}`;
    },
  });

  provider.use(async (ctx, next) => {
    await next();
    // Token responses carry the SMART launch context of the grant (oidc-provider adds no custom fields).
    const oidcCtx = ctx as unknown as KoaContextWithOIDC;
    if (oidcCtx.oidc?.route !== 'token' || ctx.status !== 200) return;
    const body = ctx.body as Record<string, unknown> | undefined;
    const grantId = oidcCtx.oidc.entities.AccessToken?.grantId;
    const g = grantId ? grants.get(grantId) : undefined;
    if (!body || typeof body.access_token !== 'string' || !g) return;
    const idToken = typeof body.id_token === 'string' && faults.idToken !== 'valid' ? await tamperIdToken(body.id_token, faults.idToken, key) : body.id_token;
    ctx.body = { ...body, ...(idToken ? { id_token: idToken } : {}), patient: g.patient, need_patient_banner: true, smart_style_url: deps.smartStyleUrl };
  });

  return provider;
}
