import { sameSecret } from '../smart/hash.js';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Patient, RelatedPerson } from 'fhir/r4.js';
import type { AppServices } from '../services.js';
import type { Guards } from '../http/guards.js';
import { AppError } from '../http/errors.js';
import { fhirForSession } from '../fhir/for-session.js';
import { contactFrom } from './contact.js';
import { referencesIn } from './detect.js';
import { applyPatch, effectivePreferences, preferencesPatchSchema, type SavedPreferences } from './preferences.js';
import type { ContactDetails, Recipient } from './types.js';
import { clinicDefaults } from './settings.js';

const HOOK_BODY_LIMIT = 1024 * 1024;

function viewerOf(ctx: Context): Recipient {
  const session = ctx.state.session!;
  if (session.viewer.kind !== 'patient' && session.viewer.kind !== 'proxy') throw new AppError(403, 'no_patient_context', 'Notification choices are for patients and the people helping them.');
  return { kind: session.viewer.kind, id: session.viewer.kind === 'patient' ? session.patientId : session.viewer.id };
}

/** FHIR-facing failures are OperationOutcomes (STYLE.md principle 3); no detail beyond a code. */
function outcome(ctx: Context, status: number, code: string, text: string): void {
  ctx.status = status;
  ctx.type = 'application/fhir+json';
  ctx.body = { resourceType: 'OperationOutcome', issue: [{ severity: status < 400 ? 'information' : 'error', code, diagnostics: text }] };
}

async function hookPayload(ctx: Context): Promise<unknown> {
  const req = ctx.request as { body?: unknown; rawBody?: string };
  if (req.rawBody !== undefined) return req.body;
  if (!ctx.req.readable) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > HOOK_BODY_LIMIT) throw new AppError(413, 'too_large', 'payload too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/**
 * Notification preferences (patient or proxy, each their own) and the FHIR rest-hook that tells
 * us an EHR changed something.
 */
export function notifyRoutes(s: AppServices, g: Guards): Router {
  const r = new Router();

  /** The viewer's record contact (their own token), kept for sends while the EHR is down. */
  async function recordContact(ctx: Context, who: Recipient): Promise<ContactDetails | undefined> {
    const session = ctx.state.session!;
    const now = s.clock();
    try {
      const fhir = fhirForSession(s, session);
      const person = who.kind === 'patient' ? await fhir.read<Patient>('Patient', session.patientId) : await fhir.read<RelatedPerson>('RelatedPerson', who.id);
      const contact = contactFrom(person, now);
      await s.notify.store.saveContact(session.ehrId, session.patientId, who, contact, now);
      return contact;
    } catch {
      return (await s.notify.store.preferences(session.ehrId, session.patientId, who)).contact;
    }
  }

  /** The viewer's effective preferences; `justSaved` spares re-reading what a PUT has just written. */
  async function answer(ctx: Context, who: Recipient, justSaved?: SavedPreferences): Promise<void> {
    const session = ctx.state.session!;
    const [saved, contact] = await Promise.all([
      justSaved ?? s.notify.store.preferences(session.ehrId, session.patientId, who).then((p) => p.saved),
      recordContact(ctx, who),
    ]);
    ctx.body = { ...effectivePreferences(saved, clinicDefaults(s.notify.settings, s.registration(session.ehrId)), contact, s.notify.available), available: [...s.notify.available] };
  }

  r.get('/api/notification-preferences', ...g.page, async (ctx) => {
    const session = ctx.state.session!;
    await answer(ctx, viewerOf(ctx));
    // The answer carries contact details read from the record: a PHI read like any other.
    await s.audit.record({ actor: { kind: session.viewer.kind, id: session.viewer.id }, ehrId: session.ehrId, patientId: session.patientId, action: 'read', resourceType: session.viewer.kind === 'proxy' ? 'RelatedPerson' : 'Patient', outcome: 'success', ip: ctx.ip, userAgent: ctx.get('user-agent'), requestId: ctx.state.requestId });
  });

  r.put('/api/notification-preferences', ...g.write, async (ctx) => {
    const who = viewerOf(ctx);
    const session = ctx.state.session!;
    const parsed = preferencesPatchSchema.safeParse((ctx.request as { body?: unknown }).body ?? {});
    if (!parsed.success) {
      const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || 'body', i.message]));
      throw new AppError(400, 'invalid_input', 'Some of the choices are not valid.', { fields });
    }
    const { saved } = await s.notify.store.preferences(session.ehrId, session.patientId, who);
    const next = applyPatch(saved ?? {}, parsed.data);
    await s.notify.store.savePreferences(session.ehrId, session.patientId, who, next, s.clock());
    await s.audit.record({ actor: { kind: session.viewer.kind, id: session.viewer.id }, ehrId: session.ehrId, patientId: session.patientId, action: 'notification_preferences', outcome: 'success', ip: ctx.ip, userAgent: ctx.get('user-agent'), requestId: ctx.state.requestId });
    await answer(ctx, who, next);
  });

  // FHIR R4 Subscription rest-hook. The payload is only a trigger: what it names is read again
  // with our own backend token before anything is decided (a forged body changes nothing).
  r.post('/hooks/fhir/:ehrId', ...g.launch, async (ctx) => {
    const ehrId = ctx.params.ehrId ?? '';
    const secret = s.notify.settings.hookSecrets.get(ehrId);
    const backend = s.notify.backends.get(ehrId);
    const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    if (!secret || !backend) return outcome(ctx, 404, 'not-found', 'No rest-hook is configured for this EHR.');
    if (!bearer || !sameSecret(bearer, secret)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      return outcome(ctx, 401, 'security', 'A valid bearer secret is required.');
    }
    let payload: unknown;
    try {
      payload = await hookPayload(ctx);
    } catch (e) {
      if (e instanceof AppError) return outcome(ctx, 413, 'too-costly', 'The notification body is too large.');
      return outcome(ctx, 400, 'invalid', 'The notification body is not JSON.');
    }
    const refs = referencesIn(payload);
    if (!refs.length) {
      // An empty (id-only / heartbeat) notification: look at the change feed now.
      s.notify.wake(ehrId);
      return outcome(ctx, 200, 'informational', 'Change pass scheduled.');
    }
    try {
      await s.notify.detector.processReferences(backend, refs);
    } catch (e) {
      s.logger.warn({ event: 'notify.hook_failed', ehr: ehrId, err: { type: (e as Error).name } }, 'rest-hook processing failed');
      ctx.set('Retry-After', '30');
      return outcome(ctx, 503, 'transient', 'The change could not be processed now; send it again later.');
    }
    outcome(ctx, 200, 'informational', `Processed ${refs.length} reference(s).`);
  });

  return r;
}
