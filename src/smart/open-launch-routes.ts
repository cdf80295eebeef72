import Router from '@koa/router';
import { z } from 'zod';
import type { Bundle, Patient } from 'fhir/r4.js';
import type { AppServices } from '../services.js';
import { AppError } from '../http/errors.js';
import { LAUNCH_COOKIE, readCookie, setCookie } from '../http/cookies.js';
import { escapeHtml } from '../http/html.js';
import { simplePage } from '../http/simple-page.js';
import { randomToken, sameSecret } from './hash.js';
import { humanName as displayName } from '../views/names.js';
import { startSession } from './start-session.js';
import { FHIR_ID } from '../fhir/fhir-id.js';

const pickForm = z.object({ ehr: z.string().regex(/^[a-z0-9-]+$/), patient: z.string().regex(FHIR_ID), binding: z.string().min(20).max(64) });

/**
 * Open-server mode, for FHIR servers without SMART (HAPI in docker compose): the developer picks a
 * patient on this page. Config refuses `auth: "none"` when NODE_ENV=production.
 */
export function openLaunchRoutes(s: AppServices): Router {
  const router = new Router();
  const openEhr = (id: string) => {
    const reg = s.config.ehrs.find((r) => r.id === id && r.auth.type === 'none');
    if (!reg) throw new AppError(400, 'unknown_ehr', 'That open FHIR server is not set up here.');
    return reg;
  };

  router.get('/launch/open', async (ctx) => {
    const reg = openEhr(String(ctx.query.ehr ?? ''));
    let bundle: Bundle;
    try {
      const res = await fetch(`${reg.fhirBaseUrl.replace(/\/+$/, '')}/Patient?_count=50`, { headers: { accept: 'application/fhir+json' }, signal: AbortSignal.timeout(reg.fhirTimeoutMs) });
      if (!res.ok) throw new Error(String(res.status));
      bundle = (await res.json()) as Bundle;
    } catch {
      throw new AppError(503, 'ehr_unavailable', `${reg.name} is not answering.`, { expose: true, action: 'Check that the FHIR server is running, then reload this page.' });
    }
    const binding = readCookie(ctx, LAUNCH_COOKIE, s.cookies) ?? randomToken();
    setCookie(ctx, LAUNCH_COOKIE, binding, s.cookies, 600);
    const patients = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Patient => r?.resourceType === 'Patient' && typeof r.id === 'string');
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = simplePage(
      `Choose a patient on ${reg.name}`,
      `<p class="notice">Development mode: ${escapeHtml(reg.name)} has no sign-in, so you choose whose record to open.</p>
      ${patients.length ? '' : '<p>This server has no patients yet. Load some data, then reload this page.</p>'}
      <ul class="choices">${patients
        .map(
          (p) => `<li><form method="post" action="/launch/open"><input type="hidden" name="ehr" value="${escapeHtml(reg.id)}"><input type="hidden" name="patient" value="${escapeHtml(p.id)}"><input type="hidden" name="binding" value="${escapeHtml(binding)}"><button type="submit">${escapeHtml(displayName(p.name) ?? p.id)} <span class="muted">${escapeHtml(p.birthDate ?? '')}</span></button></form></li>`,
        )
        .join('')}</ul>`,
    );
  });

  router.post('/launch/open', async (ctx) => {
    const form = pickForm.safeParse((ctx.request as { body?: unknown }).body);
    if (!form.success) throw new AppError(400, 'launch_invalid', 'Please choose a patient from the list.');
    const reg = openEhr(form.data.ehr);
    const cookie = readCookie(ctx, LAUNCH_COOKIE, s.cookies);
    if (!cookie || !sameSecret(cookie, form.data.binding)) throw new AppError(400, 'state_invalid', 'This choice was not made in this browser. Please reload the list.');
    await startSession(ctx, s, {
      ehrId: reg.id,
      patientId: form.data.patient,
      viewer: { kind: 'patient', id: form.data.patient },
      // An open server grants everything; the feature checks still run on this list.
      scopes: 'patient/*.cruds',
      accessExpiresAt: null,
      secrets: { accessToken: '', needPatientBanner: true },
    });
    ctx.status = 303;
    ctx.redirect('/');
  });
  return router;
}
