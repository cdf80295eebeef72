import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { buildApp } from '../../../src/app.js';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';

/**
 * Issue 2 "Done when": a handler that throws something unexpected answers a generic 500 with a
 * correlation id; the log line has the stack, and neither it nor any other line has the request body.
 */
const MARKER = 'Pelican-5c1e-body-text';

function explodingRoutes(): Router {
  const r = new Router();
  r.post('/test-only/explode', (ctx) => {
    const body = (ctx.request as { body?: { note?: string } }).body;
    if (!body?.note?.includes(MARKER)) throw new Error('the body was not parsed');
    explodeDeepInside();
  });
  return r;
}

function explodeDeepInside(): never {
  throw new TypeError('Cannot read properties of undefined (reading "id")');
}

describe('an unexpected error: generic 500 with a correlation id, stack logged, body never logged', function () {
  this.timeout(60_000);
  let portal: TestPortal;
  let server: Server;
  let base: string;

  before(async () => {
    portal = await startTestPortal();
    const app = buildApp(portal.services, { readiness: [], features: [() => explodingRoutes()] });
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await portal?.stop();
  });

  it('answers 500 with a generic body carrying the request id, and logs the stack without the body', async () => {
    const res = await fetch(`${base}/test-only/explode`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ note: `my rash ${MARKER}` }) });
    const text = await res.text();
    assert.equal(res.status, 500);
    const body = JSON.parse(text) as { error: { code: string; message: string; correlationId: string } };
    const requestId = res.headers.get('x-request-id');
    assert.ok(requestId);
    assert.equal(body.error.code, 'server_error');
    assert.equal(body.error.correlationId, requestId);
    assert.ok(!text.includes(MARKER) && !text.includes('Cannot read') && !text.includes('explodeDeepInside'), text);
    assert.match(res.headers.get('cache-control') ?? '', /no-store/);

    const lines = portal.logs.lines.map((l) => JSON.parse(l) as Record<string, any>);
    const logged = lines.find((l) => l.reqId === requestId && l.msg === 'unhandled error');
    assert.ok(logged, 'the error is logged under the request id');
    assert.match(String(logged.error?.stack), /explodeDeepInside/);
    assert.equal(logged.error?.class, 'TypeError');
    assert.deepEqual(portal.logs.lines.filter((l) => l.includes(MARKER)), []);
  });

  it('a page request gets the same generic answer as an HTML page', async () => {
    const res = await fetch(`${base}/test-only/explode`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/html' }, body: JSON.stringify({ note: MARKER }) });
    const html = await res.text();
    assert.equal(res.status, 500);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.ok(html.includes(res.headers.get('x-request-id')!), 'the page shows the correlation id');
    assert.ok(!html.includes(MARKER) && !html.includes('Cannot read'));
  });
});
