import type { ReleaseChoices, ReleaseChoicesPatch } from './release-choices.js';
import type { Readable } from 'node:stream';
import type { AppServices } from '../services.js';
import type { PortalSession } from '../smart/sessions.js';
import type { ViewContext } from '../views/view-context.js';
import type { SummaryView } from '../views/summary.js';
import type { ThreadList, ThreadView, DeliveryStatus } from '../views/messages.js';
import type { AppointmentList } from '../views/appointments.js';
import type { ResultList, ResultDetail } from '../views/results.js';
import type { DocumentList } from '../views/documents.js';
import type { PendingView } from '../views/pending.js';
import type { FeatureAvailability, Feature } from '../smart/scopes.js';

/**
 * The portal's use cases, shared by the JSON API and the patient pages: both are thin adapters
 * over these calls, so the release policy, audit and outbox apply the same way in each.
 */
export interface PortalCall {
  s: AppServices;
  session: PortalSession;
  view: ViewContext;
  meta: { ip: string; userAgent: string; requestId: string };
}

export interface MessagingOptions {
  enabled: boolean;
  purposes: { code: string; label: string }[];
  emergencyNotice: string;
  responseTime: string;
  maxBodyChars: number;
  maxSubjectChars: number;
  maxAttachments: number;
  maxAttachmentBytes: number;
  acceptedTypes: string[];
}

export interface UploadedFile {
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface NewMessage {
  purpose: string;
  subject: string;
  body: string;
  attachments?: UploadedFile[];
}

export interface NewReply {
  body: string;
  attachments?: UploadedFile[];
}

export interface NewAppointmentRequest {
  reason: string;
  visitType: 'in-person' | 'video';
  /** Preferred slots, ISO dates or date-times with a part of day. */
  preferred: { date: string; partOfDay: 'morning' | 'afternoon' | 'any' }[];
  notes?: string;
}

export interface NewDocumentUpload {
  category: 'insurance-card' | 'form' | 'outside-record' | 'other';
  description: string;
  file: UploadedFile;
}

export interface WriteAccepted {
  id: string;
  status: DeliveryStatus;
  threadId?: string;
}

export interface DocumentContent {
  stream: Readable;
  contentType: string;
  filename: string;
  size?: number;
}

export interface ActivityList {
  /** `record`: everyone's activity on the record (the patient's page); `viewer`: only the viewer's own (a proxy's). */
  scope: 'record' | 'viewer';
  /** More, older entries exist: pass this as `before` to read them. */
  older: number | null;
  items: {
    seq: number;
    at: string;
    atDisplay: string;
    action: string;
    description: string;
    who: { kind: string; name?: string };
    device?: string;
    outcome: string;
  }[];
}

export interface Portal {
  features(call: PortalCall): Record<Feature, FeatureAvailability>;
  summary(call: PortalCall): Promise<SummaryView>;
  threads(call: PortalCall): Promise<ThreadList>;
  thread(call: PortalCall, threadId: string): Promise<ThreadView>;
  appointments(call: PortalCall): Promise<AppointmentList>;
  appointmentIcs(call: PortalCall, appointmentId: string): Promise<string>;
  results(call: PortalCall): Promise<ResultList>;
  /** A result's detail, or the pending placeholder when the release policy holds it. */
  result(call: PortalCall, reportId: string): Promise<ResultDetail | PendingView>;
  documents(call: PortalCall): Promise<DocumentList>;
  documentContent(call: PortalCall, documentId: string): Promise<DocumentContent>;
  /** Newest first, a page at a time; `before`: the `older` of the previous page. */
  activity(call: PortalCall, before?: number): Promise<ActivityList>;
  messagingOptions(call: PortalCall): MessagingOptions;
  sendMessage(call: PortalCall, input: NewMessage): Promise<WriteAccepted>;
  reply(call: PortalCall, threadId: string, input: NewReply): Promise<WriteAccepted>;
  requestAppointment(call: PortalCall, input: NewAppointmentRequest): Promise<WriteAccepted>;
  cancelAppointmentRequest(call: PortalCall, requestId: string): Promise<WriteAccepted>;
  uploadDocument(call: PortalCall, input: NewDocumentUpload): Promise<WriteAccepted>;
  /** The patient's choices about when results reach them (patients only). */
  releaseChoices(call: PortalCall): Promise<ReleaseChoices>;
  saveReleaseChoices(call: PortalCall, patch: ReleaseChoicesPatch): Promise<ReleaseChoices>;
}
