import type { StoredFile } from './types.js';

type Accepted = StoredFile['contentType'];

/** Leading bytes of the file types patients may send. The declared type and the name are not trusted. */
const SIGNATURES: { type: Accepted; ext: string; bytes: number[] }[] = [
  { type: 'application/pdf', ext: 'pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { type: 'image/png', ext: 'png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', ext: 'jpg', bytes: [0xff, 0xd8, 0xff] },
];

/** The file's real type from its magic bytes, or undefined when it is none of the accepted ones. */
export function sniffFileType(bytes: Uint8Array): { type: Accepted; ext: string } | undefined {
  const hit = SIGNATURES.find((s) => s.bytes.length <= bytes.length && s.bytes.every((b, i) => bytes[i] === b));
  return hit ? { type: hit.type, ext: hit.ext } : undefined;
}

/**
 * A name safe to store and show: no path, no control or shell-special characters, at most 100
 * characters, and an extension that matches the real type (`scan.pdf.exe` → `scan.pdf.exe.pdf`).
 */
export function sanitizeFilename(name: string, ext: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  let clean = base
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N} ._()-]+/gu, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+/, '')
    .trim();
  const stem = clean.replace(/\.[^.]*$/, '');
  const current = clean.slice(stem.length + 1).toLowerCase();
  const matches = current === ext || (ext === 'jpg' && current === 'jpeg');
  if (!matches) clean = `${clean || 'file'}.${ext}`;
  if (!stem && matches) clean = `file.${ext}`;
  if (clean.length > 100) clean = `${clean.slice(0, 100 - ext.length - 1)}.${ext}`;
  return clean;
}
