import Router from '@koa/router';

export interface ReadinessCheck {
  name: string;
  kind: 'database' | 'ehr';
  check: () => Promise<void>;
}

/**
 * `/healthz`: the process answers. `/readyz`: the database answers and each configured EHR's
 * discovery answers, reported one by one (no URLs or error details: this endpoint is public).
 */
export function healthRoutes(checks: ReadinessCheck[], timeoutMs = 5000): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const results = await Promise.all(
      checks.map(async (c) => {
        const started = Date.now();
        try {
          await Promise.race([
            c.check(),
            new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
          ]);
          return { name: c.name, kind: c.kind, ok: true, ms: Date.now() - started };
        } catch {
          return { name: c.name, kind: c.kind, ok: false, ms: Date.now() - started };
        }
      }),
    );
    const ready = results.every((r) => r.ok);
    ctx.set('Cache-Control', 'no-store');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not_ready', checks: results };
  });
  return router;
}
