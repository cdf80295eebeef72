import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';
import { TestBrowser } from '../helpers/browser.js';
import { verifyWebhook } from '../../../src/notify/webhook-signature.js';
import { countRows, sleep, waitFor } from './helpers.js';

const HOOK_SECRET = 'hook-secret-0123456789abcdef-0123456789';
const WEBHOOK_SECRET = 'webhook-secret-0123456789abcdef-0123';

describe('notifications: FHIR rest-hook (subscription mode) and the signed SMS webhook', function () {
  this.timeout(120_000);
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = 204;
      res.end();
    });
  });
  let portal: TestPortal;
  let configDir: string;

  before(async () => {
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    configDir = mkdtempSync(join(tmpdir(), 'notify-config-'));
    cpSync(resolve('smart-config'), configDir, { recursive: true });
    const reg = JSON.parse(readFileSync(join(configDir, 'sandbox.json'), 'utf8')) as { changeDetection: Record<string, unknown> };
    reg.changeDetection = { mode: 'subscription', pollSeconds: 5 };
    writeFileSync(join(configDir, 'sandbox.json'), JSON.stringify(reg));
    portal = await startTestPortal({
      env: {
        SMART_CONFIG_DIR: configDir,
        NOTIFY_POLL_MS: '200',
        NOTIFY_HOOK_SECRET_SANDBOX: HOOK_SECRET,
        NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/sms`,
        NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
    });
  });
  after(async () => {
    await portal?.stop();
    receiver.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('refuses a hook without the bearer secret, with an OperationOutcome', async () => {
    for (const auth of [undefined, 'Bearer wrong-secret']) {
      const res = await fetch(`${portal.url}/hooks/fhir/sandbox`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', ...(auth ? { authorization: auth } : {}) }, body: '{}' });
      assert.equal(res.status, 401);
      assert.equal((await res.json()).resourceType, 'OperationOutcome');
    }
    const unknown = await fetch(`${portal.url}/hooks/fhir/other`, { method: 'POST', headers: { authorization: `Bearer ${HOOK_SECRET}` } });
    assert.equal(unknown.status, 404);
  });

  it('a hook is only a trigger: the message is re-read with the backend token, and the SMS webhook is signed', async () => {
    const patient = new TestBrowser(portal.url);
    await patient.launch('maria-lopez');
    const put = await patient.request('/api/notification-preferences', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-csrf-token': patient.session!.csrfToken },
      body: JSON.stringify({ channels: { email: { enabled: false }, 'sms-webhook': { enabled: true } } }),
    });
    assert.equal(put.status, 200);

    const reply = await fetch(`${portal.url}/sandbox/staff/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patient: 'maria-lopez', body: 'Your A1c is 9.1' }) });
    const { messageId } = (await reply.json()) as { messageId: string };
    await sleep(6000);
    assert.equal(await countRows(portal, 'SELECT count(*) AS n FROM notification_event'), 0, 'subscription mode does not poll for changes');

    // A forged body: a different sender and text. Only the id counts; the EHR's copy decides.
    const forged = { resourceType: 'Communication', id: messageId, status: 'completed', sender: { reference: 'Patient/maria-lopez' }, payload: [{ contentString: 'FORGED' }] };
    const hook = await fetch(`${portal.url}/hooks/fhir/sandbox`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${HOOK_SECRET}` }, body: JSON.stringify(forged) });
    assert.equal(hook.status, 200, await hook.text());
    const call = await waitFor('the webhook call', () => received[0]);
    const ts = Number(call.headers['x-notify-timestamp']);
    assert.equal(verifyWebhook(WEBHOOK_SECRET, ts, call.body, String(call.headers['x-notify-signature']), Math.floor(Date.now() / 1000)), true);
    const body = JSON.parse(call.body) as { id: string; to: string; text: string; locale: string };
    assert.equal(call.headers['idempotency-key'], body.id);
    assert.equal(body.to, '+1-916-555-0111', 'sent to the record\'s mobile number');
    assert.equal(body.locale, 'es');
    assert.match(body.text, /mensaje nuevo de Riverside Family Health/);
    for (const f of ['A1c', '9.1', 'FORGED', 'Maria', 'Lopez']) assert.ok(!body.text.includes(f), f);
    assert.equal(await countRows(portal, `SELECT count(*) AS n FROM notification WHERE channel = 'email'`), 0, 'email was turned off');

    // The same hook again: the event exists, nothing more is sent.
    await fetch(`${portal.url}/hooks/fhir/sandbox`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${HOOK_SECRET}` }, body: JSON.stringify(forged) });
    await sleep(2000);
    assert.equal(received.length, 1);
  });
});
