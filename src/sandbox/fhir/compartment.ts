// Patient-compartment membership for patient-scoped tokens (hl7.org/fhir/R4/compartmentdefinition-patient.html),
// decided from the resource's own references. Anything that names no patient is outside: fail closed.
import type { Resource } from 'fhir/r4.js';

/** Non-patient resources any patient-scoped token may read when its scopes name the type. */
export const SHARED_TYPES: ReadonlySet<string> = new Set([
  'Practitioner', 'PractitionerRole', 'Organization', 'Location', 'Medication', 'HealthcareService',
]);

// Top-level elements through which a resource joins the patient compartment.
const COMPARTMENT_ELEMENTS = [
  'subject', 'patient', 'beneficiary', 'sender', 'recipient', 'author', 'performer', 'requester', 'participant',
  'actor', 'individual', 'asserter', 'recorder', 'context', 'securityContext', 'source', 'agent',
] as const;

function collectReferences(value: unknown, out: string[], depth = 0): void {
  if (depth > 4 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) collectReferences(v, out, depth + 1);
    return;
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.reference === 'string') out.push(obj.reference);
  for (const [k, v] of Object.entries(obj)) if (k !== 'reference') collectReferences(v, out, depth + 1);
}

function isPatientRef(ref: string, patientId: string): boolean {
  return ref === `Patient/${patientId}` || ref.endsWith(`/Patient/${patientId}`);
}

/** True when the resource is the patient or one of its elements references the patient. */
export function inPatientCompartment(resource: Resource, patientId: string): boolean {
  if (resource.resourceType === 'Patient') return resource.id === patientId;
  const refs: string[] = [];
  const record = resource as unknown as Record<string, unknown>;
  for (const el of COMPARTMENT_ELEMENTS) collectReferences(record[el], refs);
  return refs.some((r) => isPatientRef(r, patientId));
}

/** Attachment URLs pointing at `Binary/<id>` anywhere in the resource (DocumentReference, Communication). */
export function referencesBinary(resource: Resource, binaryId: string): boolean {
  const needle = `Binary/${binaryId}`;
  let found = false;
  const walk = (v: unknown, depth: number): void => {
    if (found || depth > 6 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    const o = v as Record<string, unknown>;
    if (typeof o.url === 'string' && (o.url === needle || o.url.endsWith(`/${needle}`))) found = true;
    for (const x of Object.values(o)) walk(x, depth + 1);
  };
  walk(resource, 0);
  return found;
}
