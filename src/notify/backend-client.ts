import { importJWK, type JWK } from 'jose';
import * as oidc from 'openid-client';
import type { EhrRegistration } from '../config/registration.js';
import { isLoopbackUrl } from '../config/load-config.js';
import { ConfigError } from '../config/config-error.js';
import type { SmartDiscovery } from '../smart/discovery.js';
import { keyAlg, readJwksText, smartKeyJwt } from '../smart/client-keys.js';
import { FhirSession } from '../fhir/fhir-session.js';
import type { AppServices } from '../services.js';

/** The signing key of a Backend Services client (SMART Backend Services: asymmetric client auth). */
export interface BackendKey {
  clientId: string;
  alg: 'ES384' | 'RS384';
  kid: string;
  key: CryptoKey;
}

/** Read-only system scopes: what the change feed, reminders and the re-decision of results read. */
export const BACKEND_SCOPES = ['Communication', 'DiagnosticReport', 'Observation', 'DocumentReference', 'Appointment', 'Patient', 'RelatedPerson']
  .map((t) => `system/${t}.rs`)
  .join(' ');

/** Loads `changeDetection.backend` of a registration (not the sandbox: that key is generated at start). */
export async function configuredBackendKey(reg: EhrRegistration, env: NodeJS.ProcessEnv): Promise<BackendKey | undefined> {
  const b = reg.changeDetection.backend;
  if (!b) return undefined;
  const where = `smart-config/${reg.id}.json: changeDetection.backend.privateJwks`;
  const raw = readJwksText(b.privateJwks, env);
  if (!raw) throw new ConfigError(`${where}: missing or empty`);
  let keys: JWK[];
  try {
    keys = (JSON.parse(raw) as { keys?: JWK[] }).keys ?? [];
  } catch {
    throw new ConfigError(`${where}: not JSON`);
  }
  const jwk = keys.find((k) => k.d && k.kid && keyAlg(k) === b.alg);
  if (!jwk) throw new ConfigError(`${where}: no private ${b.alg} key with a kid`);
  return { clientId: b.clientId, alg: b.alg, kid: jwk.kid!, key: (await importJWK({ ...jwk, alg: b.alg }, b.alg)) as CryptoKey };
}

/**
 * client_credentials with a private_key_jwt assertion (openid-client), token cached until shortly
 * before it expires. The token never leaves this object and is never logged.
 */
export class BackendAuth {
  private config?: Promise<oidc.Configuration>;
  private cached?: { token: string; until: number };
  private pending?: Promise<string>;

  constructor(
    readonly registration: EhrRegistration,
    private readonly key: BackendKey,
    private readonly discovery: SmartDiscovery,
    private readonly clock: () => Date,
  ) {}

  async token(): Promise<string> {
    if (this.cached && this.clock().getTime() < this.cached.until) return this.cached.token;
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** After a 401: drop the cached token and get a new one. */
  async renew(): Promise<string | undefined> {
    this.cached = undefined;
    return this.token().catch(() => undefined);
  }

  private async fetchToken(): Promise<string> {
    const config = await this.configuration();
    const res = await oidc.clientCredentialsGrant(config, { scope: BACKEND_SCOPES });
    const lifetime = Math.max(10, (res.expires_in ?? 300) - 30) * 1000;
    this.cached = { token: res.access_token, until: this.clock().getTime() + lifetime };
    return res.access_token;
  }

  private configuration(): Promise<oidc.Configuration> {
    this.config ??= this.build().catch((e) => {
      this.config = undefined;
      throw e;
    });
    return this.config;
  }

  private async build(): Promise<oidc.Configuration> {
    const reg = this.registration;
    const sc = await this.discovery.get(reg.name, reg.fhirBaseUrl);
    const config = new oidc.Configuration({ issuer: sc.issuer ?? reg.fhirBaseUrl, token_endpoint: sc.token_endpoint }, this.key.clientId, {}, smartKeyJwt(this.key.key, this.key.kid));
    // Plain http only for a loopback EHR (the development sandbox); config refuses it elsewhere.
    if (!sc.token_endpoint.startsWith('https://') && isLoopbackUrl(sc.token_endpoint)) oidc.allowInsecureRequests(config);
    return config;
  }
}

/** FHIR reads with the backend token: pinned to one patient, or system-wide for the change feed. */
export class BackendFhir {
  constructor(
    private readonly s: AppServices,
    readonly auth: BackendAuth,
  ) {}

  get ehrId(): string {
    return this.auth.registration.id;
  }

  forPatient(patientId: string): FhirSession {
    return this.session(patientId);
  }

  /** No patient pinning: the system scope reads across patients (searchShared only). */
  system(): FhirSession {
    return this.session('');
  }

  private session(patientId: string): FhirSession {
    const reg = this.auth.registration;
    return new FhirSession({
      ehrId: reg.id,
      ehrName: reg.name,
      baseUrl: reg.fhirBaseUrl,
      patientId,
      token: () => this.auth.token(),
      onUnauthorized: () => this.auth.renew(),
      timeoutMs: reg.fhirTimeoutMs,
      maxPages: reg.maxPages,
      retries: 1,
      observe: (op, outcome, ms) => this.s.metrics.fhirDuration.observe({ ehr: reg.id, operation: `backend_${op}`, outcome }, ms / 1000),
      warn: (msg, data) => this.s.logger.warn(data, msg),
    });
  }
}
