/**
 * The patient pages: thin adapters over the Portal use cases (the same ones the JSON API calls),
 * rendered on the server. Reads are GETs under the page guard; writes are form posts under the
 * feature's change guard (CSRF `_csrf` field), answered with a redirect to the page that shows
 * the result (POST/redirect/GET). The approach is described in the README ("The patient pages").
 */
import { activityQuery } from '../portal/api-routes.js';
import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { Guards } from '../http/guards.js';
import { AppError, isAppError } from '../http/errors.js';
import { portalCall } from '../portal/portal-call.js';
import type { NewAppointmentRequest, Portal, PortalCall, UploadedFile } from '../portal/portal.js';
import type { AppServices } from '../services.js';
import type { Feature, FeatureAvailability } from '../smart/scopes.js';
import { messagesFor } from './i18n/index.js';
import { layout, type PageContent } from './layout.js';
import { simplePage } from '../http/simple-page.js';
import { LANG_COOKIE, pickLocale, safeBackPath } from './locale.js';
import { acceptedType, multipartForm, type MultipartLimits, type ParsedUpload } from './multipart.js';
import { fileSize } from './format.js';
import type { Chrome, NavKey, RenderContext } from './render-context.js';
import { themeColours, themeCss, themeVersion } from './theme.js';
import { renderActivity } from './pages/activity.js';
import { renderResultChoices } from './pages/result-choices.js';
import { emptyRequest, NOTES_MAX, REASON_MAX, renderAppointmentRequest, renderAppointments, type AppointmentRequestValues } from './pages/appointments.js';
import { DESCRIPTION_MAX, renderDocuments, UPLOAD_CATEGORIES, uploadSection, type UploadValues } from './pages/documents.js';
import type { SafeHtml } from './html.js';
import { LOCAL_THREAD_PREFIX } from '../outbox/types.js';
import type { FormErrors } from './pages/forms.js';
import { renderHome } from './pages/home.js';
import { renderCompose, renderInbox, renderThread, replySection, type ComposeValues } from './pages/messages.js';
import { renderResultDetail, renderResults } from './pages/results.js';
import { renderEhrDown, renderSessionEnded, renderSignedOut, renderSignInAgain, SIGN_IN_AGAIN_CODES, type SignInAgainCode } from './pages/status-pages.js';
import { FHIR_ID } from '../fhir/fhir-id.js';
import { localDay } from '../views/format-date.js';

interface Req {
  call: PortalCall;
  rc: RenderContext;
  chrome: Chrome;
}

function sameOriginLogo(logoUrl: string | undefined, publicUrl: string): string | null {
  if (!logoUrl) return null;
  try {
    const u = new URL(logoUrl);
    return u.origin === new URL(publicUrl).origin ? u.pathname + u.search : null;
  } catch {
    return null;
  }
}

function requestParts(ctx: Context, s: AppServices, portal: Portal): Req {
  const locale = pickLocale(ctx);
  const call = portalCall(ctx, s, locale);
  const session = call.session;
  const reg = s.registration(session.ehrId);
  const features: Record<Feature, FeatureAvailability> = portal.features(call);
  const theme = themeColours(session.secrets.style, reg.branding.primaryColor);
  const version = themeVersion(theme);
  const chrome: Chrome = {
    clinicName: reg.branding.clinicName,
    logoUrl: sameOriginLogo(reg.branding.logoUrl, s.config.publicUrl),
    supportPhone: reg.branding.supportPhone ?? null,
    ehrName: reg.name,
    patientName: session.secrets.patientName ?? null,
    patientBirthDate: session.secrets.patientBirthDate ?? null,
    viewer: { kind: session.viewer.kind, name: session.secrets.viewerName ?? null, relationship: session.secrets.viewerRelationship ?? null },
    needPatientBanner: session.secrets.needPatientBanner,
    csrfToken: session.secrets.csrfToken,
    path: ctx.path,
    draftScope: createHash('sha256').update(`${session.ehrId}|${session.patientId}|${session.viewer.kind}|${session.viewer.id}`).digest('hex').slice(0, 16),
    themeHref: version ? `/theme.css?v=${version}` : null,
    features,
  };
  return { call, rc: { t: messagesFor(locale), locale, timeZone: call.view.timeZone }, chrome };
}

