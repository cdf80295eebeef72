import { randomUUID } from 'node:crypto';
import type { Appointment, Communication } from 'fhir/r4.js';
import type { AppServices } from '../services.js';
import type { NewAppointmentRequest, NewDocumentUpload, NewMessage, NewReply, PortalCall, WriteAccepted } from '../portal/portal.js';
import { AppError } from '../http/errors.js';
import { EhrError } from '../fhir/fhir-errors.js';
import { fhirForSession } from '../fhir/for-session.js';
import { OutboxItemEntity, type OutboxItemRow } from '../store/entities/outbox-item.js';
import { entityColumns } from '../store/row-select.js';
import { runStatement, statement, type Statement } from '../store/statement.js';
import { localDay } from '../views/format-date.js';
import { decide } from '../policy/decide.js';
import { policyContext } from '../portal/policy-context.js';
import { isOverdue } from './schedule.js';
import { validateAppointmentRequest, validateCancel, validateMessage, validateReply, validateUpload } from './validate.js';
import { LOCAL_THREAD_PREFIX, type Author, type DeliveryResult, type LocalWrite, type LocalWriteFilter, type OutboxKind, type Payload, type SealedWrite } from './types.js';

const RESOURCE_TYPE: Record<OutboxKind, string> = {
  message: 'Communication',
  reply: 'Communication',
  'appointment-request': 'Appointment',
  cancel: 'Appointment',
  upload: 'DocumentReference',
};

const CANCELLABLE = new Set(['proposed', 'pending']);

export const threadNotFound = () => new AppError(404, 'thread_not_found', 'We could not find that conversation.');

/** Who writes: the patient, or the proxy (RelatedPerson) signed in for them. Staff do not write as patients. */
export function authorOf(call: PortalCall): Author {
  const { viewer, patientId } = call.session;
  if (viewer.kind === 'patient') return { kind: 'patient', reference: `Patient/${patientId}` };
  if (viewer.kind === 'proxy') return { kind: 'proxy', reference: `RelatedPerson/${viewer.id}` };
  throw new AppError(403, 'not_a_patient_write', 'Clinic staff cannot send patient messages or requests from the portal.');
}

/**
 * Patient writes: validated, then stored with their audit row in one transaction and answered at
 * once ("sending"); OutboxWorker delivers them to the EHR. Nothing here talks to the EHR except
 * the ownership checks a reply or a cancellation needs.
 */
export class Outbox {
  /** localWrites' statement per filter set, built once from the entity's columns. */
  private readonly selects = new Map<string, Statement>();
  /** Told after each write is stored (committed): this node's worker, so it need not wait for its poll. */
  private readonly storedListeners = new Set<() => void>();

  constructor(private readonly s: AppServices) {}

  /** Calls `listener` after each write is stored; returns what stops it. */
  onStored(listener: () => void): () => void {
    this.storedListeners.add(listener);
    return () => this.storedListeners.delete(listener);
  }

  async enqueueMessage(call: PortalCall, input: NewMessage): Promise<WriteAccepted & { threadId: string }> {
    const reg = this.enabledMessaging(call);
    const payload = validateMessage(input, reg.messaging);
    const id = randomUUID();
    const threadId = `${LOCAL_THREAD_PREFIX}${id}`;
    await this.store(call, id, payload, threadId);
    return { id, status: 'sending', threadId };
  }

  async enqueueReply(call: PortalCall, threadId: string, input: NewReply): Promise<WriteAccepted & { threadId: string }> {
    const reg = this.enabledMessaging(call);
    if (typeof threadId !== 'string' || !/^[A-Za-z0-9\-.]{1,80}$/.test(threadId)) throw threadNotFound();
    const payload = validateReply(threadId, input, reg.messaging);
    const threadKey = await this.threadKeyFor(call, threadId);
    const id = randomUUID();
    await this.store(call, id, payload, threadKey);
    return { id, status: 'sending', threadId };
  }

