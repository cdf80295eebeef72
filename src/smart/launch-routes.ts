import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import * as oidc from 'openid-client';
import { z } from 'zod';
import type { Patient, RelatedPerson } from 'fhir/r4.js';
import type { AppServices } from '../services.js';
import type { EhrRegistration } from '../config/registration.js';
import { AppError } from '../http/errors.js';
import { LAUNCH_COOKIE, readCookie, setCookie } from '../http/cookies.js';
import { escapeHtml } from '../http/html.js';
import { simplePage } from '../http/simple-page.js';
import { FhirSession } from '../fhir/fhir-session.js';
import { requestedScopes } from './scopes.js';
import { randomToken, sha256 } from './hash.js';
import { parseFhirUser, showsSecondFactor } from './fhir-user.js';
import { humanName as displayName } from '../views/names.js';
import { startSession } from './start-session.js';
import { fetchSmartStyle } from './smart-style.js';

const launchQuery = z.object({
  iss: z.string().url().max(2048).optional(),
  launch: z.string().min(1).max(2048).optional(),
  ehr: z.string().regex(/^[a-z0-9-]+$/).optional(),
});

const callbackQuery = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(200).optional(),
});

const trim = (u: string) => u.replace(/\/+$/, '');

/** The registration whose FHIR base (or alias) is this `iss`: compared exactly, nothing fetched first. */
export function registrationForIssuer(ehrs: EhrRegistration[], iss: string): EhrRegistration | undefined {
  const want = trim(iss);
  return ehrs.find((r) => trim(r.fhirBaseUrl) === want || r.issuerAliases.some((a) => trim(a) === want));
}

function refuse(status: number, code: string, message: string, action = 'Please go back to your patient portal and open the app again.'): AppError {
  return new AppError(status, code, message, { expose: true, action });
}

/**
 * An error code the EHR (or whoever crafted the callback URL) sent, as an audit code: the RFC 6749
 * codes are lower-case words joined by underscores; anything else is recorded as `other`.
 */
export function oauthErrorCode(value: string): string {
  return /^[a-z][a-z_]{0,39}$/.test(value) ? value : 'other';
}

/** A token request that failed because the EHR is unavailable (RFC 6749 temporarily_unavailable, a 5xx, no connection), not because it refused. */
function ehrNotAnswering(e: unknown): boolean {
  if (e instanceof oidc.ResponseBodyError) return e.error === 'temporarily_unavailable' || e.error === 'server_error' || e.status >= 500;
  // A 5xx is "not a conform response" to the OAuth library, which keeps the response as the cause.
  const cause = (e as { cause?: unknown })?.cause;
  if (cause instanceof Response && cause.status >= 500) return true;
  const code = (cause as { code?: string } | undefined)?.code ?? (e as { code?: string })?.code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || (e instanceof TypeError && e.message === 'fetch failed');
}

function browserBinding(ctx: Context, s: AppServices): string {
  let value = readCookie(ctx, LAUNCH_COOKIE, s.cookies);
  if (!value || !/^[A-Za-z0-9_-]{20,64}$/.test(value)) {
    value = randomToken();
  }
  // Re-set on every launch so it lasts as long as the newest pending sign-in.
  setCookie(ctx, LAUNCH_COOKIE, value, s.cookies, 600);
  return sha256(value);
}

