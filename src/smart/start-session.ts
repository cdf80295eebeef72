import type { Context } from 'koa';
import type { AppServices } from '../services.js';
import { SESSION_COOKIE, setCookie } from '../http/cookies.js';
import type { NewSession } from './sessions.js';

/** Creates the server-side session, sets its cookie and records the sign-in. */
export async function startSession(ctx: Context, s: AppServices, input: NewSession): Promise<void> {
  const { cookieValue, session } = await s.sessions.create(input);
  setCookie(ctx, SESSION_COOKIE, cookieValue, s.cookies, Math.floor(s.config.session.maxMs / 1000));
  await s.audit.record({
    actor: { kind: session.viewer.kind, id: session.viewer.id, ...(session.secrets.viewerName ? { name: session.secrets.viewerName } : {}) },
    ehrId: session.ehrId,
    patientId: session.patientId,
    action: 'signin',
    outcome: 'success',
    ip: ctx.ip,
    userAgent: ctx.get('user-agent'),
    requestId: ctx.state.requestId,
  });
}
