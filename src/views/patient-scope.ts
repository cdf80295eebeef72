/**
 * Defence in depth behind the release policy: a resource whose subject is another patient is
 * never mapped into this patient's views, whatever arrived.
 */
import type { Reference } from 'fhir/r4.js';
import { referenceId, referenceKey } from './references.js';
import type { ViewContext } from './view-context.js';

/** True when `subject` names a patient other than the one in context. */
export function isOtherPatient(subject: Reference | undefined, ctx: Pick<ViewContext, 'patientRef'>): boolean {
  const ref = subject?.reference;
  if (ref === undefined) return false;
  const key = referenceKey(ref);
  if (key === undefined || key.startsWith('#')) return false;
  if (!key.startsWith('urn:uuid:') && !key.startsWith('Patient/')) return false;
  const id = referenceId(ref, 'Patient');
  const own = referenceId(ctx.patientRef, 'Patient');
  return id !== own;
}

/** Same reference, whatever its spelling (`Patient/1`, `https://ehr/fhir/Patient/1`). */
export function sameReference(a: string | undefined, b: string | undefined): boolean {
  const ka = referenceKey(a);
  return ka !== undefined && ka === referenceKey(b);
}
