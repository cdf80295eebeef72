import type { Attachment, Coding, Communication, CommunicationPayload, Reference } from 'fhir/r4.js';
import { instant } from './clock.js';
import { messagePurpose, type MessagePurpose } from './codes.js';
import { ref, securityMeta, type PatientRecord } from './record.js';

export interface MessageSpec {
  from: Reference;
  to: Reference;
  sent: Date;
  text: string;
  /** When the recipient opened it; omitted = unread (status in-progress). */
  read?: Date;
  attachment?: Attachment;
  landmark?: string;
}

export interface ThreadSpec {
  purpose: MessagePurpose;
  subject: string;
  messages: MessageSpec[];
  security?: readonly Coding[];
  landmark?: string;
}

/**
 * A portal conversation as the EHR stores it: one header Communication (no partOf) naming the
 * topic and purpose, and one Communication per message, `partOf` the header and
 * `inResponseTo` the message before it.
 */
export function thread(rec: PatientRecord, spec: ThreadSpec): { header: Communication; messages: Communication[] } {
  if (spec.messages.length === 0) throw new Error('a thread needs at least one message');
  const first = spec.messages[0]!;
  const last = spec.messages[spec.messages.length - 1]!;
  const topic = { text: spec.subject };
  const category = [messagePurpose(spec.purpose)];
  const header: Communication = rec.add({
    resourceType: 'Communication',
    id: rec.nextId('comm'),
    ...securityMeta(spec.security),
    status: last.read ? 'completed' : 'in-progress',
    category,
    subject: rec.patient,
    topic,
    sender: first.from,
    recipient: [first.to],
    sent: instant(first.sent),
  }, spec.landmark);

  const messages: Communication[] = [];
  for (const m of spec.messages) {
    const payload: CommunicationPayload[] = [{ contentString: m.text }];
    if (m.attachment) payload.push({ contentAttachment: m.attachment });
    const previous = messages[messages.length - 1];
    messages.push(rec.add({
      resourceType: 'Communication',
      id: rec.nextId('comm'),
      ...securityMeta(spec.security),
      partOf: [ref(header)],
      ...(previous ? { inResponseTo: [ref(previous)] } : {}),
      status: m.read ? 'completed' : 'in-progress',
      category,
      subject: rec.patient,
      topic,
      sender: m.from,
      recipient: [m.to],
      sent: instant(m.sent),
      ...(m.read ? { received: instant(m.read) } : {}),
      payload,
    }, m.landmark));
  }
  return { header, messages };
}
