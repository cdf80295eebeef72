import { Readable } from 'node:stream';
import type { Attachment } from 'fhir/r4.js';
import type { FhirSession } from '../fhir/fhir-session.js';
import { AppError } from '../http/errors.js';
import type { DocumentContent } from './portal.js';

/** Content types the portal hands to a browser; anything else is refused rather than sniffed. */
export const ALLOWED_CONTENT_TYPES = new Set(['application/pdf', 'image/jpeg', 'image/png', 'image/gif', 'text/plain']);
/** Largest attachment streamed through the portal. */
export const MAX_CONTENT_BYTES = 25 * 1024 * 1024;

const EXTENSIONS: Record<string, string> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'text/plain': 'txt' };

/** An extension the title already ends with (`lab-report.pdf`): replaced by the one of the real type, not merged into the name. */
const KNOWN_EXTENSION = /\.(pdf|jpe?g|png|gif|txt)\s*$/i;

/** A filename safe for Content-Disposition: letters, digits, dash, underscore and one extension. */
export function safeFilename(title: string, contentType: string): string {
  const stem = title.replace(KNOWN_EXTENSION, '');
  const base = stem.normalize('NFKD').replace(/[^A-Za-z0-9 _-]+/g, '').trim().replace(/\s+/g, '-').slice(0, 60) || 'document';
  return `${base}.${EXTENSIONS[contentType] ?? 'bin'}`;
}

function baseType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Streams an attachment: inline `data` from memory (already small), a `url` inside the FHIR base
 * through the session's client, never buffered whole; refuses other types and oversize content.
 */
export async function streamAttachment(fhir: FhirSession, attachment: Attachment, title: string): Promise<DocumentContent> {
  const declared = baseType(attachment.contentType);
  const refuse = () => new AppError(415, 'content_type_refused', 'This file type cannot be shown here. Please ask your clinic for a copy.');
  if (declared && !ALLOWED_CONTENT_TYPES.has(declared)) throw refuse();
  if (attachment.size !== undefined && attachment.size > MAX_CONTENT_BYTES) throw new AppError(413, 'content_too_large', 'This file is too large to open here. Please ask your clinic for a copy.');
  // Named after the type actually served: a Binary reference often declares none.
  const filename = (type: string) => safeFilename(attachment.title ?? title, type);
  if (attachment.data) {
    const bytes = Buffer.from(attachment.data, 'base64');
    if (!declared) throw refuse();
    return { stream: Readable.from([bytes]), contentType: declared, filename: filename(declared), size: bytes.length };
  }
  if (!attachment.url) throw new AppError(404, 'content_missing', 'This item has no content to show.');
  const res = await fhir.openContent(attachment.url, declared || '*/*');
  const type = baseType(res.headers.get('content-type') ?? declared);
  if (!ALLOWED_CONTENT_TYPES.has(type)) {
    await res.body?.cancel();
    throw refuse();
  }
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (length > MAX_CONTENT_BYTES) {
    await res.body?.cancel();
    throw new AppError(413, 'content_too_large', 'This file is too large to open here. Please ask your clinic for a copy.');
  }
  if (!res.body) throw new AppError(404, 'content_missing', 'This item has no content to show.');
  let seen = 0;
  const source = Readable.fromWeb(res.body as never);
  // Enforce the cap while streaming too: Content-Length may be absent or wrong.
  const capped = source.compose(async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      seen += chunk.length;
      if (seen > MAX_CONTENT_BYTES) throw new Error('content exceeds the size cap');
      yield chunk;
    }
  });
  return { stream: capped as unknown as Readable, contentType: type, filename: filename(type), ...(Number.isFinite(length) ? { size: length } : {}) };
}