function send(ctx: Context, r: Req, active: NavKey | null, page: PageContent, status = 200, clearDrafts?: string[]): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = layout(r.rc, r.chrome, { ...page, active, ...(clearDrafts ? { clearDrafts } : {}) }).value;
}

/**
 * What a page confirms when it is reached right after a write: the write is kept whatever the EHR
 * does, so an outage still confirms it and clears the saved draft (else the patient sends it twice).
 */
interface Accepted {
  notice: string | null;
  /** Drafts to clear, on the page and on its outage page alike. */
  clearDrafts?: string[];
  /** What the outage page can still offer: a form whose write is taken without the EHR (built only then). */
  stillHere?: () => SafeHtml;
}

/** Runs a page; an EHR outage becomes a page in the layout instead of a bare error page. */
async function page(
  ctx: Context,
  r: Req,
  active: NavKey | null,
  build: () => Promise<PageContent & { status?: number; clearDrafts?: string[] }>,
  accepted?: Accepted,
): Promise<void> {
  try {
    const p = await build();
    send(ctx, r, active, p, p.status ?? 200, p.clearDrafts ?? accepted?.clearDrafts);
  } catch (e) {
    if (isAppError(e) && e.code === 'ehr_unavailable') {
      send(ctx, r, active, renderEhrDown(r.rc, r.chrome, { accepted: accepted?.notice ?? null, ...(accepted?.stillHere ? { stillHere: accepted.stillHere() } : {}) }), 503, accepted?.clearDrafts);
      return;
    }
    throw e;
  }
}

const formBody = (ctx: Context): Record<string, unknown> => {
  const b = (ctx.request as { body?: unknown }).body;
  return b && typeof b === 'object' ? (b as Record<string, unknown>) : {};
};
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** zod issues → one message per field, in the page's language. */
function fieldErrors(error: z.ZodError, words: Record<string, (issue: z.core.$ZodIssue) => string>, fallback: string): FormErrors {
  const out: FormErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (out[field] === undefined) out[field] = words[field]?.(issue) ?? fallback;
  }
  return out;
}

/** Field problems the Portal reported (its zod check) shown beside our own. */
function portalFieldErrors(e: unknown): FormErrors | undefined {
  return isAppError(e) && e.status < 500 && e.fields ? { ...e.fields } : undefined;
}

function checkFiles(rc: RenderContext, uploads: ParsedUpload[], overLimit: boolean, limits: MultipartLimits): { files: UploadedFile[]; error?: string } {
  const { t } = rc;
  if (overLimit || uploads.length > limits.maxFiles) return { files: [], error: t.errors.files(limits.maxFiles) };
  const files: UploadedFile[] = [];
  for (const u of uploads) {
    if (u.truncated || u.bytes.length > limits.maxFileBytes) return { files: [], error: t.errors.fileSize(u.filename, fileSize(limits.maxFileBytes, rc.locale)) };
    const type = acceptedType(u);
    if (type === undefined) return { files: [], error: t.errors.fileType(u.filename) };
    files.push({ filename: u.filename, contentType: type, bytes: u.bytes });
  }
  return { files };
}

/**
 * Runs a patient write and answers 303 to the address it returns; when the portal refuses the
 * input field by field, those errors come back for the form instead (anything else is thrown).
 */
async function writeThenRedirect(ctx: Context, write: () => Promise<string>): Promise<FormErrors | undefined> {
  let to: string;
  try {
    to = await write();
  } catch (e) {
    const fields = portalFieldErrors(e);
    if (!fields) throw e;
    return fields;
  }
  ctx.status = 303;
  ctx.redirect(to);
  return undefined;
}

