import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import { getStatus } from '@medplum/core';
import { ensureMedplumIndexed } from '../../../src/sandbox/medplum-setup.js';
import { loadBundle } from '../../../src/sandbox/seed-loader.js';
import { search } from '../../../src/sandbox/fhir/search.js';
import { buildSeed } from '../../../src/sandbox/seed/index.js';
import { TestBrowser } from '../helpers/browser.js';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';
import { smartConfigCopy } from '../helpers/smart-config.js';

/**
 * An open FHIR R4 server with no authorization at all, like HAPI in docker compose: medplum's
 * repository and router behind plain HTTP, answering anyone.
 */
async function openFhirServer(): Promise<{ server: Server; base: string; repo: MemoryRepository }> {
  ensureMedplumIndexed();
  const repo = new MemoryRepository();
  const router = new FhirRouter();
  for (const b of buildSeed(new Date()).bundles) await loadBundle(repo, b);
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const [, , type, id] = url.pathname.split('/');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/fhir+json' });
        res.end(JSON.stringify(body));
      };
      try {
        if (type === 'metadata') return send(200, { resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], date: '2026-01-01' });
        if (req.method === 'GET' && type && !id) return send(200, await search(repo, { kind: 'system', clientId: 'open', scopes: ['system/*.cruds'] }, type, Object.fromEntries(url.searchParams), base));
        if (req.method === 'GET' && type && id) return send(200, await repo.readResource(type as never, id));
        if (req.method === 'POST' && type) {
          const condition = req.headers['if-none-exist'];
          const [outcome, resource] = await router.handleRequest({ method: 'POST', url: type, pathname: '', body: JSON.parse(raw), params: {}, query: {}, ...(typeof condition === 'string' ? { headers: { 'if-none-exist': condition } } : {}) }, repo);
          return send(getStatus(outcome as never), resource ?? outcome);
        }
        send(404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
      } catch {
        send(404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  return { server, base, repo };
}

describe('open-server mode (an EHR without SMART, like HAPI in docker compose)', function () {
  this.timeout(120_000);
  let fhir: Awaited<ReturnType<typeof openFhirServer>>;
  let portal: TestPortal;

  before(async () => {
    fhir = await openFhirServer();
    const dir = smartConfigCopy();
    writeFileSync(join(dir, 'open-test.json'), JSON.stringify({ id: 'open-test', name: 'Open test server', fhirBaseUrl: fhir.base, auth: { type: 'none' }, messaging: { recipient: 'Practitioner/pr-chen' } }));
    portal = await startTestPortal({ env: { SMART_CONFIG_DIR: dir, EHRS: 'open-test', SANDBOX: 'off' } });
  });
  after(async () => {
    await portal?.stop();
    fhir?.server.close();
  });

  it('a developer picks a patient on the dev page, then reads and writes that record', async () => {
    const b = new TestBrowser(portal.url);
    const launch = await b.request(`/launch?iss=${encodeURIComponent(fhir.base)}`);
    assert.equal(launch.status, 302);
    assert.equal(launch.headers.get('location'), '/launch/open?ehr=open-test');
    const page = await (await b.request('/launch/open?ehr=open-test')).text();
    assert.match(page, /Development mode/);
    assert.match(page, /Maria/);
    const binding = /name="binding" value="([^"]+)"/.exec(page)![1]!;
    // A choice without this browser's binding is refused.
    const forged = await new TestBrowser(portal.url).request('/launch/open', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ehr: 'open-test', patient: 'maria-lopez', binding }).toString() });
    assert.equal(forged.status, 400);
    const pick = await b.request('/launch/open', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ehr: 'open-test', patient: 'maria-lopez', binding }).toString() });
    assert.equal(pick.status, 303);
    const s = await b.get('/api/session');
    assert.equal(s.json.patient.id, 'maria-lopez');
    b.session = s.json;
    const results = await b.get('/api/results');
    assert.equal(results.status, 200);
    assert.ok(results.json.items.some((i: { name?: string }) => /Lipid/.test(i.name ?? '')));
    const sent = await b.post('/api/messages', { purpose: 'other', subject: 'Open mode', body: 'Sent through an open server' });
    assert.equal(sent.status, 202);
    let delivered = false;
    for (let i = 0; i < 40 && !delivered; i++) {
      const t = await b.get(`/api/messages/${sent.json.threadId}`);
      delivered = t.status === 200 && t.text.includes('"delivered"');
      if (!delivered) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(delivered, 'the message reached the open server');
  });
});
