import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchSmartStyle } from '../../../src/smart/smart-style.js';
import { registrationSchema } from '../../../src/config/registration.js';

describe('SMART style (smart_style_url)', () => {
  let server: Server;
  let base: string;
  let hits = 0;
  const bodies: Record<string, string> = {
    '/style.json': JSON.stringify({ color_background: '#f7f7f7', color_highlight: '#1f5f8b', color_text: 'red; background:url(x)', font_family_body: 'Comic' }),
    '/huge.json': JSON.stringify({ color_text: '#000000', pad: 'x'.repeat(40_000) }),
    '/bad.json': 'not json',
    '/mixed.json': JSON.stringify({ color_background: '#ffffff', color_text: 12, color_error: ['#ff0000'], color_success: '#1a7f37' }),
  };
  before(async () => {
    server = createServer((req, res) => {
      hits++;
      const body = bodies[req.url ?? ''];
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(body ?? '{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());
  const reg = () => registrationSchema.parse({ id: 'x', name: 'X', fhirBaseUrl: `${base}/fhir`, auth: { type: 'none' } });

  it('keeps only hex colours from the EHR origin', async () => {
    assert.deepEqual(await fetchSmartStyle(`${base}/style.json`, reg()), { color_background: '#f7f7f7', color_highlight: '#1f5f8b' });
  });

  it('drops a malformed colour on its own: the others still count', async () => {
    assert.deepEqual(await fetchSmartStyle(`${base}/mixed.json`, reg()), { color_background: '#ffffff', color_success: '#1a7f37' });
  });

  it('never fetches another origin, and treats bad or oversized answers as no style', async () => {
    const before = hits;
    assert.equal(await fetchSmartStyle('http://127.0.0.9:9/style.json', reg()), undefined);
    assert.equal(hits, before, 'no request to a foreign origin');
    assert.equal(await fetchSmartStyle(`${base}/huge.json`, reg()), undefined);
    assert.equal(await fetchSmartStyle(`${base}/bad.json`, reg()), undefined);
    assert.equal(await fetchSmartStyle(`${base}/missing.json`, reg()), undefined);
    assert.equal(await fetchSmartStyle('not a url', reg()), undefined);
    assert.equal(await fetchSmartStyle(undefined, reg()), undefined);
  });
});
