import { Readable } from 'node:stream';
import type { Appointment, Communication, DocumentReference, FhirResource, Attachment, DiagnosticReport } from 'fhir/r4.js';
import type { AuditInput } from '../audit/audit-record.js';
import type { Decision } from '../policy/types.js';
import { fhirForSession } from '../fhir/for-session.js';
import type { FhirSession } from '../fhir/fhir-session.js';
import { AppError, notFound } from '../http/errors.js';
import { featuresFromScope } from '../smart/scopes.js';
import { attachmentContent, attachmentPayloads, mapThreads, mapThread } from '../views/messages.js';
import { mapAppointments, toIcs } from '../views/appointments.js';
import { mapResults, mapResultDetail } from '../views/results.js';
import { mapDocuments } from '../views/documents.js';
import { mapSummary } from '../views/summary.js';
import { loadClinicalRecords } from './clinical-records.js';
import { policyContext } from './policy-context.js';
import { countHeld, hiddenWithThread } from '../policy/thread-visibility.js';
import { released } from './released.js';
import { releaseChoices, saveReleaseChoices, type ReleaseChoices, type ReleaseChoicesPatch } from './release-choices.js';
import type { SeenViewer } from './seen-marks.js';
import { LOCAL_THREAD_PREFIX } from '../outbox/types.js';
import { APPOINTMENT_WRITES, appointmentWritesToOpen, ehrCopies, localMessagesAsCommunications, localThreadsInEhr, localRequestsAsAppointments, localUploads, shownByEhr, THREAD_WRITES, uploadsToOpen, withCancellations } from './local-writes.js';
import type {
  Portal,
  PortalCall,
  MessagingOptions,
  NewMessage,
  NewReply,
  NewAppointmentRequest,
  NewDocumentUpload,
  WriteAccepted,
  DocumentContent,
  ActivityList,
} from './portal.js';
import { describeActivity } from './activity-words.js';
import { streamAttachment } from './attachment-content.js';
import { FHIR_ID } from '../fhir/fhir-id.js';


function checkId(id: string): string {
  if (!FHIR_ID.test(id)) throw notFound();
  return id;
}

/**
 * Who did it, for the audit trail. A proxy's or clinician's name goes in (encrypted) so the patient's
 * activity page can say who looked; the patient's own name is not needed there.
 */
function actorOf(call: PortalCall): AuditInput['actor'] {
  const { viewer, secrets } = call.session;
  return { kind: viewer.kind, id: viewer.id, ...(viewer.kind !== 'patient' && secrets.viewerName ? { name: secrets.viewerName } : {}) };
}

/** Entries on one page of the activity list. */
const ACTIVITY_PAGE = 100;

function seenBy(call: PortalCall): SeenViewer {
  return { ehrId: call.session.ehrId, patientId: call.session.patientId, viewer: call.session.viewer };
}

function decisionCode(d: Decision): string {
  return [d.action, d.ruleId, d.basis].filter(Boolean).join(':');
}

/**
 * The portal's use cases over the EHR: read through the session's FHIR client, decide through the
 * release policy, map through the pure views, and record every PHI read in the audit trail.
 */
const clients = new WeakMap<PortalCall, FhirSession>();

export class PortalService implements Portal {
  features(call: PortalCall) {
    return featuresFromScope(call.session.scopes);
  }

  /** One FHIR client per call: the summary's parallel searches share it. */
  private fhir(call: PortalCall): FhirSession {
    let fhir = clients.get(call);
    if (fhir === undefined) {
      fhir = fhirForSession(call.s, call.session);
      clients.set(call, fhir);
    }
    return fhir;
  }

