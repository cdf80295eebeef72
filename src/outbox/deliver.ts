import type { Appointment, Communication, Resource } from 'fhir/r4.js';
import type { EhrRegistration } from '../config/registration.js';
import type { FhirSession } from '../fhir/fhir-session.js';
import { searchOnePage, updateResource, type EhrRequestOptions } from './ehr-requests.js';
import {
  buildAppointmentRequest,
  buildBinary,
  buildServiceRequest,
  buildThreadHeader,
  buildThreadMessage,
  buildUploadDocument,
  ifNoneExist,
  requestOffset,
  type WriteContext,
} from './resources.js';
import type { DeliveryResult, Payload, StoredFile } from './types.js';

/** A permanent refusal decided here (not by the EHR): the write is marked rejected with this reason. */
export class DeliveryRefused extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'DeliveryRefused';
  }
}

/** Not deliverable yet for a reason that passes (e.g. an earlier write of the thread is not there yet). */
export class DeliveryDeferred extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'DeliveryDeferred';
  }
}

export interface DeliveryJob {
  ctx: WriteContext;
  payload: Payload;
  result: DeliveryResult;
  registration: EhrRegistration;
  fhir: FhirSession;
  extra: EhrRequestOptions;
  /** Saves progress after each step (and checks this node still holds the lease). */
  save: (result: DeliveryResult) => Promise<void>;
  /** For a reply into a thread started here: the EHR id of its header, or how that thread ended. */
  localThread?: () => Promise<{ ehrThreadId?: string; rejected: boolean } | undefined>;
  /** For a cancellation of a request sent from here: what became of it. */
  localRequest?: () => Promise<{ resourceType?: string; resourceId?: string; rejected: boolean } | undefined>;
}

export interface Delivered {
  result: DeliveryResult;
  ehrThreadId?: string;
  resourceType: string;
  resourceId: string;
}

const idOf = (r: Resource): string => {
  if (!r.id) throw new Error('the EHR answered a create without an id');
  return r.id;
};

/**
 * Delivers one write, step by step. Every resource with an identifier goes through conditional
 * create (If-None-Exist on that identifier), so a retry after a lost response finds the earlier
 * one instead of writing it twice. Binaries cannot be matched that way (R4 Binary has no
 * identifier), so their ids are saved the moment they are known and reused by every retry; only
 * a response lost in transit can leave one orphan Binary behind, unreferenced and tagged with
 * the write id, which is preferable to a missing or doubled message.
 */
