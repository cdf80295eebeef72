import type { Appointment, Communication, Identifier } from 'fhir/r4.js';
import { buildAppointmentRequest, requestOffset } from '../outbox/resources.js';
import type { DeliveryResult, LocalWrite, OutboxKind, SealedWrite, WritePart } from '../outbox/types.js';
import { LOCAL_THREAD_PREFIX, PURPOSE_SYSTEM, WRITE_IDENTIFIER_SYSTEM } from '../outbox/types.js';
import type { PortalSession } from '../smart/sessions.js';
import type { RequestDelivery } from '../views/appointments.js';
import type { LocalUpload } from '../views/documents.js';
import type { Delivery, DeliveryStatus } from '../views/messages.js';

const STATUS: Record<LocalWrite['status'], Communication['status']> = {
  sending: 'preparation',
  retrying: 'on-hold',
  rejected: 'not-done',
  delivered: 'completed',
};

/** The EHR's reason for a rejection, or why a message is waiting; nothing for a plain send in progress. */
function note(w: LocalWrite, locale: 'en' | 'es'): string | undefined {
  if (w.status === 'rejected') return w.rejectionReason;
  if (w.status !== 'delivered' && w.waitingReason === 'waiting_for_signin') {
    return locale === 'es' ? 'Se enviará la próxima vez que inicie sesión.' : 'It will be sent the next time you sign in.';
  }
  return undefined;
}

/**
 * What the patient is told: "sending" while delivery is under way, even through a few retries;
 * "retrying" ("not delivered yet — we keep trying; call the clinic if urgent") once it is overdue.
 */
function shownDelivery(w: LocalWrite): DeliveryStatus {
  if (w.status === 'sending' || w.status === 'retrying') return w.overdue ? 'retrying' : 'sending';
  return w.status;
}

function deliveryOf(w: LocalWrite, locale: 'en' | 'es'): Delivery {
  return { status: shownDelivery(w), note: note(w, locale) ?? null };
}

function shownStatus(w: LocalWrite): Communication['status'] {
  return STATUS[shownDelivery(w)];
}

/** The local writes a conversation shows: new threads and replies. */
export const THREAD_WRITES: readonly OutboxKind[] = ['message', 'reply'];

/**
 * What the EHR returned, to match the outbox's writes against: the ids it gave, and the write
 * identifier (`<item id>-<part>`) each resource carries. The identifier covers the moment between
 * the EHR creating a resource and delivery saving its id: a page read then already sees the EHR's
 * copy while the outbox does not know it is one, and would list the write twice.
 */
export interface EhrCopies {
  readonly ids: ReadonlySet<string>;
  /** Write identifier value → the EHR's id of the resource carrying it. */
  readonly writes: ReadonlyMap<string, string>;
}

export function ehrCopies(fromEhr: readonly { id?: string; identifier?: readonly Identifier[] }[]): EhrCopies {
  const ids = new Set<string>();
  const writes = new Map<string, string>();
  for (const r of fromEhr) {
    if (r.id === undefined) continue;
    ids.add(r.id);
    for (const i of r.identifier ?? []) if (i.system === WRITE_IDENTIFIER_SYSTEM && i.value !== undefined) writes.set(i.value, r.id);
  }
  return { ids, writes };
}

/** The EHR's id of one part of a write, when the EHR shows it: the id delivery saved, or that of the resource carrying the write's identifier. */
export function shownCopy(copies: EhrCopies, itemId: string, part: WritePart, savedId: string | undefined): string | undefined {
  if (savedId !== undefined && copies.ids.has(savedId)) return savedId;
  return copies.writes.get(`${itemId}-${part}`);
}

/** A write whose message the EHR already shows is shown from there, not from here. */
export function shownByEhr(w: { id: string; result: DeliveryResult }, copies: EhrCopies): boolean {
  return shownCopy(copies, w.id, 'message', w.result.messageId) !== undefined;
}

/** Threads started here whose header the EHR shows: local thread id → the EHR's header id. */
export function localThreadsInEhr(writes: readonly { id: string; kind: OutboxKind; result: DeliveryResult }[], copies: EhrCopies): Map<string, string> {
  const moved = new Map<string, string>();
  for (const w of writes) {
    const header = w.kind === 'message' ? shownCopy(copies, w.id, 'header', w.result.headerId) : undefined;
    if (header !== undefined) moved.set(`${LOCAL_THREAD_PREFIX}${w.id}`, header);
  }
  return moved;
}

/**
 * The patient's own messages that the EHR does not show yet, as Communications the thread views
 * understand: status preparation/on-hold/not-done map to sending/retrying/rejected. Once the EHR
 * has the message, the EHR's copy is shown instead. `moved`: threads started here that the EHR
 * shows (localThreadsInEhr); their messages and replies go under the EHR's header.
 */
export function localMessagesAsCommunications(
  writes: readonly LocalWrite[],
  session: PortalSession,
  copies: EhrCopies,
  moved: ReadonlyMap<string, string>,
  locale: 'en' | 'es' = 'en',
): Communication[] {
  const out: Communication[] = [];
  for (const w of writes) {
    if (w.payload.kind !== 'message' && w.payload.kind !== 'reply') continue;
    if (shownByEhr(w, copies)) continue;
    const subject = { reference: `Patient/${session.patientId}` };
    const sender = { reference: w.author.reference };
    const thread = w.payload.kind === 'reply' ? w.payload.threadId : `${LOCAL_THREAD_PREFIX}${w.id}`;
    const headerRef = moved.get(thread) ?? thread;
    // A new message brings its own header until the EHR shows the one it was given.
    if (w.payload.kind === 'message' && !moved.has(thread)) {
      out.push({
        resourceType: 'Communication',
        id: headerRef,
        status: shownStatus(w),
        subject,
        sender,
        sent: w.createdAt,
        topic: { text: w.payload.subject },
        category: [{ coding: [{ system: PURPOSE_SYSTEM, code: w.payload.purpose }] }],
      });
    }
    const text = note(w, locale);
    out.push({
      resourceType: 'Communication',
      id: `local-msg-${w.id}`,
      status: shownStatus(w),
      subject,
      sender,
      sent: w.createdAt,
      partOf: [{ reference: `Communication/${headerRef}` }],
      ...(text ? { statusReason: { text } } : {}),
      payload: [
        { contentString: w.payload.body },
        ...w.payload.attachments.map((a) => ({ contentAttachment: { contentType: a.contentType, size: a.size, title: a.filename } })),
      ],
    });
  }
  return out;
}

