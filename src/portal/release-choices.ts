import { z } from 'zod';
import { AppError } from '../http/errors.js';
import type { PatientPreferences } from '../policy/types.js';
import type { PortalCall } from './portal.js';

/**
 * The patient's own choices about when results reach them, as the release policy reads them
 * (rules `patient-wait-for-clinician` and `genetic-wait`): the privacy exception a patient may
 * ask for (45 CFR 171.202(e)), and the opt-in to see genetic results without the usual wait.
 */
export const ReleaseChoicesSchema = z.object({
  /** Non-routine results (abnormal, pathology, imaging, genetics, sensitive tests) only after the clinician has talked with them. */
  waitForClinician: z.boolean(),
  /** Genetic results as soon as they are final. */
  geneticEarlyRelease: z.boolean(),
});
export type ReleaseChoices = z.infer<typeof ReleaseChoicesSchema>;

/** A change: any of the choices, nothing else. */
export const ReleaseChoicesPatchSchema = ReleaseChoicesSchema.partial().strict();
export type ReleaseChoicesPatch = z.infer<typeof ReleaseChoicesPatchSchema>;

export function choicesOf(p: PatientPreferences): ReleaseChoices {
  return { waitForClinician: p.waitForClinician === true, geneticEarlyRelease: p.geneticEarlyRelease === true };
}

/** Only the patient decides how their own results reach them; a proxy may not, nor see what they chose. */
export function patientOnly(call: PortalCall): void {
  if (call.session.viewer.kind !== 'patient') throw new AppError(403, 'patient_only', 'Only the patient can see or change these choices.');
}

async function read(call: PortalCall): Promise<PatientPreferences> {
  return (await call.s.policyState.forPatient(call.session.ehrId, call.session.patientId)).preferences;
}

/** What the patient chose; reading it is audited like any read of the record (as a Consent). */
export async function releaseChoices(call: PortalCall): Promise<ReleaseChoices> {
  patientOnly(call);
  const choices = choicesOf(await read(call));
  await call.s.audit.record({ ...auditBase(call), action: 'read', resourceType: 'Consent', outcome: 'success' });
  return choices;
}

function auditBase(call: PortalCall) {
  const { ehrId, patientId, viewer } = call.session;
  return { actor: { kind: viewer.kind, id: viewer.id }, ehrId, patientId, ip: call.meta.ip, userAgent: call.meta.userAgent, requestId: call.meta.requestId };
}

/** Saves a change, audited; returns the choices now in force. */
export async function saveReleaseChoices(call: PortalCall, patch: ReleaseChoicesPatch): Promise<ReleaseChoices> {
  patientOnly(call);
  const { ehrId, patientId } = call.session;
  const next = { ...(await read(call)), ...patch };
  await call.s.policyState.savePreferences(ehrId, patientId, next);
  await call.s.audit.record({
    ...auditBase(call),
    action: 'release_preferences',
    resourceType: 'Consent',
    outcome: 'success',
    ...(Object.keys(patch).length > 0 ? { decision: Object.entries(patch).map(([k, v]) => `${k}:${String(v)}`).join(':') } : {}),
  });
  return choicesOf(next);
}
