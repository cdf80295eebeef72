import { createHash } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { AppError } from '../errors.js';

const limiterOptions = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  windowMs: z.number().int().positive(),
  max: z.number().int().positive().max(10_000),
  /** Most keys tracked at once; the least recently seen key is dropped beyond it. */
  maxKeys: z.number().int().positive().default(10_000),
});

export type LimiterOptions = z.input<typeof limiterOptions>;

export type LimitResult = { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number };

/**
 * Sliding-window log: a key may make `max` requests in any `windowMs` span. Each key keeps at most
 * `max` timestamps, and at most `maxKeys` keys are kept, so memory is bounded by maxKeys × max.
 * Refused attempts are not recorded, so a person who waits the Retry-After time gets through.
 */
export class SlidingWindowLimiter {
  readonly name: string;
  private readonly windowMs: number;
  private readonly max: number;
  private readonly maxKeys: number;
  /** Map order is least- to most-recently used: a hit re-inserts its key at the end. */
  private readonly hits = new Map<string, number[]>();
  private lastSweep: number;

  constructor(
    options: LimiterOptions,
    private readonly clock: () => Date = () => new Date(),
  ) {
    const parsed = limiterOptions.safeParse(options);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw new TypeError(`rate limit options: ${issues.join('; ')}`);
    }
    this.name = parsed.data.name;
    this.windowMs = parsed.data.windowMs;
    this.max = parsed.data.max;
    this.maxKeys = parsed.data.maxKeys;
    this.lastSweep = this.clock().getTime();
  }

  /** Keys currently held in memory. */
  get size(): number {
    return this.hits.size;
  }

  /** Records one attempt for `key` when it is within the limit. */
  take(key: string): LimitResult {
    const now = this.clock().getTime();
    if (now - this.lastSweep >= this.windowMs) this.sweep(now);
    const since = now - this.windowMs;
    const stamps = (this.hits.get(key) ?? []).filter((t) => t > since);
    this.hits.delete(key);
    if (stamps.length >= this.max) {
      this.hits.set(key, stamps);
      return { allowed: false, retryAfterMs: stamps[0]! + this.windowMs - now };
    }
    stamps.push(now);
    this.hits.set(key, stamps);
    if (this.hits.size > this.maxKeys) this.evictOldest();
    return { allowed: true, remaining: this.max - stamps.length };
  }

  /** Drops keys with no attempt inside the window. */
  private sweep(now: number): void {
    const since = now - this.windowMs;
    for (const [key, stamps] of this.hits) {
      if (stamps[stamps.length - 1]! <= since) this.hits.delete(key);
    }
    this.lastSweep = now;
  }

  /** Drops the least recently used key: O(1), so a flood of new keys costs no sweep per request. */
  private evictOldest(): void {
    const oldest = this.hits.keys().next();
    if (!oldest.done) this.hits.delete(oldest.value);
  }
}

export interface RateLimitOptions extends LimiterOptions {
  /** The bucket a request counts against; undefined lets the request through unlimited. */
  key: (ctx: Context) => string | undefined;
  clock?: () => Date;
}

export const RATE_LIMITED_MESSAGE = 'Too many attempts. Please wait a minute and try again.';

/**
 * Answers 429 `rate_limited` with Retry-After (whole seconds) once a key has used its `max`
 * requests in the sliding window. Each middleware has its own limiter.
 */
export function rateLimit(options: RateLimitOptions): Middleware & { limiter: SlidingWindowLimiter } {
  const { key, clock, ...limits } = options;
  const limiter = new SlidingWindowLimiter(limits, clock);
  const middleware: Middleware = async (ctx, next) => {
    const k = key(ctx);
    if (k === undefined) return next();
    const result = limiter.take(k);
    if (!result.allowed) {
      const retryAfter = String(Math.max(1, Math.ceil(result.retryAfterMs / 1000)));
      ctx.set('Retry-After', retryAfter);
      const err = new AppError(429, 'rate_limited', RATE_LIMITED_MESSAGE, { expose: true });
      // Koa's fallback error responder keeps only `err.headers`.
      throw Object.assign(err, { headers: { 'Retry-After': retryAfter } });
    }
    return next();
  };
  return Object.assign(middleware, { limiter });
}

/** One bucket per client address (`ctx.ip` honours X-Forwarded-For only when app.proxy is set). */
export function byIp(ctx: Context): string | undefined {
  return ctx.ip ? `ip:${ctx.ip}` : undefined;
}

/**
 * One bucket per signed-in session; requests without a session are not limited by this key.
 * The id is hashed so the limiter's memory never holds a usable session credential.
 */
export function bySession(ctx: Context): string | undefined {
  const session = ctx.state.session as { id?: unknown; key?: unknown } | undefined;
  const id = session?.id ?? session?.key;
  if (typeof id !== 'string' || id === '') return undefined;
  return `session:${createHash('sha256').update(id).digest('base64url').slice(0, 32)}`;
}
