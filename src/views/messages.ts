/**
 * Message threads from Communication resources.
 *
 * Threading, most reliable first:
 * 1. `partOf` → a header Communication (a Communication nobody's `partOf` points past); the header
 *    gives the subject and category and is shown as a message only when it has a payload.
 * 2. `inResponseTo` chains, for EHRs without headers: a reply joins the thread of what it answers.
 * 3. `topic` text (ignoring "Re:"/"Fwd:" and case), for stand-alone messages with neither link.
 *
 * Unread rule: only messages from staff can be unread. When the viewer's last visit is known
 * (`lastSeen[threadId]`, else `lastSeen.messages`) a staff message is unread if it was sent after it;
 * otherwise it is unread until the EHR records it as received (`Communication.received`, set by
 * EHRs that track portal reads).
 *
 * Privacy: staff messages the EHR has not finished (preparation, on-hold, not-done, stopped,
 * unknown) are not shown: drafts stay drafts. Entered-in-error messages are never shown.
 * Spec: https://hl7.org/fhir/R4/communication.html
 */
import { z } from 'zod';
import type { Attachment, Communication, CommunicationPayload, Reference } from 'fhir/r4.js';
import { LOCAL_THREAD_PREFIX } from '../outbox/types.js';
import { checkResources } from '../fhir/resource-schemas.js';
import { DateViewSchema, formatInstant, toMillis } from './format-date.js';
import { checkedList, listEnvelope, mapChecked, type ListOptions } from './list.js';
import { actorName, conceptCodes, conceptText } from './names.js';
import { isOtherPatient, sameReference } from './patient-scope.js';
import { referenceId, referenceKey, referenceType, ResourceIndex } from './references.js';
import { checkContext, say, type Locale, type ViewContext, type Words } from './view-context.js';

/** Message purposes the portal knows, by code (any system), with the aliases EHRs use. */
export const MESSAGE_CATEGORIES = {
  'refill-request': { en: 'Refill request', es: 'Solicitud de resurtido' },
  'medication-question': { en: 'Medication question', es: 'Pregunta sobre medicamentos' },
  'test-result-question': { en: 'Test result question', es: 'Pregunta sobre resultados' },
  'appointment-question': { en: 'Appointment question', es: 'Pregunta sobre citas' },
  billing: { en: 'Billing', es: 'Facturación' },
  other: { en: 'Other', es: 'Otro' },
} as const satisfies Record<string, Words>;
export type MessageCategory = keyof typeof MESSAGE_CATEGORIES;

const CATEGORY_ALIASES: Record<string, MessageCategory> = {
  refill: 'refill-request',
  'medication-refill': 'refill-request',
  'rx-refill': 'refill-request',
  'refill-request': 'refill-request',
  'medication-question': 'medication-question',
  medication: 'medication-question',
  'test-result-question': 'test-result-question',
  'result-question': 'test-result-question',
  'lab-result-question': 'test-result-question',
  'appointment-question': 'appointment-question',
  appointment: 'appointment-question',
  billing: 'billing',
  'billing-question': 'billing',
  other: 'other',
};
const UNKNOWN_CATEGORY: Words = { en: 'Message', es: 'Mensaje' };
const NO_SUBJECT: Words = { en: 'Message', es: 'Mensaje' };
const FALLBACK_NAME: Record<SenderKind, Words> = {
  staff: { en: 'Your care team', es: 'Su equipo de atención' },
  patient: { en: 'Patient', es: 'Paciente' },
  proxy: { en: 'Family member or caregiver', es: 'Familiar o cuidador' },
};
const ATTACHMENT: Words = { en: 'Attachment', es: 'Archivo adjunto' };