  /** One audit row for the read, plus one per decision that held something back. */
  private async audit(call: PortalCall, resourceType: string, resourceId: string | undefined, decisions?: Map<string, Decision>): Promise<void> {
    const base = { actor: actorOf(call), ehrId: call.session.ehrId, patientId: call.session.patientId, ip: call.meta.ip, userAgent: call.meta.userAgent, requestId: call.meta.requestId };
    const rows: AuditInput[] = [{ ...base, action: 'read', resourceType, ...(resourceId ? { resourceId } : {}), outcome: 'success' }];
    for (const [ref, d] of decisions ?? []) {
      if (d.action === 'release') continue;
      const [type, id] = ref.split('/');
      rows.push({ ...base, action: d.visible ? 'policy_release' : 'policy_hold', resourceType: type!, ...(id && !id.startsWith('#') ? { resourceId: id } : {}), outcome: 'success', decision: decisionCode(d) });
      call.s.metrics.policyDecisions.inc({ action: d.action, rule: d.ruleId });
    }
    await call.s.audit.record(rows);
  }

  /**
   * Starts the audit append, lets its statement reach the database, then maps the view (pure CPU)
   * while the database works; answers only once the entries are committed. Nothing leaves
   * unaudited, and the round trip costs no time of its own.
   */
  private async mapWhileAuditing<T>(call: PortalCall, what: [resourceType: string, resourceId: string | undefined, decisions?: Map<string, Decision>], map: () => T): Promise<T> {
    const audited = this.audit(call, ...what);
    // Awaited below; this only keeps a failure that lands while mapping from counting as unhandled.
    audited.catch(() => undefined);
    await new Promise<void>((resolve) => setImmediate(resolve));
    const view = map();
    await audited;
    return view;
  }

  /** Marks a section seen by this viewer now, beside the audit append (awaited by the caller before it answers). */
  private markSeen(call: PortalCall, item: 'results' | 'documents'): Promise<void> {
    const marked = call.s.seen.mark(seenBy(call), item, call.view.now);
    // Awaited by the caller; this only keeps a failure that lands meanwhile from counting as unhandled.
    marked.catch(() => undefined);
    return marked;
  }

  /** Communications the viewer may see (proxies never learn of minors' confidential threads). */
  private async communications(
    call: PortalCall,
  ): Promise<{ comms: Communication[]; included: FhirResource[]; cut: boolean; decisions: Map<string, Decision>; moved: Map<string, string>; held: number }> {
    const [found, ctx, sealed] = await Promise.all([
      this.fhir(call).searchPatient<Communication>('Communication', 'subject', { _include: 'Communication:sender', _count: '100', _sort: '-sent' }),
      policyContext(call),
      call.s.outbox.sealedWrites(call.session.ehrId, call.session.patientId, { kinds: THREAD_WRITES }),
    ]);
    const { visible, withheld, decisions } = released(found.matches, ctx, call.s.rules(call.session.ehrId));
    // Only what the EHR does not show yet is decrypted: a long history of delivered messages costs nothing here.
    const copies = ehrCopies(visible);
    const moved = localThreadsInEhr(sealed, copies);
    const local = await call.s.outbox.open(sealed.filter((w) => !shownByEhr(w, copies)));
    visible.push(...localMessagesAsCommunications(local, call.session, copies, moved, call.view.locale));
    // A message in a hidden conversation is hidden with it, from the EHR or written here.
    const withThread = hiddenWithThread(visible, withheld);
    for (const [id, by] of withThread) if (!id.startsWith(LOCAL_THREAD_PREFIX)) decisions.set(`Communication/${id}`, decisions.get(`Communication/${by}`)!);
    const comms = withThread.size === 0 ? visible : visible.filter((c) => !withThread.has(c.id!));
    // What is held for the viewer is counted, never shown; what is hidden from them is not even counted.
    const pending = new Set([...withheld].filter((id) => decisions.get(`Communication/${id}`)?.presence === 'pending'));
    const held = pending.size === 0 ? 0 : countHeld(found.matches, pending);
    return { comms, included: found.included, cut: found.cut, decisions, moved, held };
  }

  async threads(call: PortalCall) {
    const [{ comms, included, cut, decisions, held }, lastSeen] = await Promise.all([this.communications(call), call.s.seen.lastSeen(seenBy(call))]);
    const list = await this.mapWhileAuditing(call, ['Communication', undefined, decisions], () => mapThreads(comms, included, { ...call.view, lastSeen }, { held }));
    return cut ? { ...list, cut: true } : list;
  }

