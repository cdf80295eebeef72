import type { Payload, StoredFile } from './types.js';

const emptied = (f: StoredFile): StoredFile => ({ ...f, data: '' });

/**
 * What the outbox keeps of a write once the EHR has it: everything but the bytes of its files,
 * which the EHR now holds (the views need only each file's name, type and size). Undefined when
 * the write carries no file, so there is nothing to rewrite.
 */
export function withoutFileBytes(payload: Payload): Payload | undefined {
  switch (payload.kind) {
    case 'message':
    case 'reply':
      return payload.attachments.length > 0 ? { ...payload, attachments: payload.attachments.map(emptied) } : undefined;
    case 'upload':
      return { ...payload, file: emptied(payload.file) };
    default:
      return undefined;
  }
}
