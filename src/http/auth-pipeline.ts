import type { Middleware, Context } from 'koa';
import type { AppServices } from '../services.js';
import type { PortalSession } from '../smart/sessions.js';
import { featuresFromScope, type Feature } from '../smart/scopes.js';
import { SESSION_COOKIE, clearCookie, readCookie } from './cookies.js';
import { AppError } from './errors.js';
import { sameSecret } from '../smart/hash.js';

/**
 * The auth boundary, one named check per step. Every patient route passes, in this order:
 *   loadSession → requireSession → touchSession → requirePatientContext → [requireScope] → [checkCsrf]
 * The route table (src/http/routes.ts) lists the order per route group.
 */

declare module 'koa' {
  interface DefaultState {
    session?: PortalSession;
    sessionStatus?: 'active' | 'idle' | 'expired' | 'ended' | 'unknown';
    requestId?: string;
  }
}

export function loadSession(s: AppServices): Middleware {
  return async (ctx, next) => {
    // Once per request: a route that stacks two guard lists (a form parser between them) or the
    // landing page before the home page reads the session row once.
    if (ctx.state.sessionStatus === undefined) {
      const found = await s.sessions.lookup(readCookie(ctx, SESSION_COOKIE, s.cookies));
      ctx.state.sessionStatus = found.status;
      if (found.status === 'active') ctx.state.session = found.session;
      else if (found.status !== 'unknown') clearCookie(ctx, SESSION_COOKIE, s.cookies);
    }
    await next();
  };
}

/** Why there is no session; `drafts`: what was being typed is still in the browser (sign-out clears it). */
const SIGNED_OUT: Record<string, { code: string; message: string; drafts: boolean }> = {
  idle: { code: 'session_idle', message: 'You were signed out because the portal was not used for a while.', drafts: true },
  expired: { code: 'session_expired', message: 'Your session has ended. For your security, sessions last a limited time.', drafts: true },
  ended: { code: 'session_ended', message: 'You are signed out.', drafts: false },
  unknown: { code: 'session_required', message: 'Please sign in to see this.', drafts: false },
};

export function requireSession(): Middleware {
  return async (ctx, next) => {
    if (!ctx.state.session) {
      const why = SIGNED_OUT[ctx.state.sessionStatus ?? 'unknown'] ?? SIGNED_OUT.unknown!;
      const action = `Open the app again from your patient portal to sign back in.${why.drafts ? ' Anything you were writing is kept in this browser.' : ''}`;
      throw new AppError(401, why.code, why.message, { expose: true, action });
    }
    await next();
  };
}

/** Activity is recorded at most this often: a 15-minute idle timeout does not need every request... */
const TOUCH_EVERY_MS = 30_000;
/** ...except near the end, where "stay signed in" must always count. */
const NEAR_END_MS = 120_000;

/** Activity keeps a session alive; the idle-warning poll (`?passive=1`) does not. */
export function touchSession(s: AppServices): Middleware {
  return async (ctx, next) => {
    const session = ctx.state.session!;
    const since = s.clock().getTime() - session.lastSeenAt.getTime();
    if (ctx.query.passive !== '1' && (since >= TOUCH_EVERY_MS || s.config.session.idleMs - since < NEAR_END_MS)) await s.sessions.touch(session);
    await next();
  };
}

export function requirePatientContext(): Middleware {
  return async (ctx, next) => {
    const session = ctx.state.session!;
    if (!session.patientId || session.viewer.kind === 'staff') {
      throw new AppError(403, 'no_patient_context', 'This page is for patients and the people they have chosen to help them.');
    }
    await next();
  };
}

export function requireStaff(): Middleware {
  return async (ctx, next) => {
    if (ctx.state.session?.viewer.kind !== 'staff') throw new AppError(403, 'staff_only', 'This is for clinic staff only.');
    await next();
  };
}

export function requireScope(feature: Feature, access: 'read' | 'write'): Middleware {
  return async (ctx, next) => {
    const f = featuresFromScope(ctx.state.session!.scopes)[feature];
    if (!(access === 'read' ? f.read : f.write)) {
      throw new AppError(403, 'section_unavailable', f.reason ?? 'This is not available.', { expose: true });
    }
    await next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function csrfFrom(ctx: Context): string | undefined {
  const header = ctx.get('x-csrf-token');
  if (header) return header;
  const body = (ctx.request as { body?: unknown }).body;
  const field = body && typeof body === 'object' ? (body as Record<string, unknown>)._csrf : undefined;
  return typeof field === 'string' ? field : undefined;
}

/** State-changing requests carry the session's CSRF token (header, or `_csrf` in a plain form post). */
export function checkCsrf(): Middleware {
  return async (ctx, next) => {
    if (!SAFE_METHODS.has(ctx.method)) {
      const sent = csrfFrom(ctx);
      if (!sent || !sameSecret(sent, ctx.state.session!.secrets.csrfToken)) {
        throw new AppError(403, 'csrf_failed', 'This request could not be verified. Please reload the page and try again.');
      }
    }
    await next();
  };
}
