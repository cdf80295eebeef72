import Koa from 'koa';
import type Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { AppServices } from './services.js';
import { requestId } from './http/middleware/request-id.js';
import { accessLog } from './http/middleware/access-log.js';
import { errorHandler } from './http/middleware/error-handler.js';
import { securityHeaders, frameAncestorsOf } from './http/middleware/security-headers.js';
import { healthRoutes, type ReadinessCheck } from './http/health-routes.js';
import { metricsRoute } from './http/metrics.js';
import { buildGuards, type Guards } from './http/guards.js';
import { AppError } from './http/errors.js';
import { launchRoutes } from './smart/launch-routes.js';
import { openLaunchRoutes } from './smart/open-launch-routes.js';
import { sessionRoutes } from './smart/session-routes.js';

export interface AppParts {
  /** Middleware mounted before body parsing (the built-in sandbox EHR reads its own bodies). */
  sandbox?: Koa.Middleware;
  readiness: ReadinessCheck[];
  /** Outside production only: hashes of the accessibility checker's script, so it can be injected into pages. */
  devScriptHashes?: string[];
  /** Feature routers, each built from the shared guards. */
  features?: ((s: AppServices, g: Guards) => Router)[];
}

/** The Koa app, composed in one readable list. Order matters: each layer wraps the ones below. */
export function buildApp(s: AppServices, parts: AppParts): Koa {
  const app = new Koa({ proxy: s.config.env.TRUST_PROXY === 'true' });
  const g = buildGuards(s);
  const routers: Router[] = [
    healthRoutes(parts.readiness),
    metricsRoute(s.metrics, s.config.env.METRICS_TOKEN ? { token: s.config.env.METRICS_TOKEN } : {}),
    launchRoutes(s, g.launch),
    openLaunchRoutes(s),
    sessionRoutes(s, g),
    ...(parts.features ?? []).map((f) => f(s, g)),
  ];

  app.use(requestId()); // correlation id first, so every later log line and error carries it
  app.use(accessLog(s.logger)); // one line per request: route pattern, status, time — no PHI
  app.use(s.metrics.middleware()); // request latency by route pattern
  app.use(errorHandler(s.logger)); // typed errors out; everything else a generic 500
  app.use(securityHeaders({ frameAncestors: frameAncestorsOf(s.config.ehrs), hsts: s.config.secureTransport, scriptHashes: parts.devScriptHashes ?? [] }));
  if (!s.config.env.METRICS_TOKEN) app.use(metricsOnLoopback()); // without a token, /metrics is for the host itself
  if (parts.sandbox) app.use(parts.sandbox); // /sandbox/** only; passes everything else on
  app.use(bodyParser({ enableTypes: ['json', 'form'], jsonLimit: '256kb', formLimit: '64kb', encoding: 'utf-8' }));
  for (const r of routers) app.use(r.routes()).use(r.allowedMethods());
  return app;
}

/** Loopback callers only (a local Prometheus agent); anyone else gets a 404, as if there were nothing. */
function metricsOnLoopback(): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path === '/metrics' && !/^(127\.|::1$|::ffff:127\.)/.test(ctx.ip)) throw new AppError(404, 'not_found', 'There is nothing at this address.');
    await next();
  };
}
