/** Shapes shared by the notification parts (src/notify/). */

export type EventKind = 'message' | 'result' | 'appointment' | 'write';
export type Channel = 'email' | 'sms-webhook';
export const CHANNELS: readonly Channel[] = ['email', 'sms-webhook'];

/** The preference toggles, one per event kind. */
export type EventTopic = 'messages' | 'results' | 'appointments' | 'delivery-problems';
export const TOPICS: readonly EventTopic[] = ['messages', 'results', 'appointments', 'delivery-problems'];
export const TOPIC_OF: Record<EventKind, EventTopic> = {
  message: 'messages',
  result: 'results',
  appointment: 'appointments',
  write: 'delivery-problems',
};

export type NotifyLocale = 'en' | 'es';

/** Who hears about it: the patient, or a proxy (RelatedPerson) acting for them. */
export interface Recipient {
  kind: 'patient' | 'proxy';
  id: string;
}

export const recipientKey = (r: Recipient): string => `${r.kind}:${r.id}`;

/** Addresses and language from the FHIR record (Patient or RelatedPerson). */
export interface ContactDetails {
  email?: string;
  sms?: string;
  locale?: NotifyLocale;
}

/** A new event and who should hear about it (already filtered by the release policy). */
export interface NewEvent {
  key: string;
  ehrId: string;
  patientId: string;
  kind: EventKind;
  resourceRef?: string;
  recipients: Recipient[];
}

/** What a channel sends: PHI-free text, the address, and the key the receiver can dedupe on. */
export interface OutgoingMessage {
  to: string;
  from: string;
  subject: string;
  text: string;
  locale: NotifyLocale;
  /** Same for every attempt of one batch: Message-ID for SMTP, Idempotency-Key for the webhook. */
  idempotencyKey: string;
}

export interface NotificationChannel {
  readonly name: Channel;
  send(message: OutgoingMessage, signal: AbortSignal): Promise<void>;
}
