// SMART App Launch 2.x scopes (hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html):
// v2 `patient/Observation.rs`, v1 `patient/Observation.read` (= .rs), `.write` (= .cud), `.*` (= .cruds).

export const SCOPE_RESOURCE_TYPES = [
  'Communication', 'Appointment', 'DiagnosticReport', 'Observation', 'DocumentReference', 'Binary', 'Patient',
  'Practitioner', 'RelatedPerson', 'Location', 'Organization', 'ServiceRequest',
] as const;

export const BASE_SCOPES = [
  'openid', 'fhirUser', 'profile', 'launch', 'launch/patient', 'offline_access', 'online_access',
] as const;

export type ScopeContext = 'patient' | 'user' | 'system';
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';

const V2_ORDER: readonly Permission[] = ['c', 'r', 'u', 'd', 's'];
const V1: Record<string, readonly Permission[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': V2_ORDER };
const SCOPE_RE = /^(patient|user|system)\/([A-Za-z]+|\*)\.([a-z*]+)$/;

export interface ResourceScope {
  context: ScopeContext;
  resourceType: string;
  permissions: ReadonlySet<Permission>;
}

/** Parses one clinical scope; undefined for anything else (openid, launch, malformed). */
export function parseResourceScope(scope: string): ResourceScope | undefined {
  const m = SCOPE_RE.exec(scope);
  if (!m) return undefined;
  const [, context, resourceType, perm] = m as unknown as [string, ScopeContext, string, string];
  const v1 = V1[perm];
  if (v1) return { context, resourceType, permissions: new Set(v1) };
  // v2: letters must appear in c-r-u-d-s order, each at most once.
  let last = -1;
  const permissions = new Set<Permission>();
  for (const ch of perm) {
    const i = V2_ORDER.indexOf(ch as Permission);
    if (i <= last) return undefined;
    last = i;
    permissions.add(ch as Permission);
  }
  return permissions.size ? { context, resourceType, permissions } : undefined;
}

function v2Combinations(): string[] {
  const out: string[] = [];
  for (let mask = 1; mask < 1 << V2_ORDER.length; mask++) {
    out.push(V2_ORDER.filter((_, i) => mask & (1 << i)).join(''));
  }
  return out;
}

/**
 * Every scope string the authorization server knows. oidc-provider grants only scopes it knows,
 * so the v1 and v2 forms are listed for each supported type and for `*`.
 */
export function supportedScopes(): string[] {
  const perms = [...Object.keys(V1), ...v2Combinations()];
  const types = ['*', ...SCOPE_RESOURCE_TYPES];
  const out: string[] = [...BASE_SCOPES];
  for (const context of ['patient', 'system'] as const) {
    for (const t of types) for (const p of perms) out.push(`${context}/${t}.${p}`);
  }
  return out;
}

/** True when one of `scopes` in `context` grants `permission` on `resourceType`. */
export function scopeAllows(
  scopes: readonly string[],
  context: ScopeContext,
  resourceType: string,
  permission: Permission,
): boolean {
  return scopes.some((s) => {
    const parsed = parseResourceScope(s);
    return (
      parsed !== undefined &&
      parsed.context === context &&
      (parsed.resourceType === '*' || parsed.resourceType === resourceType) &&
      parsed.permissions.has(permission)
    );
  });
}
