import * as oidc from 'openid-client';
import { z } from 'zod';
import type { EhrRegistration } from '../config/registration.js';
import { isLoopbackUrl } from '../config/load-config.js';
import { AppError } from '../http/errors.js';
import type { SmartDiscovery, SmartConfiguration } from './discovery.js';
import type { ClientCredentials } from './client-keys.js';
import { FHIR_ID } from '../fhir/fhir-id.js';

/** Launch context the token response may carry (SMART App Launch §2.0.7 "launch context"). */
export const launchContextSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i, 'must be Bearer'),
  expires_in: z.number().int().positive().optional(),
  scope: z.string().default(''),
  refresh_token: z.string().optional(),
  id_token: z.string().optional(),
  patient: z.string().regex(FHIR_ID).optional(),
  encounter: z.string().optional(),
  need_patient_banner: z.boolean().optional(),
  smart_style_url: z.string().url().optional(),
  intent: z.string().optional(),
  tenant: z.string().optional(),
});
export type TokenSet = z.infer<typeof launchContextSchema>;

export interface IdClaims {
  sub: string;
  fhirUser?: string;
  amr?: string[];
  acr?: string;
}

/**
 * One EHR's SMART client: openid-client does every OAuth/OIDC step (PKCE, state, nonce, token
 * exchange, id_token validation with signature checks against the EHR's jwks_uri).
 */
export class SmartClient {
  private configPromise?: Promise<oidc.Configuration>;
  private refreshConfigPromise?: Promise<oidc.Configuration>;

  constructor(
    readonly registration: EhrRegistration,
    private readonly discovery: SmartDiscovery,
    private readonly credentials: ClientCredentials,
    private readonly redirectUri: string,
    private readonly fetchImpl?: typeof fetch,
  ) {}

  get clientId(): string {
    return this.registration.auth.type === 'smart' ? this.registration.auth.clientId : '';
  }

  async smartConfiguration(): Promise<SmartConfiguration> {
    return this.discovery.get(this.registration.name, this.registration.fhirBaseUrl);
  }

  /** openid-client configuration built from the SMART configuration (not OIDC discovery: SMART servers may lack it). */
  async configuration(): Promise<oidc.Configuration> {
    if (!this.configPromise) {
      this.configPromise = this.build(this.fetchImpl).catch((e) => {
        this.configPromise = undefined;
        throw e;
      });
    }
    return this.configPromise;
  }

  private async build(fetchImpl: typeof fetch | undefined): Promise<oidc.Configuration> {
    const sc = await this.smartConfiguration();
    const server: oidc.ServerMetadata = {
      issuer: sc.issuer ?? this.registration.fhirBaseUrl,
      authorization_endpoint: sc.authorization_endpoint,
      token_endpoint: sc.token_endpoint,
      ...(sc.jwks_uri ? { jwks_uri: sc.jwks_uri } : {}),
      ...(sc.revocation_endpoint ? { revocation_endpoint: sc.revocation_endpoint } : {}),
      ...(sc.introspection_endpoint ? { introspection_endpoint: sc.introspection_endpoint } : {}),
      code_challenge_methods_supported: sc.code_challenge_methods_supported,
      // EHRs sign id_tokens with RS256, RS384 or ES384: accept what the EHR says it uses.
      ...(Array.isArray(sc.id_token_signing_alg_values_supported) ? { id_token_signing_alg_values_supported: sc.id_token_signing_alg_values_supported as string[] } : {}),
    };
    const config = new oidc.Configuration(server, this.clientId, { redirect_uris: [this.redirectUri] }, this.credentials.auth);
    // Verify id_token signatures against the EHR's keys, not only TLS.
    if (sc.jwks_uri) oidc.enableNonRepudiationChecks(config);
    if (fetchImpl) config[oidc.customFetch] = fetchImpl as never;
    // Plain http only for loopback EHRs (development sandbox, local launcher); config refuses others.
    if ([sc.authorization_endpoint, sc.token_endpoint, this.registration.fhirBaseUrl].every((u) => u.startsWith('https://') || isLoopbackUrl(u))) {
      if (!sc.token_endpoint.startsWith('https://')) oidc.allowInsecureRequests(config);
    }
    return config;
  }

  async authorizationUrl(params: { scope: string; state: string; nonce: string; codeChallenge: string; launch?: string }): Promise<URL> {
    const config = await this.configuration();
    const p: Record<string, string> = {
      response_type: 'code',
      redirect_uri: this.redirectUri,
      scope: params.scope,
      state: params.state,
      nonce: params.nonce,
      aud: this.registration.fhirBaseUrl,
      code_challenge: params.codeChallenge,
      code_challenge_method: 'S256',
    };
    if (params.launch) p.launch = params.launch;
    return oidc.buildAuthorizationUrl(config, p);
  }

  async exchange(callbackUrl: URL, checks: { codeVerifier: string; state: string; nonce: string }): Promise<{ tokens: TokenSet; claims?: IdClaims }> {
    const config = await this.configuration();
    const res = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    return this.readTokens(res);
  }

  /**
   * Refresh, through its own configuration whose fetch drops any id_token from the response:
   * identity was settled at sign-in, and some EHRs send a refresh id_token without `aud`
   * (SMART.md, known traps) that must not fail the refresh.
   */
  async refresh(refreshToken: string): Promise<{ tokens: TokenSet; claims?: IdClaims }> {
    this.refreshConfigPromise ??= this.build(dropIdToken(this.fetchImpl ?? fetch)).catch((e) => {
      this.refreshConfigPromise = undefined;
      throw e;
    });
    return this.readTokens(await oidc.refreshTokenGrant(await this.refreshConfigPromise, refreshToken));
  }

  async revoke(token: string, hint: 'access_token' | 'refresh_token'): Promise<boolean> {
    const config = await this.configuration();
    if (!config.serverMetadata().revocation_endpoint) return false;
    await oidc.tokenRevocation(config, token, { token_type_hint: hint });
    return true;
  }

  private readTokens(res: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): { tokens: TokenSet; claims?: IdClaims } {
    const parsed = launchContextSchema.safeParse(res);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.') ?? '?';
      throw new AppError(502, 'ehr_token_invalid', `${this.registration.name} sent an unusable sign-in response (${field}).`, { expose: true, action: 'Please launch the app again from your patient portal.' });
    }
    const c = res.claims();
    const claims: IdClaims | undefined = c
      ? {
          sub: String(c.sub),
          ...(typeof c.fhirUser === 'string' ? { fhirUser: c.fhirUser } : {}),
          ...(Array.isArray(c.amr) ? { amr: c.amr.map(String) } : {}),
          ...(typeof c.acr === 'string' ? { acr: c.acr } : {}),
        }
      : undefined;
    return { tokens: parsed.data, ...(claims ? { claims } : {}) };
  }
}

/** A fetch that removes `id_token` from JSON token responses (used for refresh only). */
function dropIdToken(base: typeof fetch): typeof fetch {
  return async (input, init) => {
    const res = await base(input, init);
    if (!res.ok || !(res.headers.get('content-type') ?? '').includes('json')) return res;
    const body = (await res.json()) as Record<string, unknown>;
    delete body.id_token;
    const headers = new Headers(res.headers);
    headers.delete('content-length');
    return new Response(JSON.stringify(body), { status: res.status, headers });
  };
}