  async enqueueAppointmentRequest(call: PortalCall, input: NewAppointmentRequest): Promise<WriteAccepted> {
    authorOf(call);
    const reg = this.s.registration(call.session.ehrId);
    if (!reg.appointmentRequests.enabled) throw new AppError(403, 'appointment_requests_disabled', 'This clinic does not take appointment requests here.');
    const payload = validateAppointmentRequest(input, reg.appointmentRequests.as, localDay(reg.timeZone, this.s.clock()));
    const id = randomUUID();
    // A cancellation of this request before it is delivered queues behind it (same thread key).
    await this.store(call, id, payload, `appointment-${id}`);
    return { id, status: 'sending' };
  }

  /** `appointmentId`: the EHR's Appointment id, or the local id of a request not delivered yet. */
  async enqueueCancel(call: PortalCall, appointmentId: string): Promise<WriteAccepted> {
    authorOf(call);
    const payload = validateCancel(appointmentId);
    const { ehrId, patientId } = call.session;
    const repo = this.s.db.getRepository(OutboxItemEntity);
    const local = /^[0-9a-f-]{36}$/.test(payload.appointmentId) ? await repo.findOneBy({ id: payload.appointmentId, ehrId, patientId, kind: 'appointment-request' }) : null;
    let threadKey: string | null = null;
    if (local) {
      if (local.status === 'rejected') throw new AppError(409, 'not_cancellable', 'This request was not accepted by the clinic, so there is nothing to cancel.');
      if ((local.result as DeliveryResult).resourceType === 'ServiceRequest') throw new AppError(409, 'not_cancellable', 'This request cannot be cancelled here. Please call the clinic.');
      threadKey = local.threadKey;
    } else {
      const fhir = fhirForSession(this.s, call.session);
      let appt: Appointment;
      try {
        appt = await fhir.read<Appointment>('Appointment', payload.appointmentId);
      } catch (e) {
        if (e instanceof EhrError && (e.kind === 'not_found' || e.kind === 'forbidden')) throw new AppError(404, 'appointment_not_found', 'We could not find that appointment request.');
        throw e;
      }
      const mine = appt.resourceType === 'Appointment' && (appt.participant ?? []).some((p) => p.actor?.reference === `Patient/${patientId}`);
      if (!mine || !(await this.visibleToViewer(call, appt))) throw new AppError(404, 'appointment_not_found', 'We could not find that appointment request.');
      if (!CANCELLABLE.has(appt.status)) throw new AppError(409, 'not_cancellable', 'Only requests the clinic has not booked yet can be cancelled here. Please call the clinic.');
    }
    const id = randomUUID();
    await this.store(call, id, payload, threadKey);
    return { id, status: 'sending' };
  }

  async enqueueUpload(call: PortalCall, input: NewDocumentUpload): Promise<WriteAccepted> {
    authorOf(call);
    const reg = this.s.registration(call.session.ehrId);
    const payload = validateUpload(input, reg.messaging.maxAttachmentBytes);
    const id = randomUUID();
    await this.store(call, id, payload, null);
    return { id, status: 'sending' };
  }

  /** Local writes of this patient (decrypted) for merging into views, oldest first. */
  async localWrites(ehrId: string, patientId: string, opts: LocalWriteFilter = {}): Promise<LocalWrite[]> {
    return this.open(await this.sealedWrites(ehrId, patientId, opts));
  }

