import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { OidcToken } from 'oidc-provider';
import { scopeAllows, type Permission } from '../auth/smart-scopes.js';
import { FhirError } from './outcome.js';

/** Who is calling the FHIR API, from a verified bearer token. */
export type FhirAccess =
  | { kind: 'patient'; patient: string; fhirUser: string; clientId: string; scopes: string[] }
  | { kind: 'system'; clientId: string; scopes: string[] };

function bearer(ctx: Koa.Context): string | undefined {
  const m = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)$/i.exec(ctx.get('authorization'));
  return m?.[1];
}

function unexpired(token: OidcToken | undefined, now: Date): OidcToken | undefined {
  // oidc-provider checks its own clock; the injected clock lets tests expire tokens without waiting.
  if (!token || token.isExpired || token.exp * 1000 <= now.getTime()) return undefined;
  return token;
}

/** Verifies the access token in-process against the provider's token store. */
export async function authenticate(ctx: Koa.Context, provider: Provider, now: () => Date): Promise<FhirAccess> {
  const value = bearer(ctx);
  if (!value) throw new FhirError(401, 'login', 'A bearer access token is required.');
  const at = unexpired(await provider.AccessToken.find(value), now());
  if (at) {
    const patient = at.extra?.patient;
    const fhirUser = at.extra?.fhirUser;
    if (typeof patient !== 'string' || typeof fhirUser !== 'string') {
      // A user token without a patient context has nothing it may read here.
      throw new FhirError(403, 'forbidden', 'The access token has no patient context.');
    }
    return { kind: 'patient', patient, fhirUser, clientId: at.clientId, scopes: (at.scope ?? '').split(' ') };
  }
  const cc = unexpired(await provider.ClientCredentials.find(value), now());
  if (cc) {
    return { kind: 'system', clientId: cc.clientId, scopes: (cc.scope ?? '').split(' ').filter((s) => s.startsWith('system/')) };
  }
  throw new FhirError(401, 'expired', 'The access token is invalid or expired.');
}

export function allows(access: FhirAccess, resourceType: string, permission: Permission): boolean {
  return scopeAllows(access.scopes, access.kind, resourceType, permission);
}

export function requireScope(access: FhirAccess, resourceType: string, permission: Permission): void {
  if (!allows(access, resourceType, permission)) {
    throw new FhirError(403, 'forbidden', `The granted scopes do not allow this interaction on ${resourceType}.`);
  }
}
