import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding, Reference } from 'fhir/r4.js';
import type { ActorKind, AuditRecord } from './audit-record.js';

/*
 * FHIR R4 AuditEvent in the style of IHE Basic Audit Log Patterns (BALP,
 * https://profiles.ihe.net/ITI/BALP/): RESTful reads/writes are type "rest" with the FHIR
 * interaction as subtype; sign-in/out are DICOM "User Authentication"; other portal events are
 * DICOM "Patient Record" with this app's action code as subtype.
 */
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const AUDIT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
export const ACTION_SYSTEM = 'urn:fhir-portal-adapter:audit-action';

interface Classification {
  type: Coding;
  subtype: Coding;
  action: AuditEvent['action'];
}

function classify(action: string): Classification {
  const rest: Coding = { system: AUDIT_TYPE, code: 'rest', display: 'RESTful Operation' };
  const auth: Coding = { system: DCM, code: '110114', display: 'User Authentication' };
  const record: Coding = { system: DCM, code: '110110', display: 'Patient Record' };
  switch (action) {
    case 'read':
      return { type: rest, subtype: { system: INTERACTION, code: 'read', display: 'read' }, action: 'R' };
    case 'write':
      return { type: rest, subtype: { system: INTERACTION, code: 'create', display: 'create' }, action: 'C' };
    case 'signin':
    case 'signin_failed':
      return { type: auth, subtype: { system: DCM, code: '110122', display: 'Login' }, action: 'E' };
    case 'signout':
      return { type: auth, subtype: { system: DCM, code: '110123', display: 'Logout' }, action: 'E' };
    case 'export':
      return { type: { system: DCM, code: '110106', display: 'Export' }, subtype: { system: ACTION_SYSTEM, code: action }, action: 'R' };
    default:
      return { type: record, subtype: { system: ACTION_SYSTEM, code: action }, action: 'E' };
  }
}

const AGENT_RESOURCE: Record<ActorKind, string | undefined> = {
  patient: 'Patient',
  proxy: 'RelatedPerson',
  staff: 'Practitioner',
  system: undefined,
};

function agentOf(r: AuditRecord): AuditEventAgent {
  const resource = AGENT_RESOURCE[r.actor.kind];
  const who: Reference = resource
    ? { reference: `${resource}/${r.actor.id}`, ...(r.actor.name ? { display: r.actor.name } : {}) }
    : { identifier: { value: r.actor.id }, display: 'fhir-portal-adapter' };
  return {
    type: { coding: [{ system: PARTICIPATION, code: 'IRCP', display: 'information recipient' }] },
    who,
    requestor: r.actor.kind !== 'system',
    ...(r.ip ? { network: { address: r.ip, type: '2' as const } } : {}),
  };
}

function details(r: AuditRecord): NonNullable<AuditEventEntity['detail']> {
  const out: NonNullable<AuditEventEntity['detail']> = [];
  if (r.decision) out.push({ type: 'policy-decision', valueString: r.decision });
  if (r.requestId) out.push({ type: 'request-id', valueString: r.requestId });
  return out;
}

export function toAuditEvent(r: AuditRecord): AuditEvent {
  const c = classify(r.action);
  const entity: AuditEventEntity[] = [];
  if (r.patientId) {
    entity.push({
      what: { reference: `Patient/${r.patientId}` },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    });
  }
  if (r.resourceType) {
    entity.push({
      what: r.resourceId ? { reference: `${r.resourceType}/${r.resourceId}` } : { type: r.resourceType },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    });
  }
  const extra = details(r);
  if (extra.length > 0) {
    if (entity.length === 0) entity.push({ type: { system: ENTITY_TYPE, code: '4', display: 'Other' } });
    entity[entity.length - 1]!.detail = extra;
  }
  return {
    resourceType: 'AuditEvent',
    id: String(r.seq),
    type: c.type,
    subtype: [c.subtype],
    action: c.action,
    recorded: r.at.toISOString(),
    // R4 outcome codes: 0 success, 4 minor failure; a pending write has no outcome yet.
    ...(r.outcome === 'pending' ? { outcomeDesc: 'pending' } : { outcome: r.outcome === 'success' ? ('0' as const) : ('4' as const) }),
    agent: [agentOf(r)],
    source: {
      observer: { display: 'fhir-portal-adapter' },
      type: [{ system: SOURCE_TYPE, code: '4', display: 'Application Server' }],
    },
    ...(entity.length > 0 ? { entity } : {}),
  };
}