  /**
   * Local writes of this patient with their payloads still sealed, oldest first: what a view
   * needs to tell which of them the EHR already shows, so that only the others are decrypted.
   */
  async sealedWrites(ehrId: string, patientId: string, opts: LocalWriteFilter = {}): Promise<SealedWrite[]> {
    // A prepared statement per filter set: every messages page and the summary read this.
    const where = ['ehr_id = $1', 'patient_id = $2'];
    const params: (string | string[])[] = [ehrId, patientId];
    if (opts.kinds) where.push(`kind = ANY($${params.push([...opts.kinds])}::text[])`);
    if (opts.threadId) {
      const key = await this.canonicalThreadKey(ehrId, patientId, opts.threadId);
      where.push(`(thread_key = $${params.push(key)} OR thread_key = $${params.push(opts.threadId)})`);
    }
    const name = `outbox_local_writes${opts.kinds ? '_kinds' : ''}${opts.threadId ? '_thread' : ''}`;
    let select = this.selects.get(name);
    if (select === undefined) {
      select = statement(name, `SELECT ${entityColumns(this.s.db, OutboxItemEntity)} FROM outbox_item WHERE ${where.join(' AND ')} ORDER BY seq ASC`);
      this.selects.set(name, select);
    }
    const rows = await runStatement<OutboxItemRow>(this.s.db, select, params);
    // A thread started here: its EHR id, for the replies written into it.
    const origin = new Map<string, string | null>();
    for (const r of rows) if (r.kind === 'message') origin.set(`${LOCAL_THREAD_PREFIX}${r.id}`, r.ehrThreadId);
    return rows.map((row) => ({ id: row.id, kind: row.kind as OutboxKind, result: row.result as DeliveryResult, row, originThread: row.threadKey ? origin.get(row.threadKey) : undefined }));
  }

  /** Decrypts local writes for a view. */
  async open(writes: readonly SealedWrite[]): Promise<LocalWrite[]> {
    const overdueMs = this.s.config.env.OUTBOX_OVERDUE_MINUTES * 60_000;
    const now = this.s.clock();
    return Promise.all(
      writes.map(async ({ row: r, kind, result, originThread }): Promise<LocalWrite> => {
        const payload = await this.s.cipher.decryptJson<Payload>(r.payload);
        const created = new Date(r.createdAt);
        const replyTo = payload.kind === 'reply' && !payload.threadId.startsWith(LOCAL_THREAD_PREFIX) ? payload.threadId : undefined;
        const ehrThreadId = r.ehrThreadId ?? originThread ?? replyTo;
        return {
          id: r.id,
          kind,
          status: r.status,
          ...(ehrThreadId ? { ehrThreadId } : {}),
          createdAt: created.toISOString(),
          ...(r.deliveredAt ? { deliveredAt: new Date(r.deliveredAt).toISOString() } : {}),
          overdue: isOverdue(created, r.status, now, overdueMs),
          ...(r.reasonCode && r.status !== 'delivered' ? { waitingReason: r.reasonCode } : {}),
          ...(r.reason ? { rejectionReason: await this.s.cipher.decrypt(r.reason) } : {}),
          result,
          author: r.viewerKind === 'proxy' ? { kind: 'proxy', reference: `RelatedPerson/${r.viewerId}` } : { kind: 'patient', reference: `Patient/${r.patientId}` },
          payload,
        };
      }),
    );
  }

  /** Resolves a local thread id (`local-…`) to the EHR's thread header id once delivered. */
  async resolveThread(ehrId: string, patientId: string, threadId: string): Promise<{ local: boolean; ehrThreadId?: string }> {
    if (!threadId.startsWith(LOCAL_THREAD_PREFIX)) return { local: false, ehrThreadId: threadId };
    const origin = await this.localThreadOrigin(ehrId, patientId, threadId);
    if (!origin) throw threadNotFound();
    return origin.ehrThreadId ? { local: true, ehrThreadId: origin.ehrThreadId } : { local: true };
  }

  private enabledMessaging(call: PortalCall) {
    authorOf(call);
    const reg = this.s.registration(call.session.ehrId);
    if (!reg.messaging.enabled) throw new AppError(403, 'messaging_disabled', 'This clinic does not take messages here.');
    return reg;
  }

  private localThreadOrigin(ehrId: string, patientId: string, threadId: string): Promise<OutboxItemRow | null> {
    const id = threadId.slice(LOCAL_THREAD_PREFIX.length);
    if (!/^[0-9a-f-]{36}$/.test(id)) return Promise.resolve(null);
    return this.s.db.getRepository(OutboxItemEntity).findOneBy({ id, ehrId, patientId, kind: 'message' });
  }

