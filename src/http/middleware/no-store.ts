import type { Middleware } from 'koa';

// Responses carrying PHI must not be kept by the browser's cache, the back/forward cache or a shared proxy.
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/**
 * Marks every response it wraps as not storable: PHI routes (/api, /staff, patient pages).
 * Set before and after the handler (a handler may set its own caching) and carried on a thrown
 * error, so error responses are covered whichever error responder answers.
 */
export function noStore(): Middleware {
  return async (ctx, next) => {
    ctx.set(NO_STORE);
    try {
      await next();
    } catch (e) {
      // Koa's fallback error responder clears headers and restores only `err.headers`.
      if (e instanceof Error) Object.assign(e, { headers: { ...(e as { headers?: object }).headers, ...NO_STORE } });
      throw e;
    }
    ctx.set(NO_STORE);
  };
}
