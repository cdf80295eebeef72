import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AppServices } from '../services.js';
import type { Guards } from '../http/guards.js';
import { AppError } from '../http/errors.js';
import { isMultipart, readMultipart } from '../http/multipart.js';
import { portalCall } from './portal-call.js';
import type { PortalService } from './portal-service.js';
import type { DocumentContent, UploadedFile } from './portal.js';
import { ReleaseChoicesPatchSchema } from './release-choices.js';

/** Turns a zod failure into a 400 that names each field (`whole`: the name of the value itself, a body or a path parameter). */
function invalid(error: z.ZodError, whole: string): AppError {
  const fields: Record<string, string> = {};
  for (const i of error.issues) fields[i.path.join('.') || whole] = i.message;
  return new AppError(400, 'invalid_input', 'Some of the information is missing or not valid.', { fields });
}

function parse<S extends z.ZodType>(schema: S, value: unknown, whole = 'body'): z.output<S> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw invalid(r.error, whole);
  return r.data;
}

const messageBody = z.object({ purpose: z.string({ error: 'Choose what your message is about.' }), subject: z.string({ error: 'Add a subject.' }), body: z.string({ error: 'Write your message.' }) });
const replyBody = z.object({ body: z.string({ error: 'Write your message.' }) });
const appointmentBody = z.object({
  reason: z.string({ error: 'Say what the visit is for.' }),
  visitType: z.enum(['in-person', 'video'], { error: 'Choose in person or video.' }),
  preferred: z.array(z.object({ date: z.string(), partOfDay: z.enum(['morning', 'afternoon', 'any']).default('any') })).max(3).default([]),
  notes: z.string().optional(),
});
const uploadFields = z.object({ category: z.enum(['insurance-card', 'form', 'outside-record', 'other'], { error: 'Choose a kind of document.' }), description: z.string({ error: 'Describe the document.' }) });
const index = z.coerce.number().int().min(0).max(50);
/** `before`: the `older` of the previous page of activity. */
export const activityQuery = z.object({ before: z.coerce.number().int().positive().optional() });
/** `?disposition=inline` asks to open a file in the browser rather than save it. */
const contentQuery = z.object({ disposition: z.enum(['inline', 'attachment'], { error: 'Use inline or attachment.' }).default('attachment') });

/** Reads a write's body: JSON, or multipart when files are attached. */
async function writeBody(ctx: Context, s: AppServices, maxFiles: number): Promise<{ fields: unknown; files: UploadedFile[] }> {
  if (isMultipart(ctx)) {
    const m = s.registration(ctx.state.session!.ehrId).messaging;
    const { fields, files } = await readMultipart(ctx, { maxFiles, maxFileBytes: m.maxAttachmentBytes });
    return { fields, files };
  }
  return { fields: (ctx.request as { body?: unknown }).body, files: [] };
}

/** Streams a file; the query is checked before the file is opened, so a bad one leaves no stream behind. */
async function sendContent(ctx: Context, open: () => Promise<DocumentContent>): Promise<void> {
  const { disposition } = parse(contentQuery, ctx.query, 'query');
  const content = await open();
  ctx.type = content.contentType;
  // Opened inline only when asked and only for types a browser shows without running anything
  // (never text/plain, which a browser may sniff); the sandbox CSP below applies either way.
  ctx.set('Content-Disposition', `${disposition === 'inline' && content.contentType !== 'text/plain' ? 'inline' : 'attachment'}; filename="${content.filename}"`);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
  if (content.size !== undefined) ctx.length = content.size;
  ctx.body = content.stream;
}

