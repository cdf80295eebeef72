import type { Middleware } from 'koa';
import type { Logger } from '../../log.js';

/**
 * One log line per request: method, route pattern (not the raw path, which can carry ids),
 * status, duration, request id. Never headers, query strings or bodies.
 */
export function accessLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const route = (ctx as { routerPath?: string; _matchedRoute?: string })._matchedRoute ?? routeFamily(ctx.path);
      logger.info({ reqId: ctx.state.requestId, method: ctx.method, route, status: ctx.status, ms: Math.round(ms * 10) / 10 }, 'request');
    }
  };
}

/** For unmatched paths log only the first segment: paths may hold ids a log must not collect. */
export function routeFamily(path: string): string {
  const first = path.split('/')[1] ?? '';
  return `/${first}${path.split('/').length > 2 ? '/…' : ''}`;
}
