import type { Communication } from 'fhir/r4.js';
import type { DeliveryResult, LocalWrite, OutboxKind } from '../outbox/types.js';
import { PURPOSE_SYSTEM } from '../outbox/types.js';
import type { PortalSession } from '../smart/sessions.js';

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
function shownStatus(w: LocalWrite): Communication['status'] {
  if (w.status === 'sending' || w.status === 'retrying') return w.overdue ? STATUS.retrying : STATUS.sending;
  return STATUS[w.status];
}

/** The local writes a conversation shows: new threads and replies. */
export const THREAD_WRITES: readonly OutboxKind[] = ['message', 'reply'];

/** The EHR's own ids of the Communications it showed. */
export function idsShown(fromEhr: readonly Communication[]): Set<string> {
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
