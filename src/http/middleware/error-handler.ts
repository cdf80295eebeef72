import type { Middleware, Context } from 'koa';
import type { Logger } from '../../log.js';
import { AppError, isAppError } from '../errors.js';
import { renderErrorPage } from '../error-page.js';

export interface ErrorBody {
  error: { code: string; message: string; action?: string; fields?: Record<string, string>; correlationId: string };
}

/** Errors from the HTTP layer itself (body parser, koa) that carry a status and are safe to show. */
function fromHttpError(e: unknown): AppError | undefined {
  const err = e as { status?: number; expose?: boolean; type?: string };
  if (typeof err?.status !== 'number' || err.status < 400 || err.status >= 500) return undefined;
  if (err.status === 413 || err.type === 'entity.too.large') return new AppError(413, 'body_too_large', 'The request is too large.');
  if (err.status === 415) return new AppError(415, 'unsupported_media_type', 'That content type is not accepted here.');
  if (err.status === 400) return new AppError(400, 'malformed_body', 'The request body could not be read.');
  return new AppError(err.status, 'request_refused', 'The request was refused.');
}

function wantsHtml(ctx: Context): boolean {
  if (ctx.path.startsWith('/api/') || ctx.path.startsWith('/staff/') || ctx.path.startsWith('/hooks/')) return false;
  return ctx.accepts('html', 'json') === 'html';
}

/**
 * The one error middleware. Typed, exposed errors keep their status, code and message; anything
 * else is logged with its stack (no request body, no PHI) and leaves as a generic 500 with the
 * correlation id, so a person can quote it and an operator can find the log line.
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined) {
        if (ctx.status === 404) throw new AppError(404, 'not_found', 'There is nothing at this address.');
        // The router's answers to a method a route does not take (its Allow header stays).
        if (ctx.status === 405) throw new AppError(405, 'method_not_allowed', 'This address does not take that kind of request.');
        if (ctx.status === 501) throw new AppError(501, 'method_not_implemented', 'This server does not take that kind of request.', { expose: true });
      }
    } catch (e) {
      const correlationId: string = ctx.state.requestId ?? 'unknown';
      const known = isAppError(e) ? e : fromHttpError(e);
      const safe = known && known.expose ? known : undefined;
      if (!safe) {
        const err = e as Error;
        logger.error({ reqId: correlationId, error: { class: err?.name, message: err?.message, stack: err?.stack }, route: ctx.path.split('/')[1] }, 'unhandled error');
      } else if (safe.status >= 500) {
        logger.warn({ reqId: correlationId, code: safe.code, status: safe.status }, 'service error');
      }
      const status = safe?.status ?? known?.status ?? 500;
      ctx.status = status >= 400 ? status : 500;
      const code = safe?.code ?? 'server_error';
      const message = safe?.message ?? 'Something went wrong on our side. Nothing you entered was lost; please try again in a moment.';
      const action = safe?.action;
      ctx.set('Cache-Control', 'no-store');
      if (wantsHtml(ctx)) {
        ctx.type = 'html';
        ctx.body = renderErrorPage({ status: ctx.status, code, message, action, correlationId });
      } else {
        const body: ErrorBody = { error: { code, message, correlationId } };
        if (action) body.error.action = action;
        if (safe?.fields) body.error.fields = safe.fields;
        ctx.body = body;
      }
    }
  };
}
