/**
 * The FHIR resources a write becomes (pure). Profiles: fhir-profiles/portal-message.json,
 * appointment-request.json, patient-upload.json. Every resource carries the client-assigned
 * identifier `urn:fhir-portal-adapter:write|<item id>-<part>` that conditional create matches on.
 */
import type { Appointment, Attachment, Binary, Coding, Communication, DocumentReference, Identifier, Reference, ServiceRequest } from 'fhir/r4.js';
import { PURPOSE_SYSTEM, UPLOAD_CATEGORY_SYSTEM, VIDEO_VISIT_EXTENSION, WRITE_IDENTIFIER_SYSTEM, type Author, type WritePart, type Payload, type StoredFile } from './types.js';

export const PROFILES = {
  message: 'http://fhir-portal-adapter.example/StructureDefinition/portal-message',
  appointment: 'http://fhir-portal-adapter.example/StructureDefinition/appointment-request',
  upload: 'http://fhir-portal-adapter.example/StructureDefinition/patient-upload',
} as const;

export interface WriteContext {
  itemId: string;
  patientId: string;
  author: Author;
  /** Enqueue time (ISO): `sent` and `authoredOn` are when the patient pressed send. */
  enqueuedAt: string;
  /** The registration's messaging.recipient (e.g. `Practitioner/pr-chen`). */
  recipient?: string;
}

export function writeIdentifier(itemId: string, part: WritePart): Identifier {
  return { system: WRITE_IDENTIFIER_SYSTEM, value: `${itemId}-${part}` };
}

/** The If-None-Exist query that finds an earlier delivery of the same part. */
export function ifNoneExist(id: Identifier): string {
  return `identifier=${encodeURIComponent(`${id.system}|${id.value}`)}`;
}

const patientRef = (c: WriteContext): Reference => ({ reference: `Patient/${c.patientId}` });
const authorRef = (c: WriteContext): Reference => ({ reference: c.author.reference });

/** Binary for an attachment: R4 Binary has no identifier, so the write tag goes in meta.tag (traceability of an orphan). */
export function buildBinary(c: WriteContext, file: StoredFile, index: number): Binary {
  // Only a delivered write has its bytes emptied, and a delivered write is never sent again.
  if (file.data === '') throw new Error(`outbox item ${c.itemId}: file ${index} has no content to send`);
  return {
    resourceType: 'Binary',
    meta: { tag: [{ system: WRITE_IDENTIFIER_SYSTEM, code: `${c.itemId}-binary-${index}` }] },
    contentType: file.contentType,
    securityContext: patientRef(c),
    data: file.data,
  };
}

export function attachmentOf(file: StoredFile, binaryId: string): Attachment {
  return { contentType: file.contentType, url: `Binary/${binaryId}`, size: file.size, title: file.filename };
}

/** The thread header of a new conversation: subject and purpose, no body. */
export function buildThreadHeader(c: WriteContext, p: Extract<Payload, { kind: 'message' }>, purposeLabel: string): Communication {
  return {
    resourceType: 'Communication',
    meta: { profile: [PROFILES.message] },
    identifier: [writeIdentifier(c.itemId, 'header')],
    status: 'in-progress',
    category: [{ coding: [{ system: PURPOSE_SYSTEM, code: p.purpose, display: purposeLabel }], text: purposeLabel }],
    subject: patientRef(c),
    topic: { text: p.subject },
    sender: authorRef(c),
    ...(c.recipient ? { recipient: [{ reference: c.recipient }] } : {}),
    sent: c.enqueuedAt,
  };
}

/** One message of a thread (the first message of a new thread, or a reply). */
export function buildThreadMessage(
  c: WriteContext,
  input: {
    body: string;
    attachments: StoredFile[];
    binaryIds: string[];
    headerId: string;
    inResponseTo?: string;
    topic?: string;
    category?: Communication['category'];
    /** The thread's security labels, which a reply carries too. */
    security?: Coding[];
  },
): Communication {
  return {
    resourceType: 'Communication',
    meta: { profile: [PROFILES.message], ...(input.security ? { security: input.security.map((c) => ({ ...c })) } : {}) },
    identifier: [writeIdentifier(c.itemId, 'message')],
    partOf: [{ reference: `Communication/${input.headerId}` }],
    ...(input.inResponseTo ? { inResponseTo: [{ reference: `Communication/${input.inResponseTo}` }] } : {}),
    status: 'completed',
    ...(input.category ? { category: input.category } : {}),
    subject: patientRef(c),
    ...(input.topic ? { topic: { text: input.topic } } : {}),
    sender: authorRef(c),
    ...(c.recipient ? { recipient: [{ reference: c.recipient }] } : {}),
    sent: c.enqueuedAt,
    payload: [{ contentString: input.body }, ...input.attachments.map((f, i) => ({ contentAttachment: attachmentOf(f, input.binaryIds[i]!) }))],
  };
}

