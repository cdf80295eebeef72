/**
 * SMART scopes: what the adapter asks for, and what the EHR granted (v1 and v2 syntax).
 * https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html
 */
export type ScopeStyle = 'v1' | 'v2';
export type Feature = 'messages' | 'appointments' | 'results' | 'documents' | 'patient';
export type Access = 'read' | 'write';

/** The FHIR types each feature reads and writes. */
const FEATURE_TYPES: Record<Feature, { read: string[]; write: string[] }> = {
  messages: { read: ['Communication'], write: ['Communication'] },
  appointments: { read: ['Appointment'], write: ['Appointment'] },
  results: { read: ['DiagnosticReport', 'Observation'], write: [] },
  documents: { read: ['DocumentReference'], write: ['DocumentReference', 'Binary'] },
  patient: { read: ['Patient'], write: [] },
};

/** Types whose resources the portal also updates (a patient cancels an appointment request). */
const UPDATES = new Set(['Appointment']);

/** Types read only as supporting detail (names of senders, places); a feature works without them. */
const SUPPORTING = ['Practitioner', 'RelatedPerson', 'Location', 'Organization', 'Binary'];

export function requestedScopes(options: {
  style: ScopeStyle;
  ehrLaunch: boolean;
  refresh: 'offline_access' | 'online_access';
  extra?: string[];
}): string[] {
  const reads = new Set<string>(SUPPORTING);
  const writes = new Set<string>();
  for (const f of Object.values(FEATURE_TYPES)) {
    f.read.forEach((t) => reads.add(t));
    f.write.forEach((t) => writes.add(t));
  }
  const scopes = ['openid', 'fhirUser', options.refresh, options.ehrLaunch ? 'launch' : 'launch/patient'];
  for (const t of [...reads].sort()) {
    const w = writes.has(t);
    if (options.style === 'v2') scopes.push(`patient/${t}.${w ? (UPDATES.has(t) ? 'crus' : 'crs') : 'rs'}`);
    else {
      scopes.push(`patient/${t}.read`);
      if (w) scopes.push(`patient/${t}.write`);
    }
  }
  return [...scopes, ...(options.extra ?? [])];
}

interface Grant {
  resourceType: string;
  read: boolean;
  create: boolean;
}

/** Parses `patient/X.rs`, `patient/X.read`, `patient/*.cruds`, `user/…`. Other scopes are ignored. */
export function parseGrants(scope: string): Grant[] {
  const grants: Grant[] = [];
  for (const s of scope.split(/\s+/).filter(Boolean)) {
    const m = /^(patient|user)\/([A-Za-z]+|\*)\.([a-z*]+)(\?.*)?$/.exec(s);
    if (!m) continue;
    const [, , type, perm] = m as unknown as [string, string, string, string];
    let read = false;
    let create = false;
    if (perm === 'read') read = true;
    else if (perm === 'write') create = true;
    else if (perm === '*') read = create = true;
    else if (/^c?r?u?d?s?$/.test(perm)) {
      // v2 permissions: c r u d s, in that order. Search without read is not a usable read here.
      read = perm.includes('r') && perm.includes('s');
      create = perm.includes('c');
    }
    grants.push({ resourceType: type, read, create });
  }
  return grants;
}

export function allows(grants: Grant[], resourceType: string, access: Access): boolean {
  return grants.some((g) => (g.resourceType === resourceType || g.resourceType === '*') && (access === 'read' ? g.read : g.create));
}

export interface FeatureAvailability {
  read: boolean;
  write: boolean;
  /** Plain words shown when something is unavailable. */
  reason?: string;
}

const FEATURE_NAMES: Record<Feature, string> = {
  messages: 'messages',
  appointments: 'appointments',
  results: 'test results',
  documents: 'documents',
  patient: 'your details',
};

/** Which features the granted scopes allow, with the reason when one is missing. */
export function featuresFromScope(scope: string): Record<Feature, FeatureAvailability> {
  const grants = parseGrants(scope);
  const out = {} as Record<Feature, FeatureAvailability>;
  for (const [feature, types] of Object.entries(FEATURE_TYPES) as [Feature, (typeof FEATURE_TYPES)[Feature]][]) {
    const read = types.read.every((t) => allows(grants, t, 'read'));
    const write = types.write.length > 0 && types.write.every((t) => allows(grants, t, 'write'));
    const entry: FeatureAvailability = { read, write };
    if (!read) entry.reason = `Your clinic's system did not give this app permission to show ${FEATURE_NAMES[feature]}.`;
    else if (!write && types.write.length) entry.reason = `Your clinic's system lets this app show ${FEATURE_NAMES[feature]} but not send new ones.`;
    out[feature] = entry;
  }
  return out;
}
