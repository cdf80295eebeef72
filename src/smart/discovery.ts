import { z } from 'zod';
import { AppError } from '../http/errors.js';

/** The parts of `.well-known/smart-configuration` the adapter relies on (SMART App Launch 2.x §2.5). */
export const smartConfigurationSchema = z.looseObject({
  issuer: z.string().url().optional(),
  jwks_uri: z.string().url().optional(),
  authorization_endpoint: z.string().url(),
  token_endpoint: z.string().url(),
  revocation_endpoint: z.string().url().optional(),
  introspection_endpoint: z.string().url().optional(),
  capabilities: z.array(z.string()).default([]),
  code_challenge_methods_supported: z.array(z.string()).default([]),
  grant_types_supported: z.array(z.string()).optional(),
  scopes_supported: z.array(z.string()).optional(),
  token_endpoint_auth_methods_supported: z.array(z.string()).optional(),
  id_token_signing_alg_values_supported: z.array(z.string()).optional(),
});
export type SmartConfiguration = z.infer<typeof smartConfigurationSchema>;

export interface DiscoveryOptions {
  fetch?: typeof fetch;
  ttlMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

/** `{iss}/.well-known/smart-configuration`, appended even when the base has a path. */
export function smartConfigurationUrl(iss: string): string {
  return `${iss.replace(/\/+$/, '')}/.well-known/smart-configuration`;
}

/**
 * Reads and caches each EHR's SMART configuration. Refuses servers that do not offer PKCE S256
 * (SMART 2.x requires it; `plain` is never used) and, for OpenID sign-in, lack issuer/jwks_uri.
 */
export class SmartDiscovery {
  private readonly cache = new Map<string, { at: number; value: SmartConfiguration }>();
  private readonly fetchImpl: typeof fetch;
  private readonly ttlMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(options: DiscoveryOptions = {}) {
    this.fetchImpl = options.fetch ?? fetch;
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async get(ehrName: string, iss: string, options: { fresh?: boolean } = {}): Promise<SmartConfiguration> {
    const hit = this.cache.get(iss);
    if (hit && !options.fresh && this.now() - hit.at < this.ttlMs) return hit.value;
    const unreachable = (detail: string) =>
      new AppError(502, 'ehr_discovery_failed', `${ehrName} could not be reached to sign you in (${detail}).`, {
        expose: true,
        action: 'Please try again in a few minutes. If it keeps happening, contact your clinic.',
      });
    let res: Response;
    try {
      res = await this.fetchImpl(smartConfigurationUrl(iss), {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch {
      throw unreachable('no answer');
    }
    if (!res.ok) throw unreachable(`answered ${res.status}`);
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw unreachable('not JSON');
    }
    const parsed = smartConfigurationSchema.safeParse(json);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.') ?? '?';
      throw new AppError(502, 'ehr_not_conformant', `${ehrName}'s SMART configuration is not usable (${field} is missing or invalid).`, { expose: true, action: 'Contact your clinic.' });
    }
    const conf = parsed.data;
    if (!conf.code_challenge_methods_supported.includes('S256')) {
      throw new AppError(502, 'ehr_not_conformant', `${ehrName} does not offer PKCE S256, which safe sign-in requires.`, { expose: true, action: 'Contact your clinic.' });
    }
    if (conf.capabilities.includes('sso-openid-connect') && (!conf.issuer || !conf.jwks_uri)) {
      throw new AppError(502, 'ehr_not_conformant', `${ehrName} offers OpenID sign-in without an issuer or keys.`, { expose: true, action: 'Contact your clinic.' });
    }
    this.cache.set(iss, { at: this.now(), value: conf });
    return conf;
  }
}