  async thread(call: PortalCall, threadId: string) {
    checkId(threadId);
    const resolved = await call.s.outbox.resolveThread(call.session.ehrId, call.session.patientId, threadId);
    const [{ comms, included, decisions, moved }, lastSeen] = await Promise.all([this.communications(call), call.s.seen.lastSeen(seenBy(call))]);
    // The EHR may show a thread started here before delivery has saved the id it was given.
    const id = resolved.ehrThreadId ?? moved.get(threadId) ?? threadId;
    // Shown with what was unread when it was opened; from now on, read.
    const ctx = { ...call.view, lastSeen };
    const view = mapThread(id, comms, included, ctx) ?? (resolved.local && id !== threadId ? mapThread(threadId, comms, included, ctx) : undefined);
    if (!view) throw new AppError(404, 'thread_not_found', 'We could not find that conversation.');
    await Promise.all([this.audit(call, 'Communication', id, decisions), call.s.seen.mark(seenBy(call), `thread:${view.id}`, call.view.now)]);
    return view;
  }

  /** The EHR's appointments the viewer may see (proxies never learn of a minor's confidential visits). */
  private async appointmentResources(call: PortalCall) {
    const [found, ctx] = await Promise.all([
      this.fhir(call).searchPatient<Appointment>('Appointment', 'patient', { _include: 'Appointment:actor', _count: '100', _sort: 'date' }),
      policyContext(call),
    ]);
    const { visible, decisions } = released(found.matches, ctx, call.s.rules(call.session.ehrId));
    return { ...found, matches: visible, decisions };
  }

  /** The EHR's appointments, and the patient's requests made here that the EHR does not show. */
  async appointments(call: PortalCall) {
    const { ehrId, patientId } = call.session;
    const [found, sealed] = await Promise.all([this.appointmentResources(call), call.s.outbox.sealedWrites(ehrId, patientId, { kinds: APPOINTMENT_WRITES })]);
    const local = localRequestsAsAppointments(await call.s.outbox.open(appointmentWritesToOpen(sealed, ehrCopies(found.matches))), call.session, call.s.registration(ehrId).timeZone, call.view.locale);
    const list = await this.mapWhileAuditing(call, ['Appointment', undefined, found.decisions], () =>
      mapAppointments([...withCancellations(found.matches, local.cancelling), ...local.appointments], found.included, call.view, {
        requests: local.requests,
        cancellations: local.cancelling,
      }),
    );
    return found.cut ? { ...list, cut: true } : list;
  }

  async appointmentIcs(call: PortalCall, appointmentId: string): Promise<string> {
    checkId(appointmentId);
    const list = await this.appointments(call);
    const appt = list.items.find((a) => a.id === appointmentId);
    if (!appt) throw new AppError(404, 'appointment_not_found', 'We could not find that appointment.');
    const reg = call.s.registration(call.session.ehrId);
    return toIcs(appt, { prodId: '-//fhir-portal-adapter//EN', clinicName: reg.branding.clinicName });
  }

  async results(call: PortalCall) {
    const rec = await loadClinicalRecords(call, this.fhir(call), { reports: true, documents: false });
    const { visible, pending, decisions } = rec.outcome;
    const seen = this.markSeen(call, 'results');
    const list = await this.mapWhileAuditing(call, ['DiagnosticReport', undefined, decisions], () =>
      mapResults(visible.reports, [...visible.observations, ...rec.supporting], pending, call.view),
    );
    await seen;
    return rec.cut ? { ...list, cut: true } : list;
  }

  async result(call: PortalCall, reportId: string) {
    checkId(reportId);
    const rec = await loadClinicalRecords(call, this.fhir(call), { reports: true, documents: false });
    const { visible, pending, decisions } = rec.outcome;
    const detail = mapResultDetail(reportId, visible.reports, [...visible.observations, ...rec.supporting], pending, call.view);
    if (!detail) throw new AppError(404, 'result_not_found', 'We could not find that result.');
    const only = new Map([...decisions].filter(([k]) => k.endsWith(`/${reportId}`)));
    await this.audit(call, 'DiagnosticReport', reportId, only);
    return detail;
  }

