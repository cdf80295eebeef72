import type { Appointment, Communication } from 'fhir/r4.js';
import { buildAppointmentRequest, requestOffset } from '../outbox/resources.js';
import type { DeliveryResult, LocalWrite, OutboxKind, SealedWrite } from '../outbox/types.js';
import { PURPOSE_SYSTEM } from '../outbox/types.js';
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

/** The EHR's own ids of the resources it showed. */
export function idsShown(fromEhr: readonly (Communication | Appointment)[]): Set<string> {
  const ids = new Set<string>();
  for (const c of fromEhr) if (c.id !== undefined) ids.add(c.id);
  return ids;
}

/** A write whose message the EHR already shows is shown from there, not from here. */
export function shownByEhr(result: DeliveryResult, inEhr: ReadonlySet<string>): boolean {
  return result.messageId !== undefined && inEhr.has(result.messageId);
}

/**
 * The patient's own messages that the EHR does not show yet, as Communications the thread views
 * understand: status preparation/on-hold/not-done map to sending/retrying/rejected. Once the EHR
 * has the message, the EHR's copy is shown instead (matched by the id it was given).
 */
export function localMessagesAsCommunications(writes: LocalWrite[], session: PortalSession, fromEhr: Communication[], locale: 'en' | 'es' = 'en'): Communication[] {
  const inEhr = idsShown(fromEhr);
  const out: Communication[] = [];
  for (const w of writes) {
    if (w.payload.kind !== 'message' && w.payload.kind !== 'reply') continue;
    if (shownByEhr(w.result, inEhr)) continue;
    const subject = { reference: `Patient/${session.patientId}` };
    const sender = { reference: w.author.reference };
    let headerRef: string;
    // A reply into a thread started here goes under the EHR's header once the EHR shows it.
    if (w.payload.kind === 'reply') headerRef = w.ehrThreadId !== undefined && inEhr.has(w.ehrThreadId) ? w.ehrThreadId : w.payload.threadId;
    else if (w.result.headerId && inEhr.has(w.result.headerId)) headerRef = w.result.headerId;
    else {
      headerRef = w.threadId ?? `local-${w.id}`;
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
 * Which of them to decrypt: requests whose Appointment the EHR does not show, and cancellations
 * still on their way (one that arrived shows in the EHR's copy; a refused one changed nothing).
 */
export function appointmentWritesToOpen(writes: readonly SealedWrite[], shownIds: ReadonlySet<string>): SealedWrite[] {
  return writes.filter((w) =>
    w.kind === 'cancel' ? w.row.status !== 'delivered' && w.row.status !== 'rejected' : w.kind === 'appointment-request' && notShownAs(w, 'Appointment', shownIds),
  );
}

/**
 * The patient's appointment requests that the EHR does not show (not sent yet, refused, or sent as
 * a ServiceRequest the appointments list does not read), as the Appointment the EHR is sent, under
 * the request's own id (a request not sent yet can be cancelled by it). A request cancelled here
 * shows as cancelled; one the EHR refused shows with the EHR's reason. `cancelling`: the EHR's
 * appointments with a cancellation on its way, and where it is.
 */
export function localRequestsAsAppointments(
  writes: readonly LocalWrite[],
  session: PortalSession,
  timeZone: string,
  locale: 'en' | 'es' = 'en',
): { appointments: Appointment[]; requests: Map<string, RequestDelivery>; cancelling: Map<string, RequestDelivery> } {
  // Cancellations not refused, by the appointment they cancel (a local request's id or the EHR's).
  const cancels = new Map<string, LocalWrite>();
  for (const w of writes) if (w.payload.kind === 'cancel' && w.status !== 'rejected') cancels.set(w.payload.appointmentId, w);
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
  for (const [target, w] of cancels) if (!requests.has(target)) cancelling.set(target, deliveryOf(w, locale));
  return { appointments, requests, cancelling };
}

/** The EHR's appointments, those cancelled here shown cancelled while the cancellation is on its way. */
export function withCancellations(appointments: readonly Appointment[], cancelling: ReadonlyMap<string, RequestDelivery>): Appointment[] {
  return appointments.map((a) => (a.id !== undefined && cancelling.has(a.id) ? { ...a, status: 'cancelled' } : a));
}

/** Written here and not shown by the EHR under the resource it was given. */
function notShownAs(w: SealedWrite, resourceType: string, shownIds: ReadonlySet<string>): boolean {
  return !(w.result.resourceType === resourceType && w.result.resourceId !== undefined && shownIds.has(w.result.resourceId));
}

/** Uploads whose DocumentReference the EHR does not show. */
export function uploadsToOpen(writes: readonly SealedWrite[], shownIds: ReadonlySet<string>): SealedWrite[] {
  return writes.filter((w) => w.kind === 'upload' && notShownAs(w, 'DocumentReference', shownIds));
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
