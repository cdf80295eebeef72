import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';

/** A correlation id per request, echoed in `X-Request-Id` and in every log line and error body. */
export function requestId(): Middleware {
  return async (ctx, next) => {
    // Accept a caller's id only when it is short and plain, so it cannot inject into logs.
    const incoming = ctx.get('x-request-id');
    ctx.state.requestId = /^[A-Za-z0-9-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    await next();
  };
}