  async resultForm(call: PortalCall, reportId: string, index: number): Promise<DocumentContent> {
    checkId(reportId);
    const fhir = this.fhir(call);
    const rec = await loadClinicalRecords(call, fhir, { reports: true, documents: false });
    const report = rec.outcome.visible.reports.find((r: DiagnosticReport) => r.id === reportId);
    const form = report?.presentedForm?.[index];
    if (!report || !form) throw new AppError(404, 'result_not_found', 'We could not find that report.');
    await this.audit(call, 'DiagnosticReport', reportId);
    return streamAttachment(fhir, form, `report-${reportId}`);
  }

  /** The EHR's documents, and the patient's uploads made here that the EHR does not show. */
  async documents(call: PortalCall) {
    const { ehrId, patientId } = call.session;
    const [rec, sealed] = await Promise.all([loadClinicalRecords(call, this.fhir(call), { reports: true, documents: true }), call.s.outbox.sealedWrites(ehrId, patientId, { kinds: ['upload'] })]);
    const { visible, pending, decisions } = rec.outcome;
    const held = new Map([...decisions].filter(([k]) => k.startsWith('DocumentReference/')));
    // Every document the EHR returned, released or not: an upload it holds back is not shown twice.
    const uploads = localUploads(await call.s.outbox.open(uploadsToOpen(sealed, ehrCopies(rec.allDocuments))), call.view.locale);
    const seen = this.markSeen(call, 'documents');
    const list = await this.mapWhileAuditing(call, ['DocumentReference', undefined, held], () => mapDocuments(visible.documents, rec.supporting, pending, call.view, { uploads }));
    await seen;
    return rec.cut ? { ...list, cut: true } : list;
  }

  async documentContent(call: PortalCall, documentId: string): Promise<DocumentContent> {
    checkId(documentId);
    const fhir = this.fhir(call);
    const rec = await loadClinicalRecords(call, fhir, { reports: true, documents: true });
    const doc = rec.outcome.visible.documents.find((d: DocumentReference) => d.id === documentId);
    if (!doc) throw new AppError(404, 'document_not_found', 'We could not find that document, or it is not available to you yet.');
    const attachment = doc.content.find((c) => c.attachment)?.attachment as Attachment | undefined;
    if (!attachment) throw new AppError(404, 'document_not_found', 'That document has no content to show.');
    await this.audit(call, 'DocumentReference', documentId);
    return streamAttachment(fhir, attachment, doc.description ?? `document-${documentId}`);
  }

  /** An attachment of a message the viewer may see (the Communication is re-read and re-decided). */
  async messageAttachment(call: PortalCall, messageId: string, index: number): Promise<DocumentContent> {
    checkId(messageId);
    const { comms } = await this.communications(call);
    const comm = comms.find((c) => c.id === messageId);
    const entry = comm === undefined ? undefined : attachmentPayloads(comm)[index];
    const attachment = entry === undefined ? undefined : attachmentContent(entry);
    if (!comm || !attachment) throw new AppError(404, 'attachment_not_found', 'We could not find that attachment.');
    await this.audit(call, 'Communication', messageId);
    return streamAttachment(this.fhir(call), attachment, `attachment-${messageId}-${index}`);
  }

  async summary(call: PortalCall) {
    const fhir = this.fhir(call);
    // One parallel wave: messages, appointments, reports with results, documents.
    const [messages, appts, rec, lastSeen] = await Promise.all([
      this.communications(call),
      this.appointmentResources(call),
      loadClinicalRecords(call, fhir, { reports: true, documents: true }),
      call.s.seen.lastSeen(seenBy(call)),
    ]);
    const { visible, pending, decisions } = rec.outcome;
    const seenCtx = { ...call.view, lastSeen };
    const view = await this.mapWhileAuditing(call, ['Patient', call.session.patientId, new Map([...messages.decisions, ...appts.decisions, ...decisions])], () =>
      mapSummary(
        {
          threads: mapThreads(messages.comms, messages.included, seenCtx, { held: messages.held }),
          appointments: mapAppointments(appts.matches, appts.included, call.view),
          results: mapResults(visible.reports, [...visible.observations, ...rec.supporting], pending, call.view, { trends: false }),
          documents: mapDocuments(visible.documents, rec.supporting, pending, call.view),
        },
        seenCtx,
      ),
    );
    return messages.cut || appts.cut || rec.cut ? { ...view, cut: true } : view;
  }

