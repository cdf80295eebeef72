import type { Communication } from 'fhir/r4.js';
import type { LocalWrite } from '../outbox/types.js';
import { PURPOSE_SYSTEM } from '../outbox/types.js';
import type { PortalSession } from '../smart/sessions.js';

const STATUS: Record<LocalWrite['status'], Communication['status']> = {
  sending: 'preparation',
  retrying: 'on-hold',
  rejected: 'not-done',
  delivered: 'completed',
};

function note(w: LocalWrite, locale: 'en' | 'es'): string | undefined {
  if (w.status === 'rejected') {
    const why = w.rejectionReason ? ` ${locale === 'es' ? 'Motivo' : 'Reason'}: ${w.rejectionReason}` : '';
    return locale === 'es'
      ? `La clínica no aceptó este mensaje.${why} Su texto se conserva aquí para que pueda copiarlo.`
      : `The clinic's system did not accept this message.${why} Your text is kept here so you can copy it.`;
  }
  if (w.status === 'delivered') return undefined;
  if (w.overdue) {
    return locale === 'es'
      ? 'Aún no se ha entregado; seguimos intentándolo. Si es urgente, llame a la clínica.'
      : 'Not delivered yet — we keep trying. If it is urgent, call the clinic.';
  }
  if (w.waitingReason === 'waiting_for_signin') {
    return locale === 'es' ? 'Se enviará la próxima vez que inicie sesión.' : 'It will be sent the next time you sign in.';
  }
  return undefined;
}

/**
 * The patient's own messages that the EHR does not show yet, as Communications the thread views
 * understand: status preparation/on-hold/not-done map to sending/retrying/rejected. Once the EHR
 * has the message, the EHR's copy is shown instead (matched by the id it was given).
 */
export function localMessagesAsCommunications(writes: LocalWrite[], session: PortalSession, fromEhr: Communication[], locale: 'en' | 'es' = 'en'): Communication[] {
  const inEhr = new Set(fromEhr.map((c) => c.id));
  const out: Communication[] = [];
  for (const w of writes) {
    if (w.payload.kind !== 'message' && w.payload.kind !== 'reply') continue;
    if (w.result.messageId && inEhr.has(w.result.messageId)) continue;
    const subject = { reference: `Patient/${session.patientId}` };
    const sender = { reference: w.author.reference };
    let headerRef: string;
    if (w.payload.kind === 'reply') headerRef = w.payload.threadId;
    else if (w.result.headerId && inEhr.has(w.result.headerId)) headerRef = w.result.headerId;
    else {
      headerRef = w.threadId ?? `local-${w.id}`;
      out.push({
        resourceType: 'Communication',
        id: headerRef,
        status: STATUS[w.status],
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
      status: STATUS[w.status],
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