/** The patient JSON API (ARCHITECTURE.md "Stable interfaces"); every route takes its guard from the table. */
export function apiRoutes(portal: PortalService) {
  return (s: AppServices, g: Guards): Router => {
    const r = new Router({ prefix: '/api' });
    const call = (ctx: Context) => portalCall(ctx, s);

    r.get('/summary', ...g.page, async (ctx) => {
      ctx.body = await portal.summary(call(ctx));
    });
    r.get('/messaging-options', ...g.read('messages'), (ctx) => {
      ctx.body = portal.messagingOptions(call(ctx));
    });
    r.get('/messages', ...g.read('messages'), async (ctx) => {
      ctx.body = await portal.threads(call(ctx));
    });
    r.get('/messages/:threadId', ...g.read('messages'), async (ctx) => {
      ctx.body = await portal.thread(call(ctx), ctx.params.threadId!);
    });
    r.get('/messages/:messageId/attachments/:index', ...g.read('messages'), async (ctx) => {
      const n = parse(index, ctx.params.index, 'index');
      await sendContent(ctx, () => portal.messageAttachment(call(ctx), ctx.params.messageId!, n));
    });
    r.post('/messages', ...g.change('messages'), async (ctx) => {
      const c = call(ctx);
      const { fields, files } = await writeBody(ctx, s, s.registration(c.session.ehrId).messaging.maxAttachments);
      const input = parse(messageBody, fields);
      ctx.status = 202;
      ctx.body = await portal.sendMessage(c, { ...input, attachments: files });
    });
    r.post('/messages/:threadId/replies', ...g.change('messages'), async (ctx) => {
      const c = call(ctx);
      const { fields, files } = await writeBody(ctx, s, s.registration(c.session.ehrId).messaging.maxAttachments);
      const input = parse(replyBody, fields);
      ctx.status = 202;
      ctx.body = await portal.reply(c, ctx.params.threadId!, { ...input, attachments: files });
    });

    r.get('/appointments', ...g.read('appointments'), async (ctx) => {
      ctx.body = await portal.appointments(call(ctx));
    });
    r.get('/appointments/:id/calendar.ics', ...g.read('appointments'), async (ctx) => {
      ctx.type = 'text/calendar; charset=utf-8';
      ctx.set('Content-Disposition', 'attachment; filename="appointment.ics"');
      ctx.body = await portal.appointmentIcs(call(ctx), ctx.params.id!);
    });
    r.post('/appointment-requests', ...g.change('appointments'), async (ctx) => {
      const input = parse(appointmentBody, (ctx.request as { body?: unknown }).body);
      ctx.status = 202;
      ctx.body = await portal.requestAppointment(call(ctx), input);
    });
    r.post('/appointment-requests/:id/cancel', ...g.change('appointments'), async (ctx) => {
      ctx.status = 202;
      ctx.body = await portal.cancelAppointmentRequest(call(ctx), ctx.params.id!);
    });

    r.get('/results', ...g.read('results'), async (ctx) => {
      ctx.body = await portal.results(call(ctx));
    });
    r.get('/results/:id', ...g.read('results'), async (ctx) => {
      ctx.body = await portal.result(call(ctx), ctx.params.id!);
    });
    r.get('/results/:id/form/:index', ...g.read('results'), async (ctx) => {
      const n = parse(index, ctx.params.index, 'index');
      await sendContent(ctx, () => portal.resultForm(call(ctx), ctx.params.id!, n));
    });

    r.get('/documents', ...g.read('documents'), async (ctx) => {
      ctx.body = await portal.documents(call(ctx));
    });
    r.get('/documents/:id/content', ...g.read('documents'), async (ctx) => {
      await sendContent(ctx, () => portal.documentContent(call(ctx), ctx.params.id!));
    });
    r.post('/documents', ...g.change('documents'), async (ctx) => {
      const { fields, files } = await writeBody(ctx, s, 1);
      const input = parse(uploadFields, fields);
      const file = files[0];
      if (!file) throw new AppError(400, 'invalid_input', 'Choose a file to upload.', { fields: { file: 'required' } });
      ctx.status = 202;
      ctx.body = await portal.uploadDocument(call(ctx), { ...input, file });
    });

    r.get('/release-preferences', ...g.page, async (ctx) => {
      ctx.body = await portal.releaseChoices(call(ctx));
    });

    r.put('/release-preferences', ...g.pageWrite, async (ctx) => {
      const patch = parse(ReleaseChoicesPatchSchema, (ctx.request as { body?: unknown }).body);
      ctx.body = await portal.saveReleaseChoices(call(ctx), patch);
    });

    r.get('/activity', ...g.page, async (ctx) => {
      const { before } = parse(activityQuery, ctx.query, 'query');
      ctx.body = await portal.activity(call(ctx), before);
    });
    return r;
  };
}