  async activity(call: PortalCall, before?: number): Promise<ActivityList> {
    const { viewer } = call.session;
    // A proxy sees what they did, not when the patient signs in or writes: a minor's own use of
    // the portal (confidential messages among it) is hers. The patient sees everyone's.
    const own = viewer.kind === 'proxy';
    // One more than a page: whether there is an older page to offer.
    const found = await call.s.audit.forPatient(call.session.ehrId, call.session.patientId, {
      limit: ACTIVITY_PAGE + 1,
      ...(before !== undefined ? { before } : {}),
      ...(own ? { actor: { kind: 'proxy', id: viewer.id } } : {}),
    });
    const items = found.slice(0, ACTIVITY_PAGE);
    // The list says who looked at the record and names proxies: reading it is a PHI read too.
    await this.audit(call, 'AuditEvent', undefined);
    return {
      scope: own ? 'viewer' : 'record',
      older: found.length > ACTIVITY_PAGE ? items[items.length - 1]!.seq : null,
      items: items.map((i) => ({
        seq: i.seq,
        at: i.at,
        atDisplay: new Intl.DateTimeFormat(call.view.locale === 'es' ? 'es-US' : 'en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: call.view.timeZone }).format(new Date(i.at)),
        action: i.action,
        description: describeActivity(i, call.view.locale, call.session),
        who: i.who,
        ...(i.device ? { device: i.device } : {}),
        outcome: i.outcome,
      })),
    };
  }

  messagingOptions(call: PortalCall): MessagingOptions {
    const m = call.s.registration(call.session.ehrId).messaging;
    const l = call.view.locale;
    return {
      enabled: m.enabled && featuresFromScope(call.session.scopes).messages.write,
      purposes: m.purposes.map((p) => ({ code: p.code, label: (l === 'es' ? p.label.es : undefined) ?? p.label.en })),
      emergencyNotice: (l === 'es' ? m.emergencyNotice.es : undefined) ?? m.emergencyNotice.en,
      responseTime: (l === 'es' ? m.responseTime.es : undefined) ?? m.responseTime.en,
      maxBodyChars: m.maxBodyChars,
      maxSubjectChars: 200,
      maxAttachments: m.maxAttachments,
      maxAttachmentBytes: m.maxAttachmentBytes,
      acceptedTypes: ['application/pdf', 'image/jpeg', 'image/png'],
    };
  }

  sendMessage(call: PortalCall, input: NewMessage): Promise<WriteAccepted> {
    return call.s.outbox.enqueueMessage(call, input);
  }

  reply(call: PortalCall, threadId: string, input: NewReply): Promise<WriteAccepted> {
    checkId(threadId);
    return call.s.outbox.enqueueReply(call, threadId, input);
  }

  requestAppointment(call: PortalCall, input: NewAppointmentRequest): Promise<WriteAccepted> {
    return call.s.outbox.enqueueAppointmentRequest(call, input);
  }

  cancelAppointmentRequest(call: PortalCall, requestId: string): Promise<WriteAccepted> {
    checkId(requestId);
    return call.s.outbox.enqueueCancel(call, requestId);
  }

  uploadDocument(call: PortalCall, input: NewDocumentUpload): Promise<WriteAccepted> {
    return call.s.outbox.enqueueUpload(call, input);
  }

  releaseChoices(call: PortalCall): Promise<ReleaseChoices> {
    return releaseChoices(call);
  }

  saveReleaseChoices(call: PortalCall, patch: ReleaseChoicesPatch): Promise<ReleaseChoices> {
    return saveReleaseChoices(call, patch);
  }
}

export { Readable };