/** Preferred days → requested periods in the clinic's local day (morning 08–12, afternoon 12–17). */
export function requestedPeriods(preferred: Extract<Payload, { kind: 'appointment-request' }>['preferred'], offset: string): { start: string; end: string }[] {
  const hours = { morning: ['08:00', '12:00'], afternoon: ['12:00', '17:00'], any: ['08:00', '17:00'] } as const;
  return preferred.map((p) => {
    if (p.date.length > 10) return { start: p.date, end: p.date };
    const [from, to] = hours[p.partOfDay];
    return { start: `${p.date}T${from}:00${offset}`, end: `${p.date}T${to}:00${offset}` };
  });
}

/** The UTC offset of a time zone on a date, as `+hh:mm` (for requested periods in the clinic's day). */
export function zoneOffset(timeZone: string, date: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(date).find((x) => x.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(part);
  return m ? `${m[1]}:${m[2] ?? '00'}` : '+00:00';
}

/** The clinic's UTC offset on the request's first preferred day (or the day it was sent). */
export function requestOffset(timeZone: string, p: Extract<Payload, { kind: 'appointment-request' }>, enqueuedAt: string): string {
  return zoneOffset(timeZone, new Date(`${p.preferred[0]?.date.slice(0, 10) ?? enqueuedAt.slice(0, 10)}T12:00:00Z`));
}

const visitTypeConcept = (v: 'in-person' | 'video') => ({
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: 'ROUTINE', display: 'Routine appointment - default if not valued' }],
  text: v === 'video' ? 'Video visit' : 'In-person visit',
});

function requestNote(p: Extract<Payload, { kind: 'appointment-request' }>): { text: string }[] | undefined {
  return p.notes ? [{ text: p.notes }] : undefined;
}

export function buildAppointmentRequest(c: WriteContext, p: Extract<Payload, { kind: 'appointment-request' }>, offset: string): Appointment {
  const note = requestNote(p);
  return {
    resourceType: 'Appointment',
    meta: { profile: [PROFILES.appointment] },
    identifier: [writeIdentifier(c.itemId, 'appointment')],
    status: 'proposed',
    extension: [{ url: VIDEO_VISIT_EXTENSION, valueBoolean: p.visitType === 'video' }],
    appointmentType: visitTypeConcept(p.visitType),
    reasonCode: [{ text: p.reason }],
    ...(note ? { comment: note.map((n) => n.text).join('\n') } : {}),
    created: c.enqueuedAt,
    requestedPeriod: requestedPeriods(p.preferred, offset),
    participant: [
      { actor: patientRef(c), required: 'required', status: 'accepted' },
      ...(c.recipient ? [{ actor: { reference: c.recipient }, required: 'required' as const, status: 'needs-action' as const }] : []),
    ],
  };
}

/** For EHRs that take appointment wishes as orders (`appointmentRequests.as: ServiceRequest`). */
export function buildServiceRequest(c: WriteContext, p: Extract<Payload, { kind: 'appointment-request' }>, offset: string): ServiceRequest {
  const note = requestNote(p);
  const [first] = requestedPeriods(p.preferred, offset);
  return {
    resourceType: 'ServiceRequest',
    identifier: [writeIdentifier(c.itemId, 'service-request')],
    status: 'active',
    intent: 'proposal',
    extension: [{ url: VIDEO_VISIT_EXTENSION, valueBoolean: p.visitType === 'video' }],
    category: [{ coding: [{ system: 'http://snomed.info/sct', code: '308335008', display: 'Patient encounter procedure' }] }],
    code: { text: 'Appointment request' },
    subject: patientRef(c),
    requester: authorRef(c),
    ...(c.recipient ? { performer: [{ reference: c.recipient }] } : {}),
    reasonCode: [{ text: p.reason }],
    authoredOn: c.enqueuedAt,
    ...(first ? { occurrencePeriod: first } : {}),
    ...(note ? { note } : {}),
  };
}

const UPLOAD_LABELS: Record<Extract<Payload, { kind: 'upload' }>['category'], string> = {
  'insurance-card': 'Insurance card',
  form: 'Form',
  'outside-record': 'Record from another provider',
  other: 'Other document',
};

export function buildUploadDocument(c: WriteContext, p: Extract<Payload, { kind: 'upload' }>, binaryId: string): DocumentReference {
  const concept = { coding: [{ system: UPLOAD_CATEGORY_SYSTEM, code: p.category, display: UPLOAD_LABELS[p.category] }], text: UPLOAD_LABELS[p.category] };
  return {
    resourceType: 'DocumentReference',
    meta: { profile: [PROFILES.upload] },
    identifier: [writeIdentifier(c.itemId, 'document')],
    status: 'current',
    type: concept,
    category: [{ coding: [{ system: 'http://fhir-portal-adapter.example/CodeSystem/document-source', code: 'patient-upload', display: 'Uploaded by the patient' }] }, concept],
    subject: patientRef(c),
    date: c.enqueuedAt,
    author: [authorRef(c)],
    description: p.description,
    content: [{ attachment: { ...attachmentOf(p.file, binaryId), creation: c.enqueuedAt } }],
  };
}