/** A page without a session (signed out, sign in again), in the person's language. */
function sessionlessPage(ctx: Context, title: (rc: RenderContext) => string, body: (rc: RenderContext) => ReturnType<typeof renderSessionEnded>, status = 200): void {
  const locale = pickLocale(ctx);
  const rc: RenderContext = { t: messagesFor(locale), locale, timeZone: 'UTC' };
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = simplePage(title(rc), body(rc).value, locale);
}

const isSignInAgain = (code: string): code is SignInAgainCode => (SIGN_IN_AGAIN_CODES as readonly string[]).includes(code);

/**
 * A page asked for without a live session (guards' 401) becomes "Please sign in again" in the
 * person's language, saying drafts are kept only where they are (see renderSignInAgain). JSON
 * callers and any other error keep the shared error handler's answer.
 */
function signInAgainPage(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (e) {
      if (!isAppError(e) || e.status !== 401 || !isSignInAgain(e.code) || ctx.accepts('html', 'json') !== 'html') throw e;
      const code = e.code;
      sessionlessPage(ctx, (rc) => rc.t.signInAgainTitle, (rc) => renderSignInAgain(rc, code, ctx.state.requestId ?? 'unknown'), 401);
    }
  };
}

/** A route parameter filled into a page address; every UI parameter is a FHIR id. */
const pagePath = (pattern: string, params: Record<string, string>): string =>
  pattern.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const v = params[name] ?? '';
    if (!FHIR_ID.test(v)) throw new AppError(404, 'not_found', 'There is nothing at this address.');
    return encodeURIComponent(v);
  });

/**
 * Every form-post address also answers GET. A failed post leaves its address in the address bar,
 * and the language switch, a reload, "Try again" and the history all come back to it with GET:
 * where the form's own page is not at that address, GET is a 303 to the nearest page above it
 * (`/messages/:threadId/reply` → `/messages/:threadId`, `/appointments/:id/cancel` →
 * `/appointments`), never a 405. Runs over the router's table, so a new form post is covered too.
 */
function getForEveryFormPost(router: Router): void {
  const paths = (method: string) => new Set(router.stack.filter((l) => l.methods.includes(method) && typeof l.path === 'string').map((l) => l.path as string));
  const gets = paths('GET');
  for (const post of paths('POST')) {
    if (gets.has(post)) continue;
    let page = post;
    do page = page.slice(0, page.lastIndexOf('/')) || '/';
    while (page !== '/' && !gets.has(page));
    router.get(post, (ctx) => {
      ctx.status = 303;
      ctx.redirect(pagePath(page, ctx.params));
    });
  }
}

const idParam = (ctx: Context, name: string): string => {
  const v = ctx.params[name] ?? '';
  if (!FHIR_ID.test(v)) throw new AppError(404, 'not_found', 'There is nothing at this address.');
  return v;
};

