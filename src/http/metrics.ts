import Router from '@koa/router';
import type { Middleware } from 'koa';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AppError } from './errors.js';
import { sameSecret } from '../smart/hash.js';

/**
 * Operational metrics. Every label is drawn from a small fixed set (method, route pattern, status,
 * EHR registration id, outcome codes): never a patient or resource id, a name, or a raw path.
 */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  fhirDuration: Histogram<'ehr' | 'operation' | 'outcome'>;
  fhirErrors: Counter<'ehr' | 'kind'>;
  outboxDepth: Gauge<'status'>;
  outboxOldestAgeSeconds: Gauge;
  policyDecisions: Counter<'action' | 'rule'>;
  activeSessions: Gauge;
  notificationsSent: Counter<'channel' | 'outcome'>;
  /** Observes each request's duration under its matched route pattern, or `unmatched`. */
  middleware(): Middleware;
}

export interface MetricsOptions {
  /** Also collect the process metrics (CPU, memory, event loop); leave off where many apps share a process (tests). */
  processMetrics?: boolean;
}

const PREFIX = 'portal_';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Each call builds its own Registry (not prom-client's global one), so tests can build many apps. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: PREFIX });

  const httpDuration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP request duration by method, matched route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const fhirDuration = new Histogram({
    name: `${PREFIX}fhir_request_duration_seconds`,
    help: 'Duration of requests to an EHR FHIR server by registration id, operation and outcome.',
    labelNames: ['ehr', 'operation', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60],
    registers,
  });
  const fhirErrors = new Counter({
    name: `${PREFIX}fhir_errors_total`,
    help: 'Failed FHIR requests by registration id and kind (timeout, unauthorized, server, network, invalid).',
    labelNames: ['ehr', 'kind'] as const,
    registers,
  });
  const outboxDepth = new Gauge({
    name: `${PREFIX}outbox_depth`,
    help: 'Patient writes in the outbox by status.',
    labelNames: ['status'] as const,
    registers,
  });
  const outboxOldestAgeSeconds = new Gauge({
    name: `${PREFIX}outbox_oldest_age_seconds`,
    help: 'Age of the oldest undelivered outbox entry.',
    registers,
  });
  const policyDecisions = new Counter({
    name: `${PREFIX}policy_decisions_total`,
    help: 'Release policy decisions by action and rule id.',
    labelNames: ['action', 'rule'] as const,
    registers,
  });
  const activeSessions = new Gauge({
    name: `${PREFIX}active_sessions`,
    help: 'Portal sessions neither ended nor expired.',
    registers,
  });
  const notificationsSent = new Counter({
    name: `${PREFIX}notifications_sent_total`,
    help: 'PHI-free notifications by channel and outcome.',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  });

  const middleware = (): Middleware => async (ctx, next) => {
    const end = httpDuration.startTimer();
    let status: number | undefined;
    try {
      await next();
    } catch (e) {
      const s = (e as { status?: unknown })?.status;
      status = typeof s === 'number' && s >= 400 && s < 600 ? s : 500;
      throw e;
    } finally {
      const method = METHODS.has(ctx.method) ? ctx.method : 'OTHER';
      end({ method, route: routeLabel((ctx as { _matchedRoute?: unknown })._matchedRoute), status: String(status ?? ctx.status) });
    }
  };

  return { registry, httpDuration, fhirDuration, fhirErrors, outboxDepth, outboxOldestAgeSeconds, policyDecisions, activeSessions, notificationsSent, middleware };
}

/** The router's pattern (`/api/results/:id`), never the requested path, which can hold ids. */
function routeLabel(matched: unknown): string {
  if (typeof matched === 'string' && matched !== '') return matched;
  if (matched instanceof RegExp) return matched.source;
  return 'unmatched';
}


/**
 * `GET /metrics` in the Prometheus text format. With a token configured (METRICS_TOKEN) the
 * scraper must send `Authorization: Bearer <token>`.
 */
export function metricsRoute(metrics: Pick<Metrics, 'registry'>, options: { token?: string } = {}): Router {
  const { token } = options;
  if (token !== undefined && token.length < 16) throw new TypeError('metricsRoute: token: must be at least 16 characters');
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    if (token !== undefined) {
      const match = /^Bearer ([^\s]+)$/.exec(ctx.get('authorization'));
      if (!match || !sameSecret(match[1]!, token)) {
        ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
        throw Object.assign(new AppError(401, 'metrics_unauthorized', 'A valid metrics token is required.'), {
          headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
        });
      }
    }
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