const SENDER_KINDS = ['patient', 'proxy', 'staff'] as const;
type SenderKind = (typeof SENDER_KINDS)[number];
export const DELIVERY_STATUSES = ['sending', 'retrying', 'delivered', 'rejected'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** Where a write made here is on its way to the EHR, and the EHR's reason if it refused it. */
export const DeliveryViewSchema = z.object({ status: z.enum(DELIVERY_STATUSES), note: z.string().nullable() });
export type Delivery = z.infer<typeof DeliveryViewSchema>;

export const SenderViewSchema = z.object({
  kind: z.enum(SENDER_KINDS),
  name: z.string().min(1),
  /** The viewer wrote this. */
  self: z.boolean(),
});
export const MessageAttachmentSchema = z.object({
  title: z.string().min(1),
  contentType: z.string().nullable(),
  size: z.number().int().nonnegative().nullable(),
  /**
   * Our own download route: `/api/documents/<id>/content` for a DocumentReference,
   * `/api/messages/<message id>/attachments/<n>` for a Binary or inline content (see attachmentContent).
   */
  url: z.string().regex(/^\/api\/(documents\/[^/?#]+\/content|messages\/[^/?#]+\/attachments\/\d+)$/).nullable(),
  /** `Binary/<id>` in the EHR, streamed by the FHIR layer. */
  binaryRef: z.string().regex(/^Binary\/[A-Za-z0-9\-.]{1,64}$/).nullable(),
  /** The content travels inside the Communication itself. */
  inline: z.boolean(),
});
export const MessageViewSchema = z.object({
  id: z.string().min(1),
  from: SenderViewSchema,
  sent: DateViewSchema.nullable(),
  body: z.string(),
  attachments: z.array(MessageAttachmentSchema),
  status: z.enum(DELIVERY_STATUSES),
  /** For the viewer's own messages not yet delivered: what is happening, in plain words. */
  deliveryNote: z.string().nullable(),
  unread: z.boolean(),
});
export const ThreadSummarySchema = z.object({
  id: z.string().min(1),
  subject: z.string().min(1),
  category: z.object({ code: z.string().nullable(), label: z.string().min(1) }),
  participants: z.array(SenderViewSchema.omit({ self: true })),
  lastActivity: DateViewSchema.nullable(),
  unread: z.number().int().nonnegative(),
  messageCount: z.number().int().positive(),
  /** Start of the newest message, for the list. */
  snippet: z.string(),
});
export const ThreadViewSchema = ThreadSummarySchema.extend({ messages: z.array(MessageViewSchema).min(1) });
export const ThreadListSchema = listEnvelope(ThreadSummarySchema).extend({
  /** Conversations or messages held by the release policy: the viewer is told how many, never what. */
  held: z.number().int().nonnegative(),
});

export type SenderView = z.infer<typeof SenderViewSchema>;
export type MessageAttachment = z.infer<typeof MessageAttachmentSchema>;
export type MessageView = z.infer<typeof MessageViewSchema>;
export type ThreadSummary = z.infer<typeof ThreadSummarySchema>;
export type ThreadView = z.infer<typeof ThreadViewSchema>;
export type ThreadList = z.infer<typeof ThreadListSchema>;

const SNIPPET_LENGTH = 140;
/** Bound on link-following, so a cyclic or very deep chain cannot loop. */
const MAX_CHAIN = 50;

/** A category code → plain label; unknown codes give "Message". */
export function messageCategory(comm: Pick<Communication, 'category'>, locale: Locale): { code: MessageCategory | null; label: string } {
  for (const concept of comm.category ?? []) {
    for (const code of conceptCodes(concept)) {
      const known = CATEGORY_ALIASES[code.toLowerCase()];
      if (known !== undefined) return { code: known, label: say(MESSAGE_CATEGORIES[known], locale) };
    }
  }
  return { code: null, label: say(UNKNOWN_CATEGORY, locale) };
}

function senderKind(sender: Reference | undefined, index: ResourceIndex, container: Communication): SenderKind {
  const type = referenceType(sender?.reference) ?? index.resolve(sender, ['Patient', 'RelatedPerson'], container)?.resourceType;
  if (type === 'Patient') return 'patient';
  if (type === 'RelatedPerson') return 'proxy';
  return 'staff';
}

function hasPayload(comm: Communication): boolean {
  return (comm.payload ?? []).some(
    (p) => (p.contentString ?? '').trim() !== '' || p.contentAttachment !== undefined || p.contentReference !== undefined,
  );
}

function deliveryStatus(comm: Communication, kind: SenderKind): DeliveryStatus | undefined {
  if (kind === 'staff') return comm.status === 'completed' || comm.status === 'in-progress' ? 'delivered' : undefined;
  switch (comm.status) {
    case 'completed':
      return 'delivered';
    case 'preparation':
    case 'in-progress':
      return 'sending';
    case 'on-hold':
      return 'retrying';
    case 'not-done':
    case 'stopped':
      return 'rejected';
    default:
      return undefined;
  }
}

/** A message written here that the EHR does not show yet (`local-msg-…`): its files are not in the EHR. */
export const isLocalMessage = (messageId: string): boolean => messageId.startsWith(LOCAL_THREAD_PREFIX);

/**
 * The payload entries that are attachments, in order: `n` in `/api/messages/:id/attachments/:n`
 * counts these, so the view and the route agree.
 */
export function attachmentPayloads(comm: Pick<Communication, 'payload'>): CommunicationPayload[] {
  return (comm.payload ?? []).filter((p) => p.contentAttachment !== undefined || isDocumentOrBinary(p.contentReference?.reference));
}

function isDocumentOrBinary(reference: string | undefined): boolean {
  const type = referenceType(reference);
  return type === 'DocumentReference' || type === 'Binary';
}

/**
 * What the message attachment route streams for an entry: a Binary or content inside the
 * Communication. A DocumentReference has its own route, which applies the release policy to it.
 */
export function attachmentContent(p: CommunicationPayload): Attachment | undefined {
  const a = p.contentAttachment;
  if (a !== undefined) return referenceType(a.url) === 'Binary' || isInlineData(a) ? a : undefined;
  const ref = p.contentReference;
  if (referenceType(ref?.reference) !== 'Binary') return undefined;
  return { url: ref!.reference!, ...(ref!.display ? { title: ref!.display } : {}) };
}

const isInlineData = (a: Attachment) => a.data !== undefined && a.url === undefined;

function attachmentsOf(comm: Communication, locale: Locale): MessageAttachment[] {
  const routeUrl = (p: CommunicationPayload, n: number) =>
    !isLocalMessage(comm.id!) && attachmentContent(p) !== undefined ? `/api/messages/${encodeURIComponent(comm.id!)}/attachments/${n}` : null;
  return attachmentPayloads(comm).map((p, n) => {
    if (p.contentAttachment !== undefined) {
      const a = p.contentAttachment;
      const binaryId = referenceId(a.url, 'Binary');
      const documentId = referenceId(a.url, 'DocumentReference');
      return {
        title: a.title?.trim() || say(ATTACHMENT, locale),
        contentType: a.contentType ?? null,
        size: a.size ?? null,
        url: documentId !== undefined && referenceType(a.url) === 'DocumentReference' ? documentUrl(documentId) : routeUrl(p, n),
        binaryRef: binaryId !== undefined && referenceType(a.url) === 'Binary' ? `Binary/${binaryId}` : null,
        inline: isInlineData(a),
      };
    }
    const type = referenceType(p.contentReference!.reference)!;
    const id = referenceId(p.contentReference!.reference, type)!;
    return {
      title: p.contentReference!.display?.trim() || say(ATTACHMENT, locale),
      contentType: null,
      size: null,
      url: type === 'DocumentReference' ? documentUrl(id) : routeUrl(p, n),
      binaryRef: type === 'Binary' ? `Binary/${id}` : null,
      inline: false,
    };
  });
}

const documentUrl = (id: string) => `/api/documents/${encodeURIComponent(id)}/content`;

function sentAt(comm: Communication): string | undefined {
  return comm.sent ?? comm.received ?? comm.meta?.lastUpdated;
}

function topicKey(comm: Communication): string | undefined {
  const text = conceptText(comm.topic);
  if (text === undefined) return undefined;
  const key = text
    .replace(/^\s*((re|fw|fwd|rv)\s*:\s*)+/i, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  return key === '' ? undefined : key;
}

/**
 * The Communication a `partOf` / `inResponseTo` list points to. A `urn:uuid:` reference carries no
 * type, so it counts only when it names a Communication in the set.
 */
function communicationLink(refs: Reference[] | undefined, known: ReadonlySet<string>): string | undefined {
  for (const r of refs ?? []) {
    if (referenceType(r.reference) === 'Communication') return referenceId(r.reference, 'Communication');
    if (referenceKey(r.reference)?.startsWith('urn:uuid:')) {
      const id = referenceId(r.reference, 'Communication');
      if (id !== undefined && known.has(id)) return id;
    }
  }
  return undefined;
}

/** Thread id for every Communication, by the three rules in the file comment. */
export function threadIds(comms: readonly Communication[]): Map<string, string> {
  const byId = new Map(comms.map((c) => [c.id!, c]));
  const known = new Set(byId.keys());
  const headers = new Set<string>();
  for (const c of comms) {
    const parent = communicationLink(c.partOf, known);
    if (parent !== undefined) headers.add(parent);
  }

  const rootOf = (start: Communication): string => {
    let current = start;
    const seen = new Set<string>();
    for (let i = 0; i < MAX_CHAIN; i++) {
      seen.add(current.id!);
      const parent = communicationLink(current.partOf, known);
      if (parent !== undefined) {
        const header = byId.get(parent);
        // A header outside this set (not released, not included) still names the thread.
        if (header === undefined || seen.has(parent)) return parent;
        current = header;
        continue;
      }
      const answered = communicationLink(current.inResponseTo, known);
      const previous = answered === undefined ? undefined : byId.get(answered);
      if (previous === undefined || seen.has(previous.id!)) return current.id!;
      current = previous;
    }
    return current.id!;
  };

  const roots = new Map(comms.map((c) => [c.id!, rootOf(c)]));
  // Topic fallback: stand-alone roots (not headers, no links) with the same topic share the thread
  // of the earliest one.
  const byTopic = new Map<string, Communication>();
  const ordered = [...comms].sort((a, b) => compareSent(a, b));
  for (const c of ordered) {
    if (roots.get(c.id!) !== c.id || headers.has(c.id!)) continue;
    const key = topicKey(c);
    if (key === undefined) continue;
    if (!byTopic.has(key)) byTopic.set(key, c);
  }
  const merged = new Map<string, string>();
  for (const c of ordered) {
    if (roots.get(c.id!) !== c.id || headers.has(c.id!)) continue;
    const key = topicKey(c);
    const first = key === undefined ? undefined : byTopic.get(key);
    if (first !== undefined) merged.set(c.id!, first.id!);
  }
  const out = new Map<string, string>();
  for (const c of comms) {
    const root = roots.get(c.id!)!;
    out.set(c.id!, merged.get(root) ?? root);
  }
  return out;
}

function compareSent(a: Communication, b: Communication): number {
  const ta = toMillis(sentAt(a));
  const tb = toMillis(sentAt(b));
  if (Number.isNaN(ta) && Number.isNaN(tb)) return a.id!.localeCompare(b.id!);
  if (Number.isNaN(ta)) return -1;
  if (Number.isNaN(tb)) return 1;
  return ta - tb || a.id!.localeCompare(b.id!);
}

interface Prepared {
  comms: Communication[];
  skipped: number;
  threads: Map<string, Communication[]>;
  index: ResourceIndex;
}

function prepare(input: readonly unknown[], included: readonly unknown[], ctx: ViewContext): Prepared {
  const checked = checkResources(input, 'Communication');
  const inScope = checked.valid.filter((c) => !isOtherPatient(c.subject, ctx));
  const comms = inScope.filter((c) => c.status !== 'entered-in-error');
  const ids = threadIds(comms);
  const threads = new Map<string, Communication[]>();
  for (const c of comms) {
    const id = ids.get(c.id!)!;
    const list = threads.get(id) ?? [];
    list.push(c);
    threads.set(id, list);
  }
  return {
    comms,
    skipped: checked.invalid + (checked.valid.length - inScope.length),
    threads,
    index: new ResourceIndex([...included, ...comms]),
  };
}

function buildThread(threadId: string, members: Communication[], p: Prepared, ctx: ViewContext): ThreadView | undefined {
  const { index } = p;
  const header = members.find((c) => c.id === threadId);
  const seenIso = ctx.lastSeen?.[threadId] ?? ctx.lastSeen?.messages;
  const seenMs = toMillis(seenIso);
  const sorted = [...members].sort(compareSent);
  const messages: MessageView[] = [];
  const participants = new Map<string, { kind: SenderKind; name: string }>();
  const addParticipant = (ref: Reference | undefined, kind: SenderKind, name: string) => {
    const key = referenceKey(ref?.reference) ?? `${kind}:${name}`;
    if (!participants.has(key)) participants.set(key, { kind, name });
  };

  for (const c of sorted) {
    if (!hasPayload(c)) continue;
    const kind = senderKind(c.sender, index, c);
    const status = deliveryStatus(c, kind);
    if (status === undefined) continue;
    const name = actorName(c.sender, index, c) ?? say(FALLBACK_NAME[kind], ctx.locale);
    const sent = sentAt(c);
    const sentMs = toMillis(sent);
    const unread =
      kind === 'staff' &&
      (Number.isNaN(seenMs) ? c.received === undefined : !Number.isNaN(sentMs) && sentMs > seenMs);
    addParticipant(c.sender, kind, name);
    messages.push({
      id: c.id!,
      from: { kind, name, self: sameReference(c.sender?.reference, ctx.viewerRef) },
      sent: formatInstant(sent, ctx) ?? null,
      body: (c.payload ?? [])
        .map((pl) => pl.contentString?.trim())
        .filter((s): s is string => s !== undefined && s !== '')
        .join('\n\n'),
      attachments: attachmentsOf(c, ctx.locale),
      status,
      deliveryNote: kind !== 'staff' && status !== 'delivered' ? (c.statusReason?.text ?? null) : null,
      unread,
    });
  }
  if (messages.length === 0) return undefined;
  for (const r of header?.recipient ?? []) {
    const kind = senderKind(r, index, header!);
    addParticipant(r, kind, actorName(r, index, header) ?? say(FALLBACK_NAME[kind], ctx.locale));
  }

  const withTopic = header ?? sorted.find((c) => c.topic !== undefined);
  const subject =
    conceptText(withTopic?.topic) ??
    header?.note?.find((n) => n.text.trim() !== '')?.text.trim() ??
    conceptText(sorted.find((c) => c.topic !== undefined)?.topic);
  const categorySource = [header, ...sorted].find((c) => c !== undefined && messageCategory(c, ctx.locale).code !== null);
  const category = messageCategory(categorySource ?? {}, ctx.locale);
  const newest = messages[messages.length - 1]!;
  const last = [...messages].reverse().find((m) => m.sent !== null)?.sent ?? null;
  return {
    id: threadId,
    subject: subject ?? (category.code !== null ? category.label : say(NO_SUBJECT, ctx.locale)),
    category,
    participants: [...participants.values()],
    lastActivity: last,
    unread: messages.filter((m) => m.unread).length,
    messageCount: messages.length,
    snippet: snippet(newest),
    messages,
  };
}

function snippet(m: MessageView): string {
  const text = m.body.replace(/\s+/g, ' ').trim();
  if (text.length <= SNIPPET_LENGTH) return text;
  return `${text.slice(0, SNIPPET_LENGTH - 1).trimEnd()}…`;
}

const activityMs = (t: ThreadSummary) => (t.lastActivity === null ? Number.NEGATIVE_INFINITY : Date.parse(t.lastActivity.iso) || Number.NEGATIVE_INFINITY);

/** All threads, newest activity first, without their messages. */
export function mapThreads(
  comms: readonly unknown[],
  included: readonly unknown[],
  context: ViewContext,
  /** `held`: how many conversations or messages the release policy holds for this viewer (countHeld). */
  options: ListOptions & { held?: number } = {},
): ThreadList {
  const ctx = checkContext(context);
  const p = prepare(comms, included, ctx);
  const items: ThreadSummary[] = [];
  for (const [id, members] of p.threads) {
    const view = mapChecked(members, (m) => buildThread(id, m, p, ctx), ThreadViewSchema);
    if (view === undefined) continue;
    const { messages: _messages, ...summary } = view;
    items.push(summary);
  }
  items.sort((a, b) => activityMs(b) - activityMs(a) || a.id.localeCompare(b.id));
  const held = options.held ?? 0;
  if (!Number.isInteger(held) || held < 0) throw new RangeError('held must be a count');
  return { ...checkedList(items, p.skipped, options), held };
}

/** One thread with its messages, oldest first; undefined when the viewer has no such thread. */
export function mapThread(
  threadId: string,
  comms: readonly unknown[],
  included: readonly unknown[],
  context: ViewContext,
): ThreadView | undefined {
  const ctx = checkContext(context);
  const p = prepare(comms, included, ctx);
  const members = p.threads.get(threadId);
  if (members === undefined) return undefined;
  return mapChecked(members, (m) => buildThread(threadId, m, p, ctx), ThreadViewSchema);
}
