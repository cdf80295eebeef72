import assert from 'node:assert/strict';
import { request } from 'node:http';
import Koa from 'koa';
import { assetRoutes } from '../../../src/ui/assets.js';
import { serve } from '../http/serve.js';

/** A raw GET: fetch() would normalise `..` away before sending it. */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ui/assets', () => {
  let server: { url: string; close: () => Promise<void> };
  before(async () => {
    const app = new Koa();
    const r = assetRoutes();
    app.use(r.routes()).use(r.allowedMethods());
    server = await serve(app);
  });
  after(() => server.close());

  it('serves the stylesheet, script and icon with their content types, ETag and cache header', async () => {
    for (const [name, type] of [
      ['portal.css', 'text/css; charset=utf-8'],
      ['portal.js', 'text/javascript; charset=utf-8'],
      ['favicon.svg', 'image/svg+xml'],
    ] as const) {
      const res = await fetch(`${server.url}/assets/${name}`);
      assert.equal(res.status, 200, name);
      assert.equal(res.headers.get('content-type'), type);
      assert.match(res.headers.get('etag') ?? '', /^"[A-Za-z0-9_-]{27}"$/);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.ok((await res.text()).length > 50);
    }
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await fetch(`${server.url}/assets/portal.css`);
    await first.text();
    const etag = first.headers.get('etag')!;
    const again = await fetch(`${server.url}/assets/portal.css`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const changed = await fetch(`${server.url}/assets/portal.css`, { headers: { 'if-none-match': '"other"' } });
    assert.equal(changed.status, 200);
    await changed.text();
  });

  it('refuses ../ and anything that is not a known asset name', async () => {
    for (const path of [
      '/assets/../package.json',
      '/assets/../../package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e%2fassets.ts',
      '/assets/..%5cassets.ts',
      '/assets/assets.ts',
      '/assets/',
      '/assets/.hidden',
      '/assets/portal.css%00.js',
    ]) {
      const res = await rawGet(server.url, path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.body, /"name"|import /, `${path} leaks no file`);
    }
  });

  it('has no inline script or style markers in the shipped CSS/JS that would need unsafe-inline', async () => {
    const js = await (await fetch(`${server.url}/assets/portal.js`)).text();
    assert.doesNotMatch(js, /\beval\(|new Function|innerHTML|\.style\./);
  });
});
