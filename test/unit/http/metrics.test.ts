import assert from 'node:assert/strict';
import Koa from 'koa';
import Router from '@koa/router';
import { register as globalRegistry } from 'prom-client';
import { AppError } from '../../../src/http/errors.js';
import { createMetrics, metricsRoute, type Metrics } from '../../../src/http/metrics.js';
import { errorHandler } from '../../../src/http/middleware/error-handler.js';
import { memoryLogger, serve } from './serve.js';

const METRIC_NAMES = [
  'portal_http_request_duration_seconds',
  'portal_fhir_request_duration_seconds',
  'portal_fhir_errors_total',
  'portal_outbox_depth',
  'portal_outbox_oldest_age_seconds',
  'portal_policy_decisions_total',
  'portal_active_sessions',
  'portal_notifications_sent_total',
];

/** A small portal-shaped app: error handler, metrics, a router with id-bearing routes, /metrics. */
function buildApp(metrics: Metrics, token?: string): Koa {
  const { logger } = memoryLogger();
  const router = new Router();
  router.get('/api/results/:id', (ctx) => void (ctx.body = { id: 'shown' }));
  router.get('/api/messages/:threadId', () => {
    throw new Error('upstream broke');
  });
  router.post('/api/messages', () => {
    throw new AppError(400, 'invalid_body', 'Check the form.');
  });
  const app = new Koa();
  app.use(errorHandler(logger));
  app.use(metrics.middleware());
  app.use(router.routes());
  app.use(metricsRoute(metrics, token === undefined ? {} : { token }).routes());
  return app;
}

describe('metrics', () => {
  it('serves every metric in Prometheus text format, labelled by route pattern, never by raw path', async () => {
    const metrics = createMetrics();
    metrics.fhirDuration.observe({ ehr: 'sandbox', operation: 'search', outcome: 'ok' }, 0.2);
    metrics.fhirErrors.inc({ ehr: 'sandbox', kind: 'timeout' });
    metrics.outboxDepth.set({ status: 'retrying' }, 2);
    metrics.outboxOldestAgeSeconds.set(42);
    metrics.policyDecisions.inc({ action: 'hold_until_released', rule: 'hiv-hold' });
    metrics.activeSessions.set(3);
    metrics.notificationsSent.inc({ channel: 'email', outcome: 'sent' });
    const server = await serve(buildApp(metrics));
    try {
      assert.equal((await fetch(`${server.url}/api/results/obs-7f3a91`)).status, 200);
      assert.equal((await fetch(`${server.url}/api/results/obs-c04e22`)).status, 200);
      assert.equal((await fetch(`${server.url}/api/messages/thread-5521`, { headers: { accept: 'application/json' } })).status, 500);
      assert.equal((await fetch(`${server.url}/api/messages`, { method: 'POST', headers: { accept: 'application/json' } })).status, 400);
      assert.equal((await fetch(`${server.url}/patients/pat-88812/chart`, { headers: { accept: 'application/json' } })).status, 404);
      assert.equal((await fetch(`${server.url}/api/results/obs-7f3a91`, { method: 'PROPFIND' })).status, 404);

      const res = await fetch(`${server.url}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const text = await res.text();
      for (const name of METRIC_NAMES) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);

      assert.match(text, /portal_http_request_duration_seconds_count\{method="GET",route="\/api\/results\/:id",status="200"\} 2/);
      assert.match(text, /portal_http_request_duration_seconds_count\{method="GET",route="\/api\/messages\/:threadId",status="500"\} 1/);
      assert.match(text, /portal_http_request_duration_seconds_count\{method="POST",route="\/api\/messages",status="400"\} 1/);
      assert.match(text, /portal_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1/);
      assert.match(text, /portal_http_request_duration_seconds_count\{method="OTHER",route="unmatched",status="404"\} 1/);
      assert.match(text, /portal_fhir_errors_total\{ehr="sandbox",kind="timeout"\} 1/);
      assert.match(text, /portal_outbox_depth\{status="retrying"\} 2/);
      assert.match(text, /portal_outbox_oldest_age_seconds 42/);
      assert.match(text, /portal_policy_decisions_total\{action="hold_until_released",rule="hiv-hold"\} 1/);
      assert.match(text, /portal_active_sessions 3/);
      assert.match(text, /portal_notifications_sent_total\{channel="email",outcome="sent"\} 1/);

      for (const id of ['obs-7f3a91', 'obs-c04e22', 'thread-5521', 'pat-88812', 'chart']) assert.ok(!text.includes(id), `${id} leaked into metrics`);
      const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
      assert.deepEqual([...routes].sort(), ['/api/messages', '/api/messages/:threadId', '/api/results/:id', 'unmatched']);
    } finally {
      await server.close();
    }
  });

  it('requires the bearer token when one is configured', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const server = await serve(buildApp(createMetrics(), token));
    const scrape = (authorization?: string) =>
      fetch(`${server.url}/metrics`, { headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) } });
    try {
      const none = await scrape();
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="metrics"');
      const body = await none.text();
      assert.ok(!body.includes('portal_'), 'no metrics without the token');
      assert.ok(!body.includes(token));
      assert.equal((await scrape(`Bearer ${token}x`)).status, 401);
      assert.equal((await scrape(`Basic ${Buffer.from(`x:${token}`).toString('base64')}`)).status, 401);
      const ok = await scrape(`Bearer ${token}`);
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /portal_active_sessions/);
    } finally {
      await server.close();
    }
  });

  it('refuses a token too short to resist guessing', () => {
    assert.throws(() => metricsRoute(createMetrics(), { token: 'short' }), /token/);
  });

  it('gives each app its own registry, leaving the global one alone', async () => {
    const before = (await globalRegistry.metrics()).includes('portal_');
    const a = createMetrics();
    const b = createMetrics();
    a.activeSessions.set(5);
    b.activeSessions.set(7);
    assert.notEqual(a.registry, b.registry);
    assert.match(await a.registry.metrics(), /portal_active_sessions 5/);
    assert.match(await b.registry.metrics(), /portal_active_sessions 7/);
    assert.equal(before, false);
    assert.ok(!(await globalRegistry.metrics()).includes('portal_'));
  });
});