export async function deliver(job: DeliveryJob): Promise<Delivered> {
  const { payload } = job;
  switch (payload.kind) {
    case 'message': {
      const r = job.result;
      r.binaryIds = await binaries(job, payload.attachments);
      const purpose = job.registration.messaging.purposes.find((p) => p.code === payload.purpose);
      const header = buildThreadHeader(job.ctx, payload, purpose?.label.en ?? payload.purpose);
      if (!r.headerId) {
        r.headerId = idOf((await job.fhir.create(header, ifNoneExist(header.identifier![0]!))).resource);
        await job.save(r);
      }
      if (!r.messageId) {
        const msg = buildThreadMessage(job.ctx, { body: payload.body, attachments: payload.attachments, binaryIds: r.binaryIds, headerId: r.headerId, category: header.category, topic: payload.subject });
        r.messageId = idOf((await job.fhir.create(msg, ifNoneExist(msg.identifier![0]!))).resource);
        await job.save(r);
      }
      return { result: r, ehrThreadId: r.headerId, resourceType: 'Communication', resourceId: r.messageId };
    }
    case 'reply': {
      const r = job.result;
      let headerId = payload.threadId;
      if (job.localThread) {
        const t = await job.localThread();
        if (!t || t.rejected) throw new DeliveryRefused('thread_not_delivered', 'The conversation this reply belongs to could not be started.');
        if (!t.ehrThreadId) throw new DeliveryDeferred('thread_not_delivered_yet');
        headerId = t.ehrThreadId;
      }
      r.headerId = headerId;
      r.binaryIds = await binaries(job, payload.attachments);
      if (!r.messageId) {
        // Items of a thread go out in order, so the newest message of the thread is the one this answers.
        const [[newest], header] = await Promise.all([
          searchOnePage<Communication>(job.extra, 'Communication', { 'part-of': `Communication/${headerId}`, patient: `Patient/${job.ctx.patientId}`, _sort: '-sent', _count: '1' }),
          job.fhir.read<Communication>('Communication', headerId),
        ]);
        const msg = buildThreadMessage(job.ctx, {
          body: payload.body,
          attachments: payload.attachments,
          binaryIds: r.binaryIds,
          headerId,
          ...(newest?.id ? { inResponseTo: newest.id } : {}),
          // The reply is as confidential as its conversation, for every system that reads it after us.
          ...(header.meta?.security?.length ? { security: header.meta.security } : {}),
        });
        r.messageId = idOf((await job.fhir.create(msg, ifNoneExist(msg.identifier![0]!))).resource);
        await job.save(r);
      }
      return { result: r, ehrThreadId: headerId, resourceType: 'Communication', resourceId: r.messageId };
    }
    case 'appointment-request': {
      const r = job.result;
      const offset = requestOffset(job.registration.timeZone, payload, job.ctx.enqueuedAt);
      const resource = payload.as === 'ServiceRequest' ? buildServiceRequest(job.ctx, payload, offset) : buildAppointmentRequest(job.ctx, payload, offset);
      if (!r.resourceId) {
        r.resourceId = idOf((await job.fhir.create(resource as Resource, ifNoneExist(resource.identifier![0]!))).resource);
        r.resourceType = resource.resourceType;
        await job.save(r);
      }
      return { result: r, resourceType: resource.resourceType, resourceId: r.resourceId };
    }
    case 'cancel': {
      const r = job.result;
      let target = payload.appointmentId;
      if (job.localRequest) {
        const req = await job.localRequest();
        if (!req || req.rejected) throw new DeliveryRefused('request_not_delivered', 'The request was not accepted by the clinic, so there was nothing to cancel.');
        if (!req.resourceId) throw new DeliveryDeferred('request_not_delivered_yet');
        if (req.resourceType !== 'Appointment') throw new DeliveryRefused('not_cancellable', 'This request cannot be cancelled here. Please call the clinic.');
        target = req.resourceId;
      }
      const current = await job.fhir.read<Appointment>('Appointment', target);
      if (!(current.participant ?? []).some((p) => p.actor?.reference === `Patient/${job.ctx.patientId}`)) {
        throw new DeliveryRefused('not_cancellable', 'We could not find that appointment request.');
      }
      if (current.status !== 'cancelled') {
        if (current.status !== 'proposed' && current.status !== 'pending') {
          // Which appointment the refusal is about, so that its page can say the cancellation did not happen.
          r.resourceType = 'Appointment';
          r.resourceId = target;
          await job.save(r);
          throw new DeliveryRefused('not_cancellable', 'The clinic has already booked or closed this request. Please call the clinic to change it.');
        }
        const { meta, ...rest } = current;
        const updated: Appointment & { id: string } = { ...rest, id: target, status: 'cancelled', cancelationReason: { text: 'Cancelled by the patient in the portal' } };
        await updateResource(job.extra, updated, meta?.versionId);
      }
      r.resourceType = 'Appointment';
      r.resourceId = target;
      await job.save(r);
      return { result: r, resourceType: 'Appointment', resourceId: target };
    }
    case 'upload': {
      const r = job.result;
      r.binaryIds = await binaries(job, [payload.file]);
      const doc = buildUploadDocument(job.ctx, payload, r.binaryIds[0]!);
      if (!r.resourceId) {
        r.resourceId = idOf((await job.fhir.create(doc, ifNoneExist(doc.identifier![0]!))).resource);
        r.resourceType = 'DocumentReference';
        await job.save(r);
      }
      return { result: r, resourceType: 'DocumentReference', resourceId: r.resourceId };
    }
  }
}

async function binaries(job: DeliveryJob, files: StoredFile[]): Promise<string[]> {
  const ids = [...(job.result.binaryIds ?? [])];
  for (const [i, f] of files.entries()) {
    if (ids[i]) continue;
    ids[i] = idOf((await job.fhir.create(buildBinary(job.ctx, f, i))).resource);
    job.result.binaryIds = ids;
    await job.save(job.result);
  }
  return ids;
}