/** The local writes the appointments page shows: requests, and cancellations of requests. */
export const APPOINTMENT_WRITES: readonly OutboxKind[] = ['appointment-request', 'cancel'];

/**
 * Which of them to decrypt: requests whose Appointment the EHR does not show, cancellations still
 * on their way (one that arrived shows in the EHR's copy), and refused cancellations of an
 * appointment the EHR lists (its page says the cancellation did not happen, and why).
 */
export function appointmentWritesToOpen(writes: readonly SealedWrite[], copies: EhrCopies): SealedWrite[] {
  return writes.filter((w) => {
    if (w.kind === 'appointment-request') return notShownAs(w, 'Appointment', copies);
    if (w.kind !== 'cancel' || w.row.status === 'delivered') return false;
    return w.row.status !== 'rejected' || (w.result.resourceId !== undefined && copies.ids.has(w.result.resourceId));
  });
}

/**
 * The patient's appointment requests that the EHR does not show (not sent yet, refused, or sent as
 * a ServiceRequest the appointments list does not read), as the Appointment the EHR is sent, under
 * the request's own id (a request not sent yet can be cancelled by it). A request cancelled here
 * shows as cancelled; one the EHR refused shows with the EHR's reason. `cancelling`: the EHR's
 * appointments with a cancellation on its way, and where it is, or the latest cancellation the
 * EHR refused (the clinic had booked the request meanwhile), with its reason.
 */
export function localRequestsAsAppointments(
  writes: readonly LocalWrite[],
  session: PortalSession,
  timeZone: string,
  locale: 'en' | 'es' = 'en',
): { appointments: Appointment[]; requests: Map<string, RequestDelivery>; cancelling: Map<string, RequestDelivery> } {
  // Cancellations not refused, by the appointment they cancel (a local request's id or the EHR's).
  const cancels = new Map<string, LocalWrite>();
  // Refused ones, by the EHR's appointment they were about (oldest first, so the latest wins).
  const refused = new Map<string, LocalWrite>();
  for (const w of writes) {
    if (w.payload.kind !== 'cancel') continue;
    if (w.status !== 'rejected') cancels.set(w.payload.appointmentId, w);
    else if (w.result.resourceId !== undefined) refused.set(w.result.resourceId, w);
  }
  const appointments: Appointment[] = [];
  const requests = new Map<string, RequestDelivery>();
  for (const w of writes) {
    if (w.payload.kind !== 'appointment-request') continue;
    const c = { itemId: w.id, patientId: session.patientId, author: w.author, enqueuedAt: w.createdAt };
    const status = w.status === 'rejected' || cancels.has(w.id) ? 'cancelled' : 'proposed';
    appointments.push({ ...buildAppointmentRequest(c, w.payload, requestOffset(timeZone, w.payload, w.createdAt)), id: w.id, status });
    requests.set(w.id, deliveryOf(w, locale));
  }
  const cancelling = new Map<string, RequestDelivery>();
  for (const [target, w] of refused) cancelling.set(target, deliveryOf(w, locale));
  // A cancellation on its way says more than an earlier one the EHR refused.
  for (const [target, w] of cancels) if (!requests.has(target)) cancelling.set(target, deliveryOf(w, locale));
  return { appointments, requests, cancelling };
}

/** The EHR's appointments, those cancelled here shown cancelled while the cancellation is on its way (a refused one changed nothing). */
export function withCancellations(appointments: readonly Appointment[], cancelling: ReadonlyMap<string, RequestDelivery>): Appointment[] {
  return appointments.map((a) => (a.id !== undefined && cancelling.has(a.id) && cancelling.get(a.id)!.status !== 'rejected' ? { ...a, status: 'cancelled' } : a));
}

/** Written here and not shown by the EHR as this resource. */
function notShownAs(w: SealedWrite, resourceType: 'Appointment' | 'DocumentReference', copies: EhrCopies): boolean {
  const saved = w.result.resourceType === resourceType ? w.result.resourceId : undefined;
  return shownCopy(copies, w.id, resourceType === 'Appointment' ? 'appointment' : 'document', saved) === undefined;
}

/** Uploads whose DocumentReference the EHR does not show. */
export function uploadsToOpen(writes: readonly SealedWrite[], copies: EhrCopies): SealedWrite[] {
  return writes.filter((w) => w.kind === 'upload' && notShownAs(w, 'DocumentReference', copies));
}

/** The patient's uploads that the EHR does not show, for the documents list (the file itself is not part of it). */
export function localUploads(writes: readonly LocalWrite[], locale: 'en' | 'es' = 'en'): LocalUpload[] {
  return writes.flatMap((w): LocalUpload[] => {
    if (w.payload.kind !== 'upload') return [];
    const { file } = w.payload;
    return [
      {
        id: w.id,
        description: w.payload.description,
        category: w.payload.category,
        sentAt: w.createdAt,
        filename: file.filename,
        size: file.size,
        contentType: file.contentType,
        delivery: deliveryOf(w, locale),
      },
    ];
  });
}