/** SMART EHR launch and standalone launch, the OAuth callback, and the open-server dev picker. */
export function launchRoutes(s: AppServices, guard: Middleware[]): Router {
  const router = new Router();

  router.get('/launch', ...guard, async (ctx) => {
    const q = launchQuery.safeParse(ctx.query);
    if (!q.success) throw refuse(400, 'launch_invalid', 'This sign-in link is not valid.');
    const { iss, launch, ehr } = q.data;
    let reg: EhrRegistration | undefined;
    if (iss) {
      reg = registrationForIssuer(s.config.ehrs, iss);
      if (!reg) {
        // Refused before any request is made to it: an unknown iss must never be contacted or redirected to.
        await s.audit.record({ actor: { kind: 'system', id: 'anonymous' }, action: 'signin_failed', outcome: 'failure', decision: 'unknown_issuer', ip: ctx.ip, userAgent: ctx.get('user-agent') });
        throw refuse(400, 'unknown_issuer', 'This app is not set up to work with the system that opened it.', 'Contact your clinic if you believe this is a mistake.');
      }
    } else if (ehr) {
      reg = s.config.ehrs.find((r) => r.id === ehr);
      if (!reg) throw refuse(400, 'unknown_ehr', 'That clinic system is not set up here.');
    } else if (s.config.ehrs.length === 1) {
      reg = s.config.ehrs[0]!;
    } else {
      ctx.type = 'html';
      ctx.body = simplePage(
        'Choose your clinic',
        `<p>Pick the clinic whose records you want to see.</p><ul class="choices">${s.config.ehrs
          .map((r) => `<li><a class="button" href="/launch?ehr=${encodeURIComponent(r.id)}">${escapeHtml(r.branding.clinicName)} <span class="muted">(${escapeHtml(r.name)})</span></a></li>`)
          .join('')}</ul>`,
      );
      return;
    }
    if (reg.auth.type === 'none') {
      ctx.redirect(`/launch/open?ehr=${encodeURIComponent(reg.id)}`);
      return;
    }
    const client = s.smartClients.get(reg.id)!;
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const scope = requestedScopes({ style: reg.auth.scopeStyle, ehrLaunch: Boolean(launch), refresh: reg.auth.refresh, extra: reg.auth.extraScopes }).join(' ');
    const url = await client.authorizationUrl({ scope, state, nonce, codeChallenge: await oidc.calculatePKCECodeChallenge(codeVerifier), ...(launch ? { launch } : {}) });
    await s.authRequests.put(state, { ehrId: reg.id, codeVerifier, nonce, ...(launch ? { launch } : {}), browserBinding: browserBinding(ctx, s) });
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(url.toString());
  });

  router.get('/callback', ...guard, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const q = callbackQuery.safeParse(ctx.query);
    if (!q.success || !q.data.state) throw refuse(400, 'state_missing', 'This sign-in could not be checked (it has no state).');
    const failed = async (code: string, ehrId?: string) =>
      s.audit.record({ actor: { kind: 'system', id: 'anonymous' }, ...(ehrId ? { ehrId } : {}), action: 'signin_failed', outcome: 'failure', decision: code, ip: ctx.ip, userAgent: ctx.get('user-agent') });
    const binding = readCookie(ctx, LAUNCH_COOKIE, s.cookies);
    const pending = await s.authRequests.take(q.data.state, binding ? sha256(binding) : undefined);
    if (pending === undefined) {
      await failed('state_invalid');
      throw refuse(400, 'state_invalid', 'This sign-in link was already used or was not started here.');
    }
    if (pending === 'expired') {
      await failed('state_expired');
      throw refuse(400, 'state_expired', 'This sign-in took too long and has expired.');
    }
    if (pending === 'other_browser') {
      await failed('browser_mismatch');
      throw refuse(400, 'state_invalid', 'This sign-in was started in another browser.');
    }
    const reg = s.registration(pending.ehrId);
    if (q.data.error) {
      await failed(`ehr_${oauthErrorCode(q.data.error)}`, reg.id);
      throw refuse(401, 'signin_refused', `${reg.name} did not sign you in${q.data.error === 'access_denied' ? ' (permission was not given)' : ''}.`);
    }
    const client = s.smartClients.get(reg.id)!;
    let result;
    try {
      result = await client.exchange(new URL(ctx.originalUrl, s.config.publicUrl), { codeVerifier: pending.codeVerifier, state: q.data.state, nonce: pending.nonce });
    } catch (e) {
      const reason = e instanceof oidc.ResponseBodyError ? `token_${oauthErrorCode(e.error)}` : e instanceof AppError ? e.code : oauthErrorCode(((e as { code?: string }).code ?? 'exchange_failed').toLowerCase());
      s.logger.warn({ reqId: ctx.state.requestId, ehr: reg.id, reason }, 'sign-in exchange failed');
      await failed(reason, reg.id);
      // The EHR's sign-in service is down or overloaded: say so, or patients retry at once and again.
      if (ehrNotAnswering(e)) throw refuse(503, 'signin_ehr_unavailable', `${reg.name} is not answering right now, so we could not sign you in.`, 'Please open the app again from your patient portal in a few minutes.');
      throw refuse(401, 'signin_failed', `We could not complete your sign-in with ${reg.name}.`);
    }
    const { tokens, claims } = result;
    if (!tokens.patient) {
      await failed('no_patient_context', reg.id);
      throw refuse(401, 'no_patient_context', `${reg.name} did not say whose record to open.`);
    }
    if (reg.requireMfa && !showsSecondFactor(claims)) {
      await failed('mfa_required', reg.id);
      throw refuse(401, 'mfa_required', `${reg.name} requires a second sign-in step (such as a code sent to your phone) for this app, and it was not used.`, 'Please sign in to your patient portal with two-step verification turned on, then open the app again.');
    }
    const user = parseFhirUser(claims?.fhirUser);
    const fhir = new FhirSession({ ehrId: reg.id, ehrName: reg.name, baseUrl: reg.fhirBaseUrl, patientId: tokens.patient, token: async () => tokens.access_token, timeoutMs: reg.fhirTimeoutMs, retries: 1 });
    // Without fhirUser the viewer is unknown: treat as a proxy, the more restricted view (fail closed).
    let viewer = user ? { kind: user.kind, id: user.id } : { kind: 'proxy' as const, id: 'unknown' };
    if (user?.kind === 'patient' && user.id !== tokens.patient) {
      await failed('context_mismatch', reg.id);
      throw refuse(401, 'context_mismatch', 'The sign-in named a different person than the record it opened.');
    }
    let viewerName: string | undefined;
    let viewerRelationship: string | undefined;
    if (user?.type === 'RelatedPerson') {
      const rp = await fhir.read<RelatedPerson>('RelatedPerson', user.id).catch(() => undefined);
      if (rp && rp.patient?.reference && !rp.patient.reference.endsWith(`Patient/${tokens.patient}`)) {
        await failed('proxy_mismatch', reg.id);
        throw refuse(401, 'context_mismatch', 'The sign-in is not allowed to act for this person.');
      }
      viewerName = displayName(rp?.name);
      viewerRelationship = rp?.relationship?.[0]?.coding?.[0]?.display ?? rp?.relationship?.[0]?.text;
    }
    const [patient, style] = await Promise.all([fhir.read<Patient>('Patient', tokens.patient).catch(() => undefined), fetchSmartStyle(tokens.smart_style_url, reg)]);
    const patientName = displayName(patient?.name);
    if (viewer.kind === 'patient') viewerName = patientName;
    viewer = { kind: viewer.kind, id: viewer.id };
    await startSession(ctx, s, {
      ehrId: reg.id,
      patientId: tokens.patient,
      viewer,
      scopes: tokens.scope,
      accessExpiresAt: tokens.expires_in ? new Date(s.clock().getTime() + tokens.expires_in * 1000) : null,
      secrets: {
        accessToken: tokens.access_token,
        ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
        ...(patientName ? { patientName } : {}),
        ...(patient?.birthDate ? { patientBirthDate: patient.birthDate } : {}),
        ...(patient?.address?.[0]?.state ? { patientState: patient.address[0].state } : {}),
        ...(viewerName ? { viewerName } : {}),
        ...(viewerRelationship ? { viewerRelationship } : {}),
        ...(claims?.fhirUser ? { fhirUser: claims.fhirUser } : {}),
        ...(tokens.encounter ? { encounter: tokens.encounter } : {}),
        ...(tokens.smart_style_url ? { smartStyleUrl: tokens.smart_style_url } : {}),
        ...(style ? { style } : {}),
        ...(tokens.tenant ? { tenant: tokens.tenant } : {}),
        needPatientBanner: tokens.need_patient_banner ?? false,
      },
    });
    ctx.redirect(viewer.kind === 'staff' ? '/staff' : '/');
  });

  return router;
}
