import type { ViewerKind } from './sessions.js';

/**
 * `fhirUser` may be relative (`RelatedPerson/123`) or absolute (`https://ehr/fhir/RelatedPerson/123`).
 * Patient → the patient; RelatedPerson → a proxy; Practitioner/PractitionerRole → staff.
 */
export function parseFhirUser(fhirUser: string | undefined): { kind: ViewerKind; type: string; id: string } | undefined {
  if (!fhirUser) return undefined;
  const m = /(?:^|\/)(Patient|RelatedPerson|Practitioner|PractitionerRole)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(fhirUser);
  if (!m) return undefined;
  const type = m[1]!;
  const kind: ViewerKind = type === 'Patient' ? 'patient' : type === 'RelatedPerson' ? 'proxy' : 'staff';
  return { kind, type, id: m[2]! };
}

/** `amr` values (RFC 8176) and `acr` hints that show a second factor was used. */
const MFA_AMR = new Set(['mfa', 'otp', 'hwk', 'swk', 'sms', 'tel', 'fpt', 'face', 'iris', 'retina', 'vbm', 'sc', 'pop', 'mca']);

export function showsSecondFactor(claims: { amr?: string[]; acr?: string } | undefined): boolean {
  if (!claims) return false;
  if (claims.amr?.some((a) => MFA_AMR.has(a))) return true;
  return typeof claims.acr === 'string' && /mfa|2fa|multi|aal[23]|loa[34]|silver|gold/i.test(claims.acr);
}