  /**
   * One ordering key per conversation: a thread started here keeps its local key after the EHR
   * gave it an id, so replies sent before and after that moment still go out in order.
   */
  private async canonicalThreadKey(ehrId: string, patientId: string, threadId: string): Promise<string> {
    if (threadId.startsWith(LOCAL_THREAD_PREFIX)) return threadId;
    const origin = await this.s.db.getRepository(OutboxItemEntity).findOneBy({ ehrId, patientId, kind: 'message', ehrThreadId: threadId });
    return origin ? `${LOCAL_THREAD_PREFIX}${origin.id}` : threadId;
  }

  /** The thread must exist and be this patient's; checked locally first, else on the EHR. */
  private async threadKeyFor(call: PortalCall, threadId: string): Promise<string> {
    const { ehrId, patientId } = call.session;
    if (threadId.startsWith(LOCAL_THREAD_PREFIX)) {
      const origin = await this.localThreadOrigin(ehrId, patientId, threadId);
      if (!origin || origin.status === 'rejected') throw threadNotFound();
      return threadId;
    }
    const key = await this.canonicalThreadKey(ehrId, patientId, threadId);
    if (key !== threadId) return key;
    // An earlier write of this viewer into the same EHR thread already passed the check below.
    const known = await this.s.db.getRepository(OutboxItemEntity).findOneBy({ ehrId, patientId, viewerId: call.session.viewer.id, kind: 'reply', threadKey: threadId, status: 'delivered' });
    if (known) return threadId;
    let header: Communication;
    try {
      header = await fhirForSession(this.s, call.session).read<Communication>('Communication', threadId);
    } catch (e) {
      if (e instanceof EhrError && (e.kind === 'not_found' || e.kind === 'forbidden')) throw threadNotFound();
      throw e;
    }
    const ours = header.resourceType === 'Communication' && header.subject?.reference === `Patient/${patientId}`;
    // A conversation the viewer may not see (a minor's confidential thread, for a proxy) does not exist for them.
    if (!ours || !(await this.visibleToViewer(call, header))) throw threadNotFound();
    return threadId;
  }

  /** What the release policy decides for this viewer on a resource a write refers to. */
  private async visibleToViewer(call: PortalCall, resource: Communication | Appointment): Promise<boolean> {
    return decide(resource, await policyContext(call), this.s.rules(call.session.ehrId)).visible;
  }

  private async store(call: PortalCall, id: string, payload: Payload, threadKey: string | null): Promise<void> {
    const { session, meta } = call;
    const author = authorOf(call);
    const now = this.s.clock();
    const sealed = await this.s.cipher.encryptJson(payload);
    const row: Omit<OutboxItemRow, 'seq'> = {
      id,
      ehrId: session.ehrId,
      patientId: session.patientId,
      viewerKind: author.kind,
      viewerId: session.viewer.id,
      sessionKey: session.key,
      kind: payload.kind,
      threadKey,
      status: 'sending',
      payload: sealed,
      result: {},
      ehrThreadId: null,
      reasonCode: null,
      reason: null,
      attempts: 0,
      nextAttemptAt: now,
      lockedUntil: null,
      lockOwner: null,
      createdAt: now,
      updatedAt: now,
      deliveredAt: null,
    };
    await this.s.db.transaction(async (m) => {
      await m.getRepository(OutboxItemEntity).insert(row);
      await this.s.audit.record(
        {
          actor: { kind: session.viewer.kind, id: session.viewer.id },
          ehrId: session.ehrId,
          patientId: session.patientId,
          action: 'write',
          resourceType: payload.kind === 'appointment-request' ? payload.as : RESOURCE_TYPE[payload.kind],
          resourceId: id,
          outcome: 'pending',
          decision: `outbox:${payload.kind}`,
          ...(meta.ip ? { ip: meta.ip } : {}),
          ...(meta.userAgent ? { userAgent: meta.userAgent } : {}),
          ...(meta.requestId ? { requestId: meta.requestId } : {}),
        },
        m,
      );
    });
    for (const listener of this.storedListeners) listener();
  }
}
