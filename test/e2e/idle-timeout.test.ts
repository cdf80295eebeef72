/**
 * The idle-timeout warning and what follows it, in real Chromium: with a one-minute idle timeout
 * the warning is due at once; "Stay signed in" keeps the session; a session that ended anyway
 * leads to a page that says what happened, and a draft typed on the page survives.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startPortal, type RunningPortal } from '../../src/server.js';

describe('idle timeout in the browser', function () {
  this.timeout(120_000);
  let portal: RunningPortal;
  let browser: Browser;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portal-idle-'));
    portal = await startPortal({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSION_IDLE_MINUTES: '1', WORKERS: 'off' });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  after(async () => {
    await browser?.close();
    await portal?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('warns before the end, keeps the session on "Stay signed in", and explains an ended session without losing the draft', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${portal.url}/sandbox/launch?patient=maria-lopez`, { waitUntil: 'load' });
    await page.goto(`${portal.url}/messages/new`, { waitUntil: 'load' });
    const dialog = page.locator('#idle-dialog');
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'idle-stay', 'focus moves to "Stay signed in"');

    // Age the session by 40 s first: only a keep-alive sent by the button can bring it back.
    await portal.db.query("UPDATE portal_session SET last_seen_at = now() - interval '40 seconds'");
    await page.click('#idle-stay');
    await page.waitForFunction(() => !(document.getElementById('idle-dialog') as HTMLDialogElement).open, undefined, { timeout: 5_000 });
    const session = await page.evaluate(async () => (await fetch('/api/session?passive=1')).status);
    assert.equal(session, 200, 'the session is still active');
    const [seen] = (await portal.db.query('SELECT extract(epoch from now() - max(last_seen_at)) AS idle FROM portal_session')) as { idle: string }[];
    assert.ok(Number(seen!.idle) < 20, `"Stay signed in" recorded activity (idle ${seen!.idle} s)`);

    // Type a draft, then let the session lapse on the server: the next check ends the page.
    await page.fill('#body', 'A question I was still typing');
    await portal.db.query("UPDATE portal_session SET last_seen_at = now() - interval '5 minutes'");
    // Coming back to the tab makes the page check its session at once (as after a sleep). Twice
    // here, as when a timer's check and the return to the tab overlap: the page must leave once.
    await page.evaluate(() => {
      document.dispatchEvent(new Event('visibilitychange'));
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.waitForURL(/\/session-ended/, { timeout: 10_000 });
    const text = await page.innerText('main');
    assert.match(text, /signed out because the portal was not used for a while/);
    assert.match(text, /open this app again from your patient portal/);

    // Launch again: the draft comes back on the same page.
    await page.goto(`${portal.url}/sandbox/launch?patient=maria-lopez`, { waitUntil: 'load' });
    await page.goto(`${portal.url}/messages/new`, { waitUntil: 'load' });
    assert.equal(await page.inputValue('#body'), 'A question I was still typing');
    assert.deepEqual(errors, []);
  });
});
