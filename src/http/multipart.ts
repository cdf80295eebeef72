import busboy from 'busboy';
import type { Context } from 'koa';
import { AppError } from './errors.js';
import type { UploadedFile } from '../portal/portal.js';

export interface MultipartLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxFieldBytes?: number;
  maxFields?: number;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: UploadedFile[];
}

export function isMultipart(ctx: Context): boolean {
  return Boolean(ctx.is('multipart/form-data'));
}

/**
 * Reads a multipart form with hard limits (file count, file size, field size), failing with a
 * field-level 4xx instead of buffering an unbounded upload.
 */
export function readMultipart(ctx: Context, limits: MultipartLimits): Promise<MultipartBody> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: ctx.req.headers,
        limits: { files: limits.maxFiles, fileSize: limits.maxFileBytes, fieldSize: limits.maxFieldBytes ?? 64 * 1024, fields: limits.maxFields ?? 20, parts: (limits.maxFields ?? 20) + limits.maxFiles },
      });
    } catch {
      reject(new AppError(400, 'malformed_body', 'The form could not be read.'));
      return;
    }
    const fields: Record<string, string> = {};
    const files: UploadedFile[] = [];
    let failure: AppError | undefined;
    const fail = (e: AppError) => {
      failure ??= e;
    };
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new AppError(413, 'field_too_large', `The ${name} field is too long.`, { fields: { [name]: 'too long' } }));
      else fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => fail(new AppError(413, 'attachment_too_large', `"${(info.filename ?? "file").slice(0, 80)}" is larger than ${Math.round(limits.maxFileBytes / 1024 / 1024)} MB.`, { fields: { [name]: 'file too large' } })));
      stream.on('end', () => {
        if (info.filename) files.push({ filename: info.filename, contentType: info.mimeType, bytes: Buffer.concat(chunks) });
      });
    });
    bb.on('filesLimit', () => fail(new AppError(422, 'too_many_attachments', `At most ${limits.maxFiles} files can be attached.`, { fields: { attachments: `at most ${limits.maxFiles}` } })));
    bb.on('fieldsLimit', () => fail(new AppError(413, 'too_many_fields', 'The form has too many fields.')));
    bb.on('error', () => reject(new AppError(400, 'malformed_body', 'The form could not be read.')));
    bb.on('close', () => (failure ? reject(failure) : resolve({ fields, files })));
    ctx.req.pipe(bb);
  });
}
