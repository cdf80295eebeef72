/**
 * The patient pages in real Chromium against the real app and its built-in sandbox EHR:
 * launch → home → a thread → send a message and see it delivered → request an appointment →
 * a result with its trend chart → download and upload documents → account activity → sign out;
 * and a 15-year-old's confidential result, visible to her and not to her parent.
 * Every page is checked with axe-core (in a second context with bypassCSP, only so axe can be
 * injected) and screenshotted at 1280 and 360 px into test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startPortal, type RunningPortal } from '../../src/server.js';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const WIDTHS = [1280, 360] as const;

describe('e2e: patient pages in Chromium', function () {
  this.timeout(120_000);
  let portal: RunningPortal;
  let browser: Browser;
  let dataDir: string;
  const consoleErrors: string[] = [];
  const violations: string[] = [];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portal-e2e-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    portal = await startPortal({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      OUTBOX_POLL_MS: '200',
      WRITE_LIMIT_PER_MINUTE: '1000',
      LAUNCH_LIMIT_PER_MINUTE: '1000',
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser?.close();
    await portal?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  // Every scenario ends with no console errors (CSP included) and no axe violations on any page it
  // visited: checked after each one, so a scenario run on its own is checked too.
  afterEach(() => {
    assert.deepEqual(consoleErrors.splice(0), [], 'console errors');
    assert.deepEqual(violations.splice(0), [], 'axe violations');
  });

  /** A browser context with the strict CSP in force, recording every console error. */
  async function freshContext(): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await ctx.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
    return { ctx, page };
  }

  /** axe on the page at `path` with the same session, at both widths, in a bypassCSP context. */
  async function axeCheck(ctx: BrowserContext, path: string): Promise<void> {
    const axeCtx = await browser.newContext({ bypassCSP: true });
    try {
      await axeCtx.addCookies(await ctx.cookies());
      const page = await axeCtx.newPage();
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${portal.url}${path}`, { waitUntil: 'load' });
        await page.addScriptTag({ path: AXE });
        const found = await page.evaluate(async () => {
          const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe;
          return (await axe.run()).violations.map((v) => `${v.id} ${JSON.stringify(v.nodes.map((n) => n.target)).slice(0, 200)}`);
        });
        violations.push(...found.map((v) => `${path} @${width}: ${v}`));
      }
    } finally {
      await axeCtx.close();
    }
  }

  async function shoot(page: Page, name: string): Promise<void> {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: join(ARTIFACTS, `e2e-${name}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  /** At a phone's width (375 px) the page does not scroll sideways. */
  async function fitsPhone(page: Page, what: string): Promise<void> {
    await page.setViewportSize({ width: 375, height: 800 });
    const { scroll, viewport } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    assert.ok(scroll <= viewport, `${what} at 375 px is ${scroll} px wide (viewport ${viewport})`);
  }

  /** Visit a page, check it with axe and screenshot it. */
  async function visit(ctx: BrowserContext, page: Page, path: string, name: string): Promise<void> {
    const res = await page.goto(`${portal.url}${path}`, { waitUntil: 'load' });
    assert.equal(res?.status(), 200, `${path} status`);
    assert.equal(res?.headers()['cache-control'], 'no-store', `${path} is not stored`);
    await axeCheck(ctx, path);
    await shoot(page, name);
  }

  /** A page without a session (signed out, session ended): axe and screenshots. */
  async function visitPublic(page: Page, path: string, name: string): Promise<void> {
    const res = await page.goto(`${portal.url}${path}`, { waitUntil: 'load' });
    assert.equal(res?.status(), 200, `${path} status`);
    await axeCheck(page.context(), path);
    await shoot(page, name);
  }

  it('Maria: every section, a message delivered, a request, a trend, documents, activity, sign out', async () => {
    const { ctx, page } = await freshContext();
    try {
      await page.goto(`${portal.url}/sandbox/launch?patient=maria-lopez`, { waitUntil: 'load' });
      assert.equal(new URL(page.url()).pathname, '/');
      assert.match(await page.innerText('h1'), /Hello, Maria/);
      assert.match(await page.innerText('main'), /unread message|No unread messages/);
      await axeCheck(ctx, '/');
      await shoot(page, 'home');

      // Messages: the inbox and a thread.
      await visit(ctx, page, '/messages', 'inbox');
      const firstThread = page.locator('.thread-subject a').first();
      const threadHref = await firstThread.getAttribute('href');
      assert.ok(threadHref);
      await firstThread.click();
      await page.waitForLoadState('load');
      assert.ok((await page.locator('ol.messages > li').count()) >= 1);
      await axeCheck(ctx, threadHref);
      await shoot(page, 'thread');

      // An empty reply is refused on a page at the reply address; switching language there leads
      // back to the conversation (a GET), not to "Method Not Allowed"; then back to English.
      await Promise.all([page.waitForURL(/\/reply$/), page.click('main form[action$="/reply"] button[type="submit"]')]);
      assert.match(await page.innerText('.error-summary'), /Enter your message/);
      // Chromium logs the (intended) 422 answer as a console error: that one is expected.
      const refused = consoleErrors.findIndex((e) => /\/reply: Failed to load resource: .* 422\b/.test(e));
      assert.ok(refused >= 0, 'the empty reply was answered 422');
      consoleErrors.splice(refused, 1);
      const [toSpanish] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a.lang-switch')]);
      assert.equal(new URL(page.url()).pathname, threadHref);
      assert.equal(toSpanish?.status(), 200);
      assert.equal(await page.getAttribute('html', 'lang'), 'es');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a.lang-switch')]);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');

      // Compose: the emergency notice comes before the form; send; the thread shows it delivered.
      await visit(ctx, page, '/messages/new', 'compose');
      const order = await page.evaluate(() => {
        const notice = document.querySelector('.notice-emergency');
        const form = document.querySelector('main form');
        return notice && form ? notice.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING : 0;
      });
      assert.ok(order, 'emergency notice precedes the form');
      await page.selectOption('#purpose', 'medication-question');
      // One long word (no spaces): the page must still fit a phone (checked on the thread below).
      const subject = 'Questionaboutmyrefillprescriptionandthepharmacyhours'.repeat(3);
      await page.fill('#subject', subject);
      const text = `Can I pick up my refill on Friday? e2e ${Date.now()}`;
      await page.fill('#body', text);
      // The draft survives leaving the page (portal.js keeps it in this browser) and comes back.
      await page.waitForTimeout(400);
      await page.goto(`${portal.url}/messages`, { waitUntil: 'load' });
      await page.goto(`${portal.url}/messages/new`, { waitUntil: 'load' });
      assert.equal(await page.inputValue('#body'), text, 'draft restored');
      assert.equal(await page.inputValue('#subject'), subject);
      assert.equal(await page.inputValue('#purpose'), 'medication-question');
      assert.match(await page.innerText('#body-count'), /\d+ of 5000 characters used/);
      await Promise.all([page.waitForURL(/\/messages\/[^/?]+\?sent=new/), page.click('main form button[type="submit"]')]);
      assert.match(await page.innerText('[role="status"]'), /on its way/);
      assert.match(await page.innerText('main'), new RegExp(text.slice(-20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      let delivered = false;
      let latest = '';
      for (let i = 0; i < 60 && !delivered; i++) {
        latest = await page.locator('li.message.mine').last().innerText();
        delivered = /Delivery: Delivered/.test(latest);
        if (!delivered) {
          await new Promise((r) => setTimeout(r, 500));
          // A goto to the same URL with #latest would only scroll; reload fetches the page again.
          await page.reload({ waitUntil: 'load' });
        }
      }
      assert.ok(delivered, `the message was delivered to the EHR; last seen: ${latest}`);
      await shoot(page, 'thread-sent');
      assert.equal(await page.innerText('h1'), subject);
      await fitsPhone(page, 'a thread with a long unbroken subject');
      await page.goto(`${portal.url}/messages`, { waitUntil: 'load' });
      await fitsPhone(page, 'the inbox with a long unbroken subject');
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${portal.url}/messages/new`, { waitUntil: 'load' });
      assert.equal(await page.inputValue('#body'), '', 'the draft was cleared once the server confirmed the send');

      // Appointment request: listed among the requests the moment it is sent, delivered or not.
      await visit(ctx, page, '/appointments', 'appointments');
      const requestCards = page.locator('section[aria-labelledby="group-requested"] li.card');
      const requestsBefore = await requestCards.count();
      await visit(ctx, page, '/appointments/request', 'appointment-request');
      await page.fill('#reason', 'Follow-up on blood sugar');
      await page.check('#visit-video');
      const min = await page.getAttribute('#date0', 'min');
      assert.ok(min);
      const day = new Date(Date.parse(`${min}T12:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10);
      await page.fill('#date0', day);
      await page.selectOption('#part0', 'morning');
      await Promise.all([page.waitForURL(/\/appointments\?done=requested/), page.click('main form button[type="submit"]')]);
      assert.match(await page.innerText('[role="status"]'), /appointment request is on its way/);
      assert.equal(await requestCards.count(), requestsBefore + 1, 'the new request is listed');
      await axeCheck(ctx, '/appointments');

      // Results: a result with a trend chart (the repeated HbA1c).
      await visit(ctx, page, '/results', 'results');
      const links = await page.$$eval('main a[href^="/results/"]', (as) => as.map((a) => a.getAttribute('href')!));
      let trendPath: string | undefined;
      for (const href of links) {
        await page.goto(`${portal.url}${href}`, { waitUntil: 'load' });
        if ((await page.locator('svg.trend-chart').count()) > 0) {
          trendPath = href;
          break;
        }
      }
      assert.ok(trendPath, 'a result with a trend chart');
      assert.ok((await page.locator('svg.trend-chart title').count()) >= 1);
      assert.ok((await page.locator('svg.trend-chart desc').count()) >= 1);
      assert.ok((await page.locator('table.data-table caption').count()) >= 1);
      await axeCheck(ctx, trendPath);
      await shoot(page, 'result-trend');

      // Documents: download one, upload one.
      await visit(ctx, page, '/documents', 'documents');
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('main a[download]').first().click()]);
      const saved = join(dataDir, 'downloaded');
      await download.saveAs(saved);
      const { statSync } = await import('node:fs');
      assert.ok(statSync(saved).size > 0, 'the download has content');
      const pdf = join(dataDir, 'insurance-card.pdf');
      writeFileSync(pdf, '%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
      await page.selectOption('#category', 'insurance-card');
      await page.fill('#description', 'Insurance card, front');
      await page.setInputFiles('#file', pdf);
      await Promise.all([page.waitForURL(/\/documents\?done=uploaded/), page.click('main form[action="/documents"] button[type="submit"]')]);
      assert.match(await page.innerText('[role="status"]'), /document is on its way/);
      assert.match(await page.innerText('main ul.cards-list'), /Insurance card, front/, 'the upload is listed at once');

      // Account activity shows the sign-in and what was looked at.
      await visit(ctx, page, '/activity', 'activity');
      assert.ok((await page.locator('table.activity tbody tr').count()) >= 2);
      // On a phone the rows stack: nothing is cut off and every date stays on one line.
      await fitsPhone(page, 'account activity');
      const dateLines = await page.$$eval('table.activity tbody time', (ts) => ts.map((t) => t.getClientRects().length));
      assert.ok(dateLines.every((n) => n === 1), `dates on one line at 375 px: ${dateLines.join(',')}`);
      const lastColumn = await page.evaluate(() => {
        const cell = document.querySelector('table.activity tbody td:last-child');
        return cell ? cell.getBoundingClientRect().right : Infinity;
      });
      assert.ok(lastColumn <= 375, `the last column is on screen (right edge ${lastColumn})`);
      await page.setViewportSize({ width: 1280, height: 900 });

      // Spanish, switched by the language link, then sign out.
      await page.click('a.lang-switch');
      await page.waitForURL(/\/activity$/);
      assert.equal(await page.getAttribute('html', 'lang'), 'es');
      assert.match(await page.innerText('h1'), /Actividad de la cuenta/);
      await axeCheck(ctx, '/activity');
      await Promise.all([page.waitForURL(/\/signed-out$/), page.click('form.signout button')]);
      assert.match(await page.innerText('h1'), /signed out|cerrado sesión/i);
      const after = await page.request.get(`${portal.url}/messages`, { headers: { accept: 'text/html' }, maxRedirects: 0 });
      assert.equal(after.status(), 401, 'signed out for real');
      // The front door now explains how to get in, and shows no one's record.
      const front = await page.request.get(`${portal.url}/`, { headers: { accept: 'text/html' } });
      assert.equal(front.status(), 200);
      const frontText = await front.text();
      assert.match(frontText, /open this app from your clinic's patient portal/);
      assert.ok(!frontText.includes('Hello,'), 'no record on the front door');
      await visitPublic(page, '/', 'front-door');
      await axeCheck(ctx, '/signed-out');
      await visitPublic(page, '/session-ended', 'session-ended');
      assert.match(await page.innerText('main'), /open this app again|vuelva a abrir/);
    } finally {
      await ctx.close();
    }
  });

  it('Emma (15) sees her confidential result; her mother, as proxy, does not', async () => {
    const teen = await freshContext();
    try {
      await teen.page.goto(`${portal.url}/sandbox/launch?patient=emma-nguyen`, { waitUntil: 'load' });
      assert.match(await teen.page.innerText('h1'), /Hello, Emma/);
      await teen.page.goto(`${portal.url}/results`, { waitUntil: 'load' });
      assert.match(await teen.page.innerText('main'), /Chlamydia/);
      await shoot(teen.page, 'teen-results');
    } finally {
      await teen.ctx.close();
    }
    const parent = await freshContext();
    try {
      await parent.page.goto(`${portal.url}/sandbox/launch?patient=emma-nguyen&user=rp-linh-nguyen`, { waitUntil: 'load' });
      assert.match(await parent.page.innerText('header'), /You are viewing Emma( \w+)? Nguyen's record as mother\./);
      assert.match(await parent.page.innerText('h1'), /Hello, Linh/);
      await parent.page.goto(`${portal.url}/results`, { waitUntil: 'load' });
      const text = await parent.page.innerText('main');
      assert.doesNotMatch(text, /Chlamydia/i);
      assert.match(text, /CBC|Hemoglobin|Vitamin|Hydroxyvitamin/i, 'the rest of her results are there');
      await parent.page.goto(`${portal.url}/messages`, { waitUntil: 'load' });
      assert.doesNotMatch(await parent.page.innerText('main'), /Question about my recent test/);
      await axeCheck(parent.ctx, '/results');
      await shoot(parent.page, 'proxy-results');
    } finally {
      await parent.ctx.close();
    }
  });
});
