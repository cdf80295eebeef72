import assert from 'node:assert/strict';
import Koa from 'koa';
import type { Context } from 'koa';
import { errorHandler } from '../../../src/http/middleware/error-handler.js';
import { byIp, bySession, rateLimit, RATE_LIMITED_MESSAGE, SlidingWindowLimiter } from '../../../src/http/middleware/rate-limit.js';
import { memoryLogger, serve } from './serve.js';

/** A clock the test moves by hand. */
function manualClock(start = Date.UTC(2025, 0, 6, 9, 0, 0)) {
  let now = start;
  return { clock: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

describe('rateLimit', () => {
  it('allows max requests, then answers 429 rate_limited with Retry-After', async () => {
    const { clock } = manualClock();
    const { logger } = memoryLogger();
    const app = new Koa();
    app.use(errorHandler(logger));
    app.use(rateLimit({ name: 'launch', windowMs: 60_000, max: 3, key: byIp, clock }));
    app.use((ctx) => void (ctx.body = { ok: true }));
    const server = await serve(app);
    try {
      for (let i = 0; i < 3; i++) assert.equal((await fetch(`${server.url}/launch`, { headers: { accept: 'application/json' } })).status, 200);
      const res = await fetch(`${server.url}/launch`, { headers: { accept: 'application/json' } });
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '60');
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'rate_limited');
      assert.equal(body.error.message, RATE_LIMITED_MESSAGE);
      assert.equal(RATE_LIMITED_MESSAGE, 'Too many attempts. Please wait a minute and try again.');
    } finally {
      await server.close();
    }
  });

  it("keeps Retry-After when Koa's own error responder answers", async () => {
    const { clock } = manualClock();
    const app = new Koa();
    app.silent = true;
    app.use(rateLimit({ name: 'login', windowMs: 90_500, max: 1, key: () => 'k', clock }));
    app.use((ctx) => void (ctx.body = 'ok'));
    const server = await serve(app);
    try {
      assert.equal((await fetch(server.url)).status, 200);
      const res = await fetch(server.url);
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '91'); // 90.5 s, rounded up
    } finally {
      await server.close();
    }
  });

  it('slides the window with the injected clock', () => {
    const { clock, advance } = manualClock();
    const limiter = new SlidingWindowLimiter({ name: 'api', windowMs: 60_000, max: 3 }, clock);
    assert.deepEqual(limiter.take('ip:a'), { allowed: true, remaining: 2 }); // t=0
    advance(10_000);
    assert.equal(limiter.take('ip:a').allowed, true); // t=10
    advance(10_000);
    assert.equal(limiter.take('ip:a').allowed, true); // t=20
    advance(10_000);
    assert.deepEqual(limiter.take('ip:a'), { allowed: false, retryAfterMs: 30_000 }); // t=30: the t=0 hit leaves at 60
    advance(29_999);
    assert.deepEqual(limiter.take('ip:a'), { allowed: false, retryAfterMs: 1 });
    advance(1);
    assert.deepEqual(limiter.take('ip:a'), { allowed: true, remaining: 0 }); // t=60: the t=0 hit has left the window
    assert.deepEqual(limiter.take('ip:a'), { allowed: false, retryAfterMs: 10_000 }); // next to leave: t=10
  });

  it('does not count refused attempts, so waiting the Retry-After time is enough', () => {
    const { clock, advance } = manualClock();
    const limiter = new SlidingWindowLimiter({ name: 'login', windowMs: 1_000, max: 1 }, clock);
    assert.equal(limiter.take('k').allowed, true);
    for (let i = 0; i < 5; i++) {
      advance(100);
      assert.equal(limiter.take('k').allowed, false);
    }
    advance(500);
    assert.equal(limiter.take('k').allowed, true);
  });

  it('rounds Retry-After up to whole seconds, at least 1', async () => {
    const { clock, advance } = manualClock();
    const app = new Koa();
    app.silent = true;
    app.use(rateLimit({ name: 'x', windowMs: 1_500, max: 1, key: () => 'k', clock }));
    app.use((ctx) => void (ctx.body = 'ok'));
    const server = await serve(app);
    try {
      await fetch(server.url);
      advance(1_400);
      const res = await fetch(server.url);
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '1');
    } finally {
      await server.close();
    }
  });

  it('keeps keys separate (per client address behind a trusted proxy)', async () => {
    const { clock } = manualClock();
    const app = new Koa();
    app.proxy = true;
    app.silent = true;
    app.use(rateLimit({ name: 'launch', windowMs: 60_000, max: 2, key: byIp, clock }));
    app.use((ctx) => void (ctx.body = 'ok'));
    const server = await serve(app);
    const from = (ip: string) => fetch(server.url, { headers: { 'x-forwarded-for': ip } }).then((r) => r.status);
    try {
      assert.deepEqual([await from('203.0.113.1'), await from('203.0.113.1'), await from('203.0.113.1')], [200, 200, 429]);
      assert.deepEqual([await from('203.0.113.2'), await from('203.0.113.2'), await from('203.0.113.2')], [200, 200, 429]);
      assert.equal(await from('203.0.113.1'), 429);
    } finally {
      await server.close();
    }
  });

  it('skips the limiter when the key function returns undefined', async () => {
    const { clock } = manualClock();
    const app = new Koa();
    app.silent = true;
    const limit = rateLimit({ name: 'writes', windowMs: 60_000, max: 1, key: bySession, clock });
    app.use(async (ctx, next) => {
      const id = ctx.get('x-test-session');
      // The auth pipeline puts the PortalSession here; its `key` is the hashed cookie value.
      if (id) Object.assign(ctx.state, { session: { key: id } });
      await next();
    });
    app.use(limit);
    app.use((ctx) => void (ctx.body = 'ok'));
    const server = await serve(app);
    try {
      for (let i = 0; i < 5; i++) assert.equal((await fetch(server.url)).status, 200);
      assert.equal(limit.limiter.size, 0);
      const withSession = { headers: { 'x-test-session': 'session-one' } };
      assert.equal((await fetch(server.url, withSession)).status, 200);
      assert.equal((await fetch(server.url, withSession)).status, 429);
      assert.equal((await fetch(server.url, { headers: { 'x-test-session': 'session-two' } })).status, 200);
      assert.equal(limit.limiter.size, 2);
    } finally {
      await server.close();
    }
  });

  it('bySession keys by a hash of the session id, never the id itself', () => {
    const ctx = (state: object) => ({ state }) as unknown as Context;
    const key = bySession(ctx({ session: { id: 'a-secret-cookie-value' } }));
    assert.ok(key !== undefined && key.startsWith('session:'));
    assert.ok(!key.includes('a-secret-cookie-value'));
    assert.equal(bySession(ctx({ session: { id: 'a-secret-cookie-value' } })), key);
    assert.notEqual(bySession(ctx({ session: { id: 'another' } })), key);
    assert.equal(bySession(ctx({ session: { key: 'a-secret-cookie-value' } })), key, 'PortalSession.key works the same');
    assert.equal(bySession(ctx({})), undefined);
    assert.equal(bySession(ctx({ session: { id: '' } })), undefined);
    assert.equal(byIp({ ip: '198.51.100.7' } as Context), 'ip:198.51.100.7');
  });

  it('keeps memory bounded under a flood of distinct keys', () => {
    const { clock, advance } = manualClock();
    const limiter = new SlidingWindowLimiter({ name: 'flood', windowMs: 60_000, max: 5, maxKeys: 100 }, clock);
    for (let i = 0; i < 10_000; i++) {
      limiter.take(`ip:10.0.${i >> 8}.${i & 255}`);
      assert.ok(limiter.size <= 100, `size ${limiter.size} after ${i + 1} keys`);
    }
    assert.equal(limiter.size, 100);
    advance(60_000);
    limiter.take('ip:192.0.2.1');
    assert.equal(limiter.size, 1, 'keys idle for a whole window are pruned');
  });

  it('evicts the least recently used key first', () => {
    const { clock } = manualClock();
    const limiter = new SlidingWindowLimiter({ name: 'lru', windowMs: 60_000, max: 1, maxKeys: 3 }, clock);
    for (const k of ['a', 'b', 'c']) limiter.take(k);
    assert.equal(limiter.take('a').allowed, false); // refreshes a
    limiter.take('d'); // evicts b
    assert.equal(limiter.size, 3);
    assert.equal(limiter.take('a').allowed, false, 'a is still counted');
    assert.equal(limiter.take('c').allowed, false, 'c is still counted');
    assert.equal(limiter.take('b').allowed, true, 'b was dropped and starts afresh');
  });

  it('refuses bad options, naming the field', () => {
    assert.throws(() => new SlidingWindowLimiter({ name: 'x', windowMs: 0, max: 1 }), /windowMs/);
    assert.throws(() => new SlidingWindowLimiter({ name: 'x', windowMs: 1000, max: 1.5 }), /max/);
    assert.throws(() => rateLimit({ name: 'Bad Name', windowMs: 1000, max: 1, key: byIp }), /name/);
  });
});
