import type { OutboxItemRow } from '../store/entities/outbox-item.js';
import type { DeliveryStatus } from '../views/messages.js';

export type OutboxKind = 'message' | 'reply' | 'appointment-request' | 'cancel' | 'upload';
export type OutboxStatus = DeliveryStatus;

/** System of the client-assigned identifier on every resource the outbox writes (exactly-once key). */
export const WRITE_IDENTIFIER_SYSTEM = 'urn:fhir-portal-adapter:write';
/** The resources one write becomes, each named in its identifier value `<item id>-<part>`. */
export type WritePart = 'header' | 'message' | 'appointment' | 'service-request' | 'document';
export const PURPOSE_SYSTEM = 'http://fhir-portal-adapter.example/CodeSystem/message-purpose';
export const UPLOAD_CATEGORY_SYSTEM = 'http://fhir-portal-adapter.example/CodeSystem/upload-category';
export const VIDEO_VISIT_EXTENSION = 'http://fhir-portal-adapter.example/StructureDefinition/video-visit';
export const LOCAL_THREAD_PREFIX = 'local-';

export interface StoredFile {
  filename: string;
  contentType: 'application/pdf' | 'image/jpeg' | 'image/png';
  size: number;
  /** base64; emptied once the write is delivered, when the EHR holds the file (see retention.ts). */
  data: string;
}

/** Who wrote it: the patient, or a proxy (RelatedPerson) acting for them. */
export interface Author {
  kind: 'patient' | 'proxy';
  /** `Patient/<id>` or `RelatedPerson/<id>` */
  reference: string;
}

/** What the outbox stores, JWE-encrypted as one value. */
export type Payload =
  | { kind: 'message'; purpose: string; subject: string; body: string; attachments: StoredFile[] }
  | { kind: 'reply'; threadId: string; body: string; attachments: StoredFile[] }
  | {
      kind: 'appointment-request';
      reason: string;
      visitType: 'in-person' | 'video';
      preferred: { date: string; partOfDay: 'morning' | 'afternoon' | 'any' }[];
      notes?: string;
      as: 'Appointment' | 'ServiceRequest';
    }
  | { kind: 'cancel'; appointmentId: string }
  | { kind: 'upload'; category: 'insurance-card' | 'form' | 'outside-record' | 'other'; description: string; file: StoredFile };

/** Ids the EHR gave back, saved after every step so a retry resumes where the last try stopped. */
export interface DeliveryResult {
  binaryIds?: string[];
  headerId?: string;
  messageId?: string;
  resourceType?: string;
  resourceId?: string;
}

/** Which of a patient's local writes to read: of these kinds, in this conversation. */
export interface LocalWriteFilter {
  kinds?: readonly OutboxKind[];
  threadId?: string;
}

/** A local write as stored, its payload still encrypted. */
export interface SealedWrite {
  id: string;
  kind: OutboxKind;
  result: DeliveryResult;
  row: OutboxItemRow;
  /** For a write into a thread started here: that thread's EHR id once it has one (null before). */
  originThread: string | null | undefined;
}

/** A local write as the views merge it (decrypted). */
export interface LocalWrite {
  id: string;
  kind: OutboxKind;
  status: OutboxStatus;
  /** The EHR's thread header id once the thread exists there. */
  ehrThreadId?: string;
  createdAt: string;
  deliveredAt?: string;
  /** Undelivered for longer than the configured time: "not delivered yet, we keep trying — call the clinic if urgent". */
  overdue: boolean;
  /** Why it is waiting: a code (`ehr_unavailable`, `waiting_for_signin`, …), never PHI. */
  waitingReason?: string;
  /** The EHR's own words for a permanent rejection. */
  rejectionReason?: string;
  result: DeliveryResult;
  author: Author;
  payload: Payload;
}
