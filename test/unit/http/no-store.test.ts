import assert from 'node:assert/strict';
import Koa from 'koa';
import Router from '@koa/router';
import { AppError } from '../../../src/http/errors.js';
import { errorHandler } from '../../../src/http/middleware/error-handler.js';
import { noStore } from '../../../src/http/middleware/no-store.js';
import { memoryLogger, serve } from './serve.js';

async function get(app: Koa, path: string): Promise<Response> {
  const server = await serve(app);
  try {
    return await fetch(`${server.url}${path}`, { headers: { accept: 'application/json' } });
  } finally {
    await server.close();
  }
}

function assertNoStore(res: Response): void {
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('pragma'), 'no-cache');
}

const failing: Koa.Middleware = () => {
  throw new AppError(409, 'conflict', 'Already sent.');
};

describe('noStore', () => {
  it('marks a PHI route and leaves an unwrapped route alone', async () => {
    const router = new Router();
    router.get('/api/results', noStore(), (ctx) => void (ctx.body = { items: [] }));
    router.get('/assets/app.js', (ctx) => {
      ctx.set('Cache-Control', 'public, max-age=3600');
      ctx.body = '';
    });
    const app = new Koa();
    app.use(router.routes());
    assertNoStore(await get(app, '/api/results'));
    const asset = await get(app, '/assets/app.js');
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=3600');
    assert.equal(asset.headers.get('pragma'), null);
  });

  it('overrides caching a handler set itself', async () => {
    const app = new Koa().use(noStore()).use((ctx) => {
      ctx.set('Cache-Control', 'public, max-age=600');
      ctx.body = { ok: true };
    });
    assertNoStore(await get(app, '/api/summary'));
  });

  it('is kept on an error thrown downstream when the error handler is outside it', async () => {
    const { logger } = memoryLogger();
    const app = new Koa().use(errorHandler(logger)).use(noStore()).use(failing);
    const res = await get(app, '/api/messages');
    assert.equal(res.status, 409);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'conflict');
    assertNoStore(res);
  });

  it('is kept on an error thrown downstream when the error handler is inside it', async () => {
    const { logger } = memoryLogger();
    const app = new Koa().use(noStore()).use(errorHandler(logger)).use(failing);
    const res = await get(app, '/api/messages');
    assert.equal(res.status, 409);
    assertNoStore(res);
  });

  it("is kept when Koa's own error responder answers an unexpected error", async () => {
    const app = new Koa();
    app.silent = true;
    app.use(noStore()).use(() => {
      throw new Error('database went away');
    });
    const res = await get(app, '/staff/queue');
    assert.equal(res.status, 500);
    assert.ok(!(await res.text()).includes('database'));
    assertNoStore(res);
  });
});
