import type { PolicyContext } from '../policy/types.js';
import type { PortalCall } from './portal.js';

const perCall = new WeakMap<PortalCall, Promise<PolicyContext>>();

/**
 * The release policy's view of this call: who is looking, at whose record, when. Read once per
 * call (the summary decides messages and records from the same context).
 */
export function policyContext(call: PortalCall): Promise<PolicyContext> {
  let ctx = perCall.get(call);
  if (!ctx) {
    ctx = readPolicyContext(call);
    perCall.set(call, ctx);
    // A failed read is not kept: a retry of the same call reads again.
    ctx.catch(() => perCall.delete(call));
  }
  return ctx;
}

async function readPolicyContext(call: PortalCall): Promise<PolicyContext> {
  const { s, session } = call;
  const { clinicianActions, preferences } = await s.policyState.forPatient(session.ehrId, session.patientId);
  return {
    viewer: { kind: session.viewer.kind, id: session.viewer.id, ...(session.secrets.viewerRelationship ? { relationship: session.secrets.viewerRelationship } : {}) },
    patient: {
      id: session.patientId,
      ...(session.secrets.patientBirthDate ? { birthDate: session.secrets.patientBirthDate } : {}),
      ...(session.secrets.patientState ? { state: session.secrets.patientState } : {}),
    },
    now: call.view.now,
    clinicianActions,
    preferences,
    locale: call.view.locale,
  };
}
