import { z } from 'zod';
import { AppError } from '../http/errors.js';
import type { EhrRegistration } from '../config/registration.js';
import type { UploadedFile } from '../portal/portal.js';
import { sanitizeFilename, sniffFileType } from './file-type.js';
import type { Payload, StoredFile } from './types.js';
import { FHIR_ID } from '../fhir/fhir-id.js';

export type MessagingLimits = Pick<EhrRegistration['messaging'], 'purposes' | 'maxBodyChars' | 'maxAttachments' | 'maxAttachmentBytes'>;

/** Subject length: the issue's limit (the registration has no key for it). */
export const MAX_SUBJECT_CHARS = 200;
const MAX_REASON_CHARS = 500;
const MAX_NOTES_CHARS = 2000;
const MAX_PREFERRED = 5;

function fieldsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of error.issues) out[i.path.map(String).join('.') || '(body)'] ??= i.message;
  return out;
}

function invalid(fields: Record<string, string>): AppError {
  return new AppError(400, 'invalid_input', `Please check: ${Object.keys(fields).join(', ')}.`, { fields });
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (!r.success) throw invalid(fieldsOf(r.error));
  return r.data;
}

/**
 * Characters no one means to send and that can disguise text in the clinic's inbox: C0 controls
 * other than tab and line breaks, DEL, C1 controls, and the bidirectional embeddings, overrides
 * and isolates ("Trojan Source"). Plain right-to-left text needs none of them.
 */
const HIDDEN_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const visibleOnly = (what: string) =>
  z.string().refine((s) => !HIDDEN_CHARACTERS.test(s), `${what} contains hidden control or text-direction characters; please retype it`);

const text = (max: number, what: string) =>
  z
    .string({ error: `${what} is required` })
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(visibleOnly(what).pipe(z.string().min(1, `${what} is required`).max(max, `${what} must be at most ${max} characters`)));

const fileShape = z.object({
  filename: z.string().max(1000, 'the file name is too long'),
  contentType: z.string().max(200),
  bytes: z.instanceof(Buffer, { message: 'file content is missing' }),
});

/** Checks each file's size and real type; the field named is `<field>.<index>` (or `<field>`). */
function checkFiles(files: UploadedFile[], field: string, limits: { max: number; maxBytes: number }, single = false): StoredFile[] {
  if (files.length > limits.max) {
    throw invalid({ [field]: `at most ${limits.max} file${limits.max === 1 ? '' : 's'}` });
  }
  return files.map((f, i) => {
    const name = single ? field : `${field}.${i}`;
    if (f.bytes.length === 0) throw invalid({ [name]: 'the file is empty' });
    if (f.bytes.length > limits.maxBytes) {
      throw new AppError(413, 'file_too_large', `A file is larger than ${Math.floor(limits.maxBytes / 1024 / 1024 * 10) / 10} MB.`, {
        fields: { [name]: `at most ${limits.maxBytes} bytes` },
      });
    }
    const real = sniffFileType(f.bytes);
    if (!real) {
      throw new AppError(415, 'unsupported_file_type', 'Only PDF, JPEG and PNG files can be sent.', {
        fields: { [name]: 'the file is not a PDF, JPEG or PNG (checked by its content)' },
      });
    }
    return { filename: sanitizeFilename(f.filename, real.ext), contentType: real.type, size: f.bytes.length, data: f.bytes.toString('base64') };
  });
}

export function validateMessage(input: unknown, limits: MessagingLimits): Extract<Payload, { kind: 'message' }> {
  const codes = limits.purposes.map((p) => p.code) as [string, ...string[]];
  const m = parse(
    z.object({
      purpose: z.enum(codes, { error: `purpose must be one of: ${codes.join(', ')}` }),
      subject: text(MAX_SUBJECT_CHARS, 'subject'),
      body: text(limits.maxBodyChars, 'body'),
      attachments: z.array(fileShape).optional(),
    }),
    input,
  );
  const attachments = checkFiles((m.attachments ?? []) as UploadedFile[], 'attachments', { max: limits.maxAttachments, maxBytes: limits.maxAttachmentBytes });
  return { kind: 'message', purpose: m.purpose, subject: m.subject, body: m.body, attachments };
}

export function validateReply(threadId: string, input: unknown, limits: MessagingLimits): Extract<Payload, { kind: 'reply' }> {
  const m = parse(z.object({ body: text(limits.maxBodyChars, 'body'), attachments: z.array(fileShape).optional() }), input);
  const attachments = checkFiles((m.attachments ?? []) as UploadedFile[], 'attachments', { max: limits.maxAttachments, maxBytes: limits.maxAttachmentBytes });
  return { kind: 'reply', threadId, body: m.body, attachments };
}

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/, 'a date like 2025-03-14')
  .refine((s) => !Number.isNaN(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s)), 'not a real date');

export function validateAppointmentRequest(input: unknown, as: 'Appointment' | 'ServiceRequest', today: string): Extract<Payload, { kind: 'appointment-request' }> {
  const m = parse(
    z.object({
      reason: text(MAX_REASON_CHARS, 'reason'),
      visitType: z.enum(['in-person', 'video'], { error: 'visitType must be in-person or video' }),
      preferred: z
        .array(
          z.object({
            date: isoDate.refine((d) => d.slice(0, 10) >= today, 'must not be in the past'),
            partOfDay: z.enum(['morning', 'afternoon', 'any']).default('any'),
          }),
        )
        .min(1, 'name at least one preferred date')
        .max(MAX_PREFERRED, `at most ${MAX_PREFERRED} preferred dates`),
      notes: z
        .string()
        .transform((s) => s.replace(/\r\n?/g, '\n').trim())
        .pipe(visibleOnly('notes').pipe(z.string().max(MAX_NOTES_CHARS, `notes must be at most ${MAX_NOTES_CHARS} characters`)))
        .optional(),
    }),
    input,
  );
  // The same day and part of day chosen twice is asked for once.
  const preferred = m.preferred.filter((p, i) => m.preferred.findIndex((q) => q.date === p.date && q.partOfDay === p.partOfDay) === i);
  return { kind: 'appointment-request', reason: m.reason, visitType: m.visitType, preferred, ...(m.notes ? { notes: m.notes } : {}), as };
}

export function validateCancel(appointmentId: unknown): Extract<Payload, { kind: 'cancel' }> {
  const id = parse(z.string().regex(FHIR_ID, 'not an appointment id'), appointmentId);
  return { kind: 'cancel', appointmentId: id };
}

export function validateUpload(input: unknown, maxBytes: number): Extract<Payload, { kind: 'upload' }> {
  const m = parse(
    z.object({
      category: z.enum(['insurance-card', 'form', 'outside-record', 'other'], { error: 'category must be insurance-card, form, outside-record or other' }),
      description: text(MAX_REASON_CHARS, 'description'),
      file: fileShape,
    }),
    input,
  );
  const [file] = checkFiles([m.file as UploadedFile], 'file', { max: 1, maxBytes }, true);
  return { kind: 'upload', category: m.category, description: m.description, file: file! };
}
