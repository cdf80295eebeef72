/**
 * Documents from DocumentReference resources, newest first, with placeholders for documents the
 * release policy holds. Superseded and entered-in-error documents are not shown (the replacement
 * is). The file itself is served by our own route, never by a link into the EHR.
 * Spec: https://hl7.org/fhir/R4/documentreference.html
 */
import { z } from 'zod';
import type { DocumentReference } from 'fhir/r4.js';
import { checkResources } from '../fhir/resource-schemas.js';
import { DateViewSchema, formatInstant, toMillis, type DateView } from './format-date.js';
import { checkedList, listEnvelope, mapChecked, type ListOptions } from './list.js';
import { actorName, conceptText } from './names.js';
import { isOtherPatient } from './patient-scope.js';
import { mapPending, PendingViewSchema, type PendingItem } from './pending.js';
import { ResourceIndex } from './references.js';
import { checkContext, say, type ViewContext, type Words } from './view-context.js';
import { DeliveryViewSchema, type Delivery } from './messages.js';

const DOCUMENT: Words = { en: 'Document', es: 'Documento' };

export const DocumentViewSchema = z.object({
  id: z.string().min(1),
  status: z.literal('available'),
  title: z.string().min(1),
  description: z.string().nullable(),
  type: z.string().nullable(),
  category: z.string().nullable(),
  date: DateViewSchema.nullable(),
  authors: z.array(z.string().min(1)),
  size: z.number().int().nonnegative().nullable(),
  contentType: z.string().nullable(),
  url: z.string().regex(/^\/api\/documents\/[^/]+\/content$/),
  /** The EHR sent the document in this many formats; `url` serves the first. */
  contentCount: z.number().int().positive(),
});
/** A file the patient uploaded here that the EHR does not show yet, and where it is on its way. */
export const UploadViewSchema = z.object({
  id: z.string().min(1),
  status: z.literal('upload'),
  title: z.string().min(1),
  /** The patient's choice: insurance-card, form, outside-record or other. */
  category: z.string().min(1),
  date: DateViewSchema.nullable(),
  size: z.number().int().nonnegative(),
  contentType: z.string().min(1),
  delivery: DeliveryViewSchema,
});
export const DocumentListItemSchema = z.discriminatedUnion('status', [DocumentViewSchema, PendingViewSchema, UploadViewSchema]);
export const DocumentListSchema = listEnvelope(DocumentListItemSchema);
export type DocumentView = z.infer<typeof DocumentViewSchema>;
export type UploadView = z.infer<typeof UploadViewSchema>;

/** A local upload as the documents list needs it (see UploadViewSchema). */
export interface LocalUpload {
  id: string;
  description: string;
  category: string;
  sentAt: string;
  filename: string;
  size: number;
  contentType: string;
  delivery: Delivery;
}
export type DocumentListItem = z.infer<typeof DocumentListItemSchema>;
export type DocumentList = z.infer<typeof DocumentListSchema>;

function mapDocument(doc: DocumentReference, index: ResourceIndex, ctx: ViewContext): DocumentView | undefined {
  if (doc.status !== 'current' || doc.docStatus === 'entered-in-error') return undefined;
  const attachment = doc.content[0]!.attachment;
  const type = conceptText(doc.type) ?? null;
  const description = doc.description?.trim() || null;
  return {
    id: doc.id!,
    status: 'available',
    title: attachment.title?.trim() || description || type || say(DOCUMENT, ctx.locale),
    description,
    type,
    category: conceptText(doc.category?.[0]) ?? null,
    date: formatInstant(doc.date ?? doc.context?.period?.start ?? attachment.creation, ctx) ?? null,
    authors: (doc.author ?? []).map((a) => actorName(a, index, doc)).filter((n): n is string => n !== undefined),
    size: attachment.size ?? null,
    contentType: attachment.contentType ?? null,
    url: `/api/documents/${encodeURIComponent(doc.id!)}/content`,
    contentCount: doc.content.length,
  };
}

function dateOf(item: DocumentListItem): DateView | null {
  return item.status === 'pending' ? (item.issued ?? item.releaseAt) : item.date;
}

function mapUpload(u: LocalUpload, ctx: ViewContext): UploadView {
  return {
    id: u.id,
    status: 'upload',
    title: u.description.trim() || u.filename,
    category: u.category,
    date: formatInstant(u.sentAt, ctx) ?? null,
    size: u.size,
    contentType: u.contentType,
    delivery: u.delivery,
  };
}

/** Documents newest first; `included` holds author resources. Undated items come last. */
export function mapDocuments(
  documents: readonly unknown[],
  included: readonly unknown[],
  pending: readonly PendingItem[],
  context: ViewContext,
  /** `uploads`: the patient's uploads made here that the EHR does not show yet. */
  options: ListOptions & { uploads?: readonly LocalUpload[] } = {},
): DocumentList {
  const ctx = checkContext(context);
  const checked = checkResources(documents, 'DocumentReference');
  const index = new ResourceIndex(included);
  let skipped = checked.invalid;
  const items: DocumentListItem[] = [];
  for (const doc of checked.valid) {
    if (isOtherPatient(doc.subject, ctx)) {
      skipped += 1;
      continue;
    }
    if (doc.status !== 'current' || doc.docStatus === 'entered-in-error') continue;
    const view = mapChecked(doc, (d) => mapDocument(d, index, ctx), DocumentViewSchema);
    if (view === undefined) skipped += 1;
    else items.push(view);
  }
  for (const p of pending) {
    const view = mapPending(p, 'document', ctx);
    if (view !== undefined) items.push(view);
  }
  for (const u of options.uploads ?? []) {
    const view = mapChecked(u, (x) => mapUpload(x, ctx), UploadViewSchema);
    if (view === undefined) skipped += 1;
    else items.push(view);
  }
  const key = (i: DocumentListItem) => {
    const d = dateOf(i);
    const ms = d === null ? Number.NaN : toMillis(d.iso);
    return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
  };
  items.sort((a, b) => key(b) - key(a) || a.id.localeCompare(b.id));
  return checkedList(items, skipped, options);
}
