import assert from 'node:assert/strict';
import Koa from 'koa';
import { registrationSchema } from '../../../src/config/registration.js';
import { AppError } from '../../../src/http/errors.js';
import { errorHandler } from '../../../src/http/middleware/error-handler.js';
import { contentSecurityPolicy, frameAncestorsOf, securityHeaders, type SecurityHeadersOptions } from '../../../src/http/middleware/security-headers.js';
import { memoryLogger, serve } from './serve.js';

function directives(csp: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    assert.ok(name, `empty directive in ${csp}`);
    assert.ok(!map.has(name), `directive ${name} repeated`);
    map.set(name, values);
  }
  return map;
}

function registration(id: string, frameAncestors: string[]) {
  return registrationSchema.parse({ id, name: id, fhirBaseUrl: `https://${id}.example.org/fhir`, auth: { type: 'none' }, frameAncestors });
}

async function fetchHeaders(options: SecurityHeadersOptions, handler: Koa.Middleware = (ctx) => void (ctx.body = 'ok')): Promise<Response> {
  const app = new Koa();
  app.silent = true;
  app.use(securityHeaders(options));
  app.use(handler);
  const server = await serve(app);
  try {
    return await fetch(`${server.url}/`);
  } finally {
    await server.close();
  }
}

describe('securityHeaders', () => {
  it('sets every header with its value', async () => {
    const res = await fetchHeaders({ frameAncestors: [], hsts: true });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'same-origin');
    assert.equal(res.headers.get('permissions-policy'), 'camera=(), microphone=(), geolocation=()');
    assert.equal(res.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
    assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
    const csp = directives(res.headers.get('content-security-policy') ?? '');
    assert.deepEqual(Object.fromEntries(csp), {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'self'"],
    });
  });

  it('omits Strict-Transport-Security when hsts is off', async () => {
    const res = await fetchHeaders({ frameAncestors: [], hsts: false });
    assert.equal(res.headers.get('strict-transport-security'), null);
    assert.ok(res.headers.get('content-security-policy'));
  });

  it("frame-ancestors lists 'self' and the registrations' origins, and drops X-Frame-Options", async () => {
    const ehrs = [
      registration('epic', ['https://mychart.example.org', 'https://mychart.example.org/portal/']),
      registration('athena', ["'self'", 'https://portal.athena.example.com:8443']),
      registration('hapi', []),
    ];
    const ancestors = frameAncestorsOf(ehrs);
    assert.deepEqual(ancestors, ['https://mychart.example.org', 'https://portal.athena.example.com:8443']);
    const res = await fetchHeaders({ frameAncestors: ancestors, hsts: true });
    const csp = directives(res.headers.get('content-security-policy') ?? '');
    assert.deepEqual(csp.get('frame-ancestors'), ["'self'", 'https://mychart.example.org', 'https://portal.athena.example.com:8443']);
    assert.equal(res.headers.get('x-frame-options'), null);
  });

  it("never allows 'unsafe-inline' or 'unsafe-eval' in script-src, whatever the options", () => {
    const variants: SecurityHeadersOptions[] = [
      { frameAncestors: [], hsts: false },
      { frameAncestors: ['https://ehr.example.org'], hsts: true, styleSources: ['https://cdn.example.org', "'sha256-AbCd+/09=='"] },
      { frameAncestors: [], hsts: true, formActions: ['https://ehr.example.org'] },
    ];
    for (const v of variants) {
      const csp = contentSecurityPolicy(v);
      const script = directives(csp).get('script-src') ?? [];
      assert.deepEqual(script, ["'self'"], csp);
      assert.ok(!csp.includes("'unsafe-"), csp);
    }
  });

  it('adds style sources and form-action targets as origins', () => {
    const csp = directives(
      contentSecurityPolicy({ frameAncestors: [], hsts: false, styleSources: ['https://cdn.example.org/css/'], formActions: ['https://ehr.example.org/oauth2/authorize'] }),
    );
    assert.deepEqual(csp.get('style-src'), ["'self'", 'https://cdn.example.org']);
    assert.deepEqual(csp.get('form-action'), ["'self'", 'https://ehr.example.org']);
  });

  it('refuses sources that could inject directives or weaken the policy, naming the option', () => {
    assert.throws(() => securityHeaders({ frameAncestors: ["https://a.example.org; script-src 'unsafe-inline'"], hsts: true }), /frameAncestors\.0/);
    assert.throws(() => securityHeaders({ frameAncestors: ['*'], hsts: true }), /frameAncestors\.0/);
    assert.throws(() => securityHeaders({ frameAncestors: ['javascript:alert(1)'], hsts: true }), /frameAncestors\.0/);
    assert.throws(() => securityHeaders({ frameAncestors: [], hsts: true, styleSources: ["'unsafe-inline'"] }), /styleSources\.0/);
    assert.throws(() => securityHeaders({ frameAncestors: [], hsts: true, formActions: ['https://x.example.org,https://y.example.org'] }), /formActions\.0/);
  });

  it('keeps the headers on error responses from the app error handler', async () => {
    const { logger } = memoryLogger();
    const app = new Koa();
    app.use(errorHandler(logger));
    app.use(securityHeaders({ frameAncestors: [], hsts: true }));
    app.use(() => {
      throw new AppError(403, 'forbidden', 'Not allowed.');
    });
    const server = await serve(app);
    try {
      const res = await fetch(`${server.url}/api/x`);
      assert.equal(res.status, 403);
      assert.match(res.headers.get('content-security-policy') ?? '', /^default-src 'self'/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    } finally {
      await server.close();
    }
  });

  it("keeps the headers when Koa's own error responder answers", async () => {
    const res = await fetchHeaders({ frameAncestors: [], hsts: true }, () => {
      throw new Error('boom');
    });
    assert.equal(res.status, 500);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'self'/);
    assert.equal(res.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
  });
});
