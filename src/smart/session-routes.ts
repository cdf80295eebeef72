import Router from '@koa/router';
import type { AppServices } from '../services.js';
import { featuresFromScope } from './scopes.js';
import { SESSION_COOKIE, clearCookie } from '../http/cookies.js';
import type { Middleware } from 'koa';

/** `GET /api/session`: who is signed in, for whom, with what; `POST /logout`. */
export function sessionRoutes(s: AppServices, guard: { api: Middleware[]; write: Middleware[] }): Router {
  const router = new Router();

  router.get('/api/session', ...guard.api, (ctx) => {
    const session = ctx.state.session!;
    const reg = s.registration(session.ehrId);
    ctx.body = {
      patient: { id: session.patientId, name: session.secrets.patientName ?? null, birthDate: session.secrets.patientBirthDate ?? null },
      viewer: { kind: session.viewer.kind, id: session.viewer.id, name: session.secrets.viewerName ?? null, relationship: session.secrets.viewerRelationship ?? null },
      ehr: { id: reg.id, name: reg.name, clinicName: reg.branding.clinicName },
      scopes: session.scopes.split(/\s+/).filter(Boolean),
      features: featuresFromScope(session.scopes),
      csrfToken: session.secrets.csrfToken,
      expiresAt: session.expiresAt.toISOString(),
      idleExpiresAt: new Date(session.lastSeenAt.getTime() + s.config.session.idleMs).toISOString(),
      needPatientBanner: session.secrets.needPatientBanner,
      smartStyleUrl: session.secrets.smartStyleUrl ?? null,
    };
  });

  router.post('/logout', ...guard.write, async (ctx) => {
    const session = ctx.state.session!;
    const client = s.smartClients.get(session.ehrId);
    let revoked = false;
    if (client) {
      // Best effort: a failure here must not keep the person signed in.
      for (const [token, hint] of [
        [session.secrets.refreshToken, 'refresh_token'],
        [session.secrets.accessToken, 'access_token'],
      ] as const) {
        if (!token) continue;
        try {
          revoked = (await client.revoke(token, hint)) || revoked;
        } catch (e) {
          s.logger.warn({ ehr: session.ehrId, reason: (e as { code?: string }).code ?? 'revoke_failed' }, 'token revocation failed');
        }
      }
    }
    await s.sessions.end(session.key, 'logout');
    clearCookie(ctx, SESSION_COOKIE, s.cookies);
    await s.audit.record({
      actor: { kind: session.viewer.kind, id: session.viewer.id },
      ehrId: session.ehrId,
      patientId: session.patientId,
      action: 'signout',
      outcome: 'success',
      decision: revoked ? 'tokens_revoked' : 'no_revocation',
      ip: ctx.ip,
      userAgent: ctx.get('user-agent'),
      requestId: ctx.state.requestId,
    });
    if (ctx.accepts('json', 'html') === 'json') ctx.body = { status: 'signed_out', revoked };
    else {
      ctx.status = 303;
      ctx.redirect('/signed-out');
    }
  });

  router.get('/.well-known/jwks.json', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = { keys: s.publicJwks };
  });

  return router;
}