export function uiRoutes(s: AppServices, g: Guards, portal: Portal): Router {
  const router = new Router();
  const parts = (ctx: Context) => requestParts(ctx, s, portal);

  const messageLimits = (ctx: Context): MultipartLimits => {
    const o = portal.messagingOptions(portalCall(ctx, s, pickLocale(ctx)));
    return { maxFiles: o.maxAttachments, maxFileBytes: o.maxAttachmentBytes, maxFieldBytes: o.maxBodyChars * 4 + 1024 };
  };
  const uploadLimits = (ctx: Context): MultipartLimits => ({ ...messageLimits(ctx), maxFiles: 1, maxFieldBytes: 4096 });

  router.use(signInAgainPage());

  // ---- language and signed-out pages (no session needed) ----
  router.get('/language', (ctx) => {
    const to = z.enum(['en', 'es']).safeParse(ctx.query.to);
    const secure = s.cookies.secure;
    if (to.success) {
      ctx.append('Set-Cookie', `${LANG_COOKIE}=${to.data}; Path=/; Max-Age=31536000; ${secure ? `SameSite=${s.cookies.sameSite}; Secure` : 'SameSite=Lax'}`);
    }
    ctx.status = 303;
    ctx.redirect(safeBackPath(ctx.query.back));
  });

  router.get('/session-ended', (ctx) => {
    sessionlessPage(ctx, (rc) => rc.t.sessionEndedTitle, renderSessionEnded);
  });

  // Where "Sign out" (POST /logout) leads.
  router.get('/signed-out', (ctx) => {
    sessionlessPage(ctx, (rc) => rc.t.signedOutTitle, renderSignedOut);
  });

  router.get('/theme.css', ...g.page, (ctx) => {
    const reg = s.registration(ctx.state.session!.ehrId);
    ctx.type = 'text/css; charset=utf-8';
    ctx.body = themeCss(themeColours(ctx.state.session!.secrets.style, reg.branding.primaryColor));
  });

  // ---- home ----
  router.get('/', ...g.page, async (ctx) => {
    const r = parts(ctx);
    await page(ctx, r, 'home', async () => renderHome(r.rc, r.chrome, await portal.summary(r.call)));
  });

  // ---- messages ----
  router.get('/messages', ...g.page, async (ctx) => {
    const r = parts(ctx);
    await page(ctx, r, 'messages', async () => {
      const list = r.chrome.features.messages.read ? await portal.threads(r.call) : null;
      const p = renderInbox(r.rc, r.chrome, list, ctx.query.sent === 'new' ? r.rc.t.messageSent : null);
      return { ...p, ...(ctx.query.sent === 'new' ? { clearDrafts: ['compose'] } : {}) };
    });
  });

  const composeSchema = (max: { subject: number; body: number }, purposes: string[]) =>
    z.object({
      purpose: z.string().refine((v) => purposes.includes(v)),
      subject: z.string().trim().min(1).max(max.subject),
      body: z.string().trim().min(1).max(max.body),
    });

  router.get('/messages/new', ...g.page, async (ctx) => {
    const r = parts(ctx);
    const opts = portal.messagingOptions(r.call);
    const purpose = str(ctx.query.purpose);
    await page(ctx, r, 'messages', async () => renderCompose(r.rc, r.chrome, opts, { purpose, subject: '', body: '' }, {}));
  });

  router.post('/messages/new', ...g.page, multipartForm(messageLimits), ...g.change('messages'), async (ctx) => {
    const r = parts(ctx);
    const { t } = r.rc;
    const opts = portal.messagingOptions(r.call);
    const body = formBody(ctx);
    const values: ComposeValues = { purpose: str(body.purpose), subject: str(body.subject), body: str(body.body) };
    const parsed = composeSchema({ subject: opts.maxSubjectChars, body: opts.maxBodyChars }, opts.purposes.map((p) => p.code)).safeParse(values);
    let errors: FormErrors = parsed.success
      ? {}
      : fieldErrors(
          parsed.error,
          {
            purpose: () => t.errors.purpose,
            subject: (i) => (i.code === 'too_big' ? t.errors.subjectLong(opts.maxSubjectChars) : t.errors.subject),
            body: (i) => (i.code === 'too_big' ? t.errors.bodyLong(opts.maxBodyChars) : t.errors.body),
          },
          t.errors.generic,
        );
    const files = checkFiles(r.rc, ctx.state.uploads ?? [], ctx.state.uploadsOverLimit ?? false, messageLimits(ctx));
    if (files.error) errors.attachments = files.error;
    if (parsed.success && Object.keys(errors).length === 0) {
      const refused = await writeThenRedirect(ctx, async () => {
        const accepted = await portal.sendMessage(r.call, { ...parsed.data, ...(files.files.length ? { attachments: files.files } : {}) });
        return accepted.threadId ? `/messages/${encodeURIComponent(accepted.threadId)}?sent=new#latest` : '/messages?sent=new';
      });
      if (!refused) return;
      errors = refused;
    }
    await page(ctx, r, 'messages', async () => ({ ...renderCompose(r.rc, r.chrome, opts, values, errors), status: 422 }));
  });

  router.get('/messages/:threadId', ...g.page, async (ctx) => {
    const r = parts(ctx);
    const threadId = idParam(ctx, 'threadId');
    const sent = str(ctx.query.sent);
    const clearDrafts = sent === 'new' ? ['compose'] : sent === 'reply' ? [`reply-${threadId}`] : undefined;
    const opts = portal.messagingOptions(r.call);
    const noReply = { body: '', errors: {} };
    await page(
      ctx,
      r,
      'messages',
      async () => renderThread(r.rc, r.chrome, await portal.thread(r.call, threadId), opts, noReply, clearDrafts !== undefined),
      {
        notice: clearDrafts ? r.rc.t.messageSent : null,
        ...(clearDrafts ? { clearDrafts } : {}),
        // A reply into a conversation started here is taken without the EHR (one in the EHR's own needs it to check the thread).
        ...(threadId.startsWith(LOCAL_THREAD_PREFIX) ? { stillHere: () => replySection(r.rc, r.chrome, threadId, opts, noReply) } : {}),
      },
    );
  });

  router.post('/messages/:threadId/reply', ...g.page, multipartForm(messageLimits), ...g.change('messages'), async (ctx) => {
    const r = parts(ctx);
    const { t } = r.rc;
    const threadId = idParam(ctx, 'threadId');
    const opts = portal.messagingOptions(r.call);
    const text = str(formBody(ctx).body);
    const parsed = z.object({ body: z.string().trim().min(1).max(opts.maxBodyChars) }).safeParse({ body: text });
    let errors: FormErrors = parsed.success ? {} : fieldErrors(parsed.error, { body: (i) => (i.code === 'too_big' ? t.errors.bodyLong(opts.maxBodyChars) : t.errors.body) }, t.errors.generic);
    const files = checkFiles(r.rc, ctx.state.uploads ?? [], ctx.state.uploadsOverLimit ?? false, messageLimits(ctx));
    if (files.error) errors.attachments = files.error;
    if (parsed.success && Object.keys(errors).length === 0) {
      const refused = await writeThenRedirect(ctx, async () => {
        const accepted = await portal.reply(r.call, threadId, { body: parsed.data.body, ...(files.files.length ? { attachments: files.files } : {}) });
        return `/messages/${encodeURIComponent(accepted.threadId ?? threadId)}?sent=reply#latest`;
      });
      if (!refused) return;
      errors = refused;
    }
    await page(ctx, r, 'messages', async () => {
      const thread = await portal.thread(r.call, threadId);
      return { ...renderThread(r.rc, r.chrome, thread, opts, { body: text, errors }, false), status: 422 };
    });
  });

  // ---- appointments ----
  router.get('/appointments', ...g.page, async (ctx) => {
    const r = parts(ctx);
    const done = str(ctx.query.done);
    const notice = done === 'requested' ? r.rc.t.requestSent : done === 'cancelled' ? r.rc.t.requestCancelled : null;
    const clearDrafts = done === 'requested' ? ['appointment-request'] : undefined;
    await page(
      ctx,
      r,
      'appointments',
      async () => renderAppointments(r.rc, r.chrome, r.chrome.features.appointments.read ? await portal.appointments(r.call) : null, notice),
      notice ? { notice, ...(clearDrafts ? { clearDrafts } : {}) } : undefined,
    );
  });

  router.get('/appointments/request', ...g.page, async (ctx) => {
    const r = parts(ctx);
    await page(ctx, r, 'appointments', async () => renderAppointmentRequest(r.rc, r.chrome, emptyRequest(), {}, localDay(r.call.view.timeZone, r.call.view.now)));
  });

  router.post('/appointments/request', ...g.change('appointments'), async (ctx) => {
    const r = parts(ctx);
    const { t } = r.rc;
    const b = formBody(ctx);
    const values: AppointmentRequestValues = {
      reason: str(b.reason),
      visitType: str(b.visitType),
      dates: [0, 1, 2].map((i) => ({ date: str(b[`date${i}`]).trim(), partOfDay: str(b[`part${i}`]) || 'any' })),
      notes: str(b.notes),
    };
    const min = localDay(r.call.view.timeZone, r.call.view.now);
    const isDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
    const part = z.enum(['morning', 'afternoon', 'any']);
    const schema = z.object({
      reason: z.string().trim().min(1).max(REASON_MAX),
      visitType: z.enum(['in-person', 'video']),
      date0: z.string().refine((v) => isDay(v) && v >= min),
      date1: z.string().refine((v) => v === '' || (isDay(v) && v >= min)),
      date2: z.string().refine((v) => v === '' || (isDay(v) && v >= min)),
      part0: part,
      part1: part,
      part2: part,
      notes: z.string().trim().max(NOTES_MAX),
    });
    const input = {
      reason: values.reason,
      visitType: values.visitType,
      notes: values.notes,
      ...Object.fromEntries(values.dates.flatMap((d, i) => [[`date${i}`, d.date], [`part${i}`, d.partOfDay]])),
    };
    const parsed = schema.safeParse(input);
    let errors: FormErrors = parsed.success
      ? {}
      : fieldErrors(
          parsed.error,
          { reason: () => t.errors.reason, visitType: () => t.errors.visitType, date0: () => (values.dates[0]!.date === '' ? t.errors.dates : t.errors.date), date1: () => t.errors.date, date2: () => t.errors.date },
          t.errors.generic,
        );
    if (parsed.success) {
      const d = parsed.data;
      const request: NewAppointmentRequest = {
        reason: d.reason,
        visitType: d.visitType,
        preferred: [
          { date: d.date0, partOfDay: d.part0 },
          ...(d.date1 ? [{ date: d.date1, partOfDay: d.part1 }] : []),
          ...(d.date2 ? [{ date: d.date2, partOfDay: d.part2 }] : []),
        ],
        ...(d.notes ? { notes: d.notes } : {}),
      };
      const refused = await writeThenRedirect(ctx, async () => {
        await portal.requestAppointment(r.call, request);
        return '/appointments?done=requested';
      });
      if (!refused) return;
      errors = refused;
    }
    await page(ctx, r, 'appointments', async () => ({ ...renderAppointmentRequest(r.rc, r.chrome, values, errors, min), status: 422 }));
  });

  router.get('/appointments/:id.ics', ...g.read('appointments'), async (ctx) => {
    const id = idParam(ctx, 'id');
    const ics = await portal.appointmentIcs(portalCall(ctx, s, pickLocale(ctx)), id);
    ctx.type = 'text/calendar; charset=utf-8';
    ctx.set('Content-Disposition', 'attachment; filename="appointment.ics"');
    ctx.body = ics;
  });

  router.post('/appointments/:id/cancel', ...g.change('appointments'), async (ctx) => {
    const id = idParam(ctx, 'id');
    try {
      await portal.cancelAppointmentRequest(portalCall(ctx, s, pickLocale(ctx)), id);
    } catch (e) {
      // Cancelling an appointment the EHR holds needs the EHR to check it first: nothing was queued, and the page says so.
      if (!isAppError(e) || e.code !== 'ehr_unavailable') throw e;
      const r = parts(ctx);
      send(ctx, r, 'appointments', renderEhrDown(r.rc, r.chrome, { notSent: r.rc.t.cancelNotSent, back: '/appointments' }), 503);
      return;
    }
    ctx.status = 303;
    ctx.redirect('/appointments?done=cancelled');
  });

  // ---- results ----
  router.get('/results', ...g.page, async (ctx) => {
    const r = parts(ctx);
    await page(ctx, r, 'results', async () => renderResults(r.rc, r.chrome, r.chrome.features.results.read ? await portal.results(r.call) : null));
  });

  // ---- the patient's choices about results (patients only: a proxy gets 403 from the use case) ----
  router.get('/result-choices', ...g.page, async (ctx) => {
    const r = parts(ctx);
    const notice = str(ctx.query.done) === 'saved' ? r.rc.t.choicesSaved : null;
    await page(ctx, r, 'results', async () => renderResultChoices(r.rc, r.chrome, await portal.releaseChoices(r.call), notice));
  });

  router.post('/result-choices', ...g.pageWrite, async (ctx) => {
    const b = formBody(ctx);
    // A checkbox is sent only when ticked: both choices are set on every save.
    await portal.saveReleaseChoices(parts(ctx).call, { waitForClinician: b.waitForClinician === 'on', geneticEarlyRelease: b.geneticEarlyRelease === 'on' });
    ctx.status = 303;
    ctx.redirect('/result-choices?done=saved');
  });

  router.get('/results/:id', ...g.page, async (ctx) => {
    const r = parts(ctx);
    const id = idParam(ctx, 'id');
    await page(ctx, r, 'results', async () => {
      if (!r.chrome.features.results.read) return renderResults(r.rc, r.chrome, null);
      return renderResultDetail(r.rc, r.chrome, await portal.result(r.call, id));
    });
  });

  // ---- documents ----
  const documentsPage = async (ctx: Context, r: Req, values: UploadValues, errors: FormErrors, status = 200) => {
    const notice = str(ctx.query.done) === 'uploaded' ? r.rc.t.uploadSent : null;
    const upload = { limits: portal.messagingOptions(r.call), values, errors };
    await page(
      ctx,
      r,
      'documents',
      async () => ({ ...renderDocuments(r.rc, r.chrome, r.chrome.features.documents.read ? await portal.documents(r.call) : null, upload, notice), status }),
      { notice, stillHere: () => uploadSection(r.rc, r.chrome, upload) },
    );
  };

  router.get('/documents', ...g.page, async (ctx) => {
    await documentsPage(ctx, parts(ctx), { category: '', description: '' }, {});
  });

  router.post('/documents', ...g.page, multipartForm(uploadLimits), ...g.change('documents'), async (ctx) => {
    const r = parts(ctx);
    const { t } = r.rc;
    const b = formBody(ctx);
    const values: UploadValues = { category: str(b.category), description: str(b.description) };
    const parsed = z
      .object({ category: z.enum(UPLOAD_CATEGORIES as [string, ...string[]]), description: z.string().trim().min(1).max(DESCRIPTION_MAX) })
      .safeParse(values);
    let errors: FormErrors = parsed.success ? {} : fieldErrors(parsed.error, { category: () => t.errors.category, description: () => t.errors.description }, t.errors.generic);
    const uploads = (ctx.state.uploads ?? []).filter((u) => u.field === 'file');
    const files = checkFiles(r.rc, uploads, ctx.state.uploadsOverLimit ?? false, uploadLimits(ctx));
    if (files.error) errors.file = files.error;
    else if (files.files.length === 0) errors.file = t.errors.fileMissing;
    if (parsed.success && Object.keys(errors).length === 0) {
      const refused = await writeThenRedirect(ctx, async () => {
        await portal.uploadDocument(r.call, {
          category: parsed.data.category as (typeof UPLOAD_CATEGORIES)[number],
          description: parsed.data.description,
          file: files.files[0]!,
        });
        return '/documents?done=uploaded';
      });
      if (!refused) return;
      errors = refused;
    }
    await documentsPage(ctx, r, values, errors, 422);
  });

  // ---- account activity ----
  router.get('/activity', ...g.page, async (ctx) => {
    const r = parts(ctx);
    const q = activityQuery.safeParse(ctx.query);
    await page(ctx, r, 'activity', async () => renderActivity(r.rc, r.chrome, await portal.activity(r.call, q.success ? q.data.before : undefined)));
  });

  getForEveryFormPost(router);
  return router;
}
