/**
 * multipart/form-data for the page forms that carry files (compose, reply, upload). The app's
 * body parser takes JSON and url-encoded forms only, so this middleware reads the multipart body
 * with busboy, within hard limits, into `ctx.request.body` (fields, for the CSRF check and the
 * handler) and `ctx.state.uploads` (files). It runs after the session check, so nobody without a
 * session can make the server read an upload.
 */
import busboy from 'busboy';
import type { Middleware } from 'koa';
import { AppError } from '../http/errors.js';
import type { UploadedFile } from '../portal/portal.js';
import { sniffFileType } from '../outbox/file-type.js';

export interface MultipartLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxFieldBytes: number;
  maxFields?: number;
}

export interface ParsedUpload extends UploadedFile {
  field: string;
  /** The file was cut at maxFileBytes: too large. */
  truncated: boolean;
}

declare module 'koa' {
  interface DefaultState {
    uploads?: ParsedUpload[];
    /** More files were sent than allowed (the extra ones were not read). */
    uploadsOverLimit?: boolean;
  }
}

export function multipartForm(limits: (ctx: Parameters<Middleware>[0]) => MultipartLimits): Middleware {
  return async (ctx, next) => {
    if (!ctx.is('multipart/form-data')) {
      ctx.state.uploads = [];
      await next();
      return;
    }
    const l = limits(ctx);
    const declared = Number(ctx.get('content-length') || 0);
    // Up to a few times what the form may carry, the body is read and each file cut at its limit
    // (busboy keeps no more than that in memory), so the page can say which file is too large and
    // keep what was typed; far beyond it, the request is refused before it is read.
    const ceiling = 4 * ((l.maxFiles + 1) * l.maxFileBytes + 20 * l.maxFieldBytes + 64 * 1024);
    if (declared > ceiling) throw new AppError(413, 'body_too_large', 'The files are too large to send.', { expose: true });
    const fields: Record<string, string> = {};
    const uploads: ParsedUpload[] = [];
    let overLimit = false;
    await new Promise<void>((resolve, reject) => {
      let bb: busboy.Busboy;
      try {
        bb = busboy({
          headers: ctx.req.headers,
          limits: { files: l.maxFiles, fileSize: l.maxFileBytes, fields: l.maxFields ?? 20, fieldSize: l.maxFieldBytes, parts: (l.maxFields ?? 20) + l.maxFiles + 1 },
        });
      } catch {
        reject(new AppError(400, 'malformed_body', 'The form could not be read.'));
        return;
      }
      bb.on('field', (name, value) => {
        if (!(name in fields)) fields[name] = value;
      });
      bb.on('file', (field, stream, info) => {
        const chunks: Buffer[] = [];
        let truncated = false;
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('limit', () => (truncated = true));
        stream.on('close', () => {
          const bytes = Buffer.concat(chunks);
          // An empty file input still sends a part with no name and no bytes.
          if (!info.filename) return;
          uploads.push({ field, filename: info.filename, contentType: info.mimeType, bytes, truncated });
        });
      });
      bb.on('filesLimit', () => (overLimit = true));
      bb.on('partsLimit', () => (overLimit = true));
      bb.on('error', () => reject(new AppError(400, 'malformed_body', 'The form could not be read.')));
      bb.on('close', () => resolve());
      ctx.req.pipe(bb);
    });
    (ctx.request as { body?: unknown }).body = fields;
    ctx.state.uploads = uploads;
    ctx.state.uploadsOverLimit = overLimit;
    await next();
  };
}

/** File names each sniffed type may carry. */
const EXTENSIONS: Record<string, RegExp> = { pdf: /\.pdf$/i, png: /\.png$/i, jpg: /\.jpe?g$/i };

/**
 * The file's real type when its first bytes are PDF/PNG/JPEG (the outbox's own check, so the form
 * never accepts what delivery would refuse) and its name agrees; else undefined.
 */
export function acceptedType(file: Pick<UploadedFile, 'filename' | 'contentType' | 'bytes'>): string | undefined {
  const sniffed = sniffFileType(file.bytes);
  return sniffed && EXTENSIONS[sniffed.ext]?.test(file.filename) ? sniffed.type : undefined;
}
