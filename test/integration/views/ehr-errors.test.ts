import assert from 'node:assert/strict';
import type { Appointment } from 'fhir/r4.js';
import { TestBrowser } from '../helpers/browser.js';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';

/** FHIR calls the adapter made, by outcome label (`ok`, `503`, …), from its own metrics. */
async function fhirCalls(portal: TestPortal): Promise<Record<string, number>> {
  const metric = await portal.services.metrics.fhirDuration.get();
  const out: Record<string, number> = {};
  for (const v of metric.values) {
    if (v.metricName !== 'portal_fhir_request_duration_seconds_count') continue;
    const outcome = String(v.labels.outcome);
    out[outcome] = (out[outcome] ?? 0) + v.value;
  }
  return out;
}

const delta = (after: Record<string, number>, before: Record<string, number>, key: string) => (after[key] ?? 0) - (before[key] ?? 0);

/**
 * Makes the sandbox fail one FHIR request in three (the 1st, 4th, 7th, …): a deterministic
 * moderate error rate, where a random one would make the test flaky. The sandbox's fault
 * decision (decideFault in src/sandbox/faults.ts) is synchronous and reads `errorRate` once to
 * see whether it is set and, when it is, once more to compare it with its random draw; a
 * failing request is answered 1 (100 %) on both reads, a passing one 0 on its single read.
 */
function failOneInThree(faults: { errorRate: number }): { failures: () => number; restore: () => void } {
  let requests = 0;
  let secondRead = false;
  let failures = 0;
  Object.defineProperty(faults, 'errorRate', {
    configurable: true,
    enumerable: true,
    get() {
      if (secondRead) {
        secondRead = false;
        return 1;
      }
      if (requests++ % 3 !== 0) return 0;
      failures++;
      secondRead = true;
      return 1;
    },
  });
  return {
    failures: () => failures,
    restore: () => Object.defineProperty(faults, 'errorRate', { configurable: true, enumerable: true, writable: true, value: 0 }),
  };
}

describe('EHR failures as the patient sees them (sandbox faults, real HTTP)', function () {
  this.timeout(120_000);
  let portal: TestPortal;
  let maria: TestBrowser;

  before(async () => {
    // No background workers: the notifier's own FHIR reads would land in the counts these tests compare.
    portal = await startTestPortal({ env: { WORKERS: 'off' } });
    maria = new TestBrowser(portal.url);
    await maria.launch('maria-lopez');
  });
  after(async () => portal?.stop());
  afterEach(() => {
    portal.sandbox!.faults.down = false;
    portal.sandbox!.faults.errorRate = 0;
  });

  it('EHR down: /api/results answers 503 ehr_unavailable naming the EHR, after retrying', async () => {
    const before = await fhirCalls(portal);
    portal.sandbox!.faults.down = true;
    const r = await maria.get('/api/results');
    assert.equal(r.status, 503);
    assert.equal(r.json.error.code, 'ehr_unavailable');
    const ehrName = portal.services.registration('sandbox').name;
    assert.ok(r.json.error.message.includes(ehrName), r.json.error.message);
    assert.match(r.json.error.action, /try again/i);
    const after = await fhirCalls(portal);
    // The search that gave up first was tried three times (two retries); none succeeded.
    assert.equal(delta(after, before, 'ok'), 0);
    assert.ok(delta(after, before, '503') >= 3, JSON.stringify({ before, after }));
  });

  it('the EHR back up: the same session reads again', async () => {
    portal.sandbox!.faults.down = true;
    assert.equal((await maria.get('/api/appointments')).status, 503);
    portal.sandbox!.faults.down = false;
    assert.equal((await maria.get('/api/appointments')).status, 200);
  });

  it('EHR down right after a write: the page it leads to confirms the write and clears the draft; a cancellation it cannot check is not promised', async () => {
    const page = async (path: string, init: RequestInit = {}) => {
      const res = await maria.request(path, { ...init, headers: { accept: 'text/html', ...(init.headers ?? {}) } });
      return { status: res.status, html: await res.text() };
    };
    const sent = await maria.post('/api/messages', { purpose: 'other', subject: 'While down', body: 'Sent while the EHR is down' });
    assert.equal(sent.status, 202, sent.text);
    portal.sandbox!.faults.down = true;
    const thread = await page(`/messages/${sent.json.threadId}?sent=new`);
    assert.equal(thread.status, 503);
    assert.match(thread.html, /Your message is on its way to the clinic/);
    assert.match(thread.html, /data-clear-drafts="compose"/);
    assert.match(thread.html, /Nothing you sent has been lost/);
    const requested = await page('/appointments?done=requested');
    assert.match(requested.html, /Your appointment request is on its way/);
    assert.match(requested.html, /data-clear-drafts="appointment-request"/);
    // Without a write just made, the outage page confirms nothing and clears nothing.
    const plain = await page('/appointments');
    assert.doesNotMatch(plain.html, /on its way|data-clear-drafts/);
    // What needs no EHR is still offered: a reply into a conversation started here, and an upload.
    const local = await page(`/messages/${sent.json.threadId}`);
    assert.match(local.html, new RegExp(`<form method="post" action="/messages/${sent.json.threadId}/reply"`));
    const docs = await page('/documents');
    assert.equal(docs.status, 503);
    assert.match(docs.html, /<form method="post" action="\/documents"/);
    const reply = await maria.post(`/api/messages/${sent.json.threadId}/replies`, { body: 'And on Sunday?' });
    assert.equal(reply.status, 202, 'taken while the EHR is down');
    // A conversation in the EHR needs the EHR to check it: no form that would only fail.
    const ehrThread = await page('/messages/comm-ml-01');
    assert.equal(ehrThread.status, 503);
    assert.doesNotMatch(ehrThread.html, /action="\/messages\/comm-ml-01\/reply"/);

    // Cancelling the EHR's own appointment needs the EHR: refused in plain words, nothing queued.
    portal.sandbox!.faults.down = false;
    const appt = (await maria.get<{ items: { id: string; group: string }[] }>('/api/appointments')).json.items.find((a) => a.group === 'requested' && !/^[0-9a-f-]{36}$/.test(a.id));
    assert.ok(appt, 'an EHR appointment request to cancel');
    portal.sandbox!.faults.down = true;
    const before = (await portal.db.query(`SELECT count(*)::int AS n FROM outbox_item WHERE kind = 'cancel'`)) as { n: number }[];
    const form = new URLSearchParams({ _csrf: maria.session!.csrfToken });
    const cancel = await page(`/appointments/${appt.id}/cancel`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    assert.equal(cancel.status, 503);
    assert.match(cancel.html, /Your cancellation was not sent/);
    assert.doesNotMatch(cancel.html, /Nothing you sent has been lost/);
    assert.match(cancel.html, /href="\/appointments"/);
    const after = (await portal.db.query(`SELECT count(*)::int AS n FROM outbox_item WHERE kind = 'cancel'`)) as { n: number }[];
    assert.equal(after[0]!.n, before[0]!.n);
  });

  it('one FHIR request in three failing: GETs are retried and every list still answers 200', async () => {
    const errors = failOneInThree(portal.sandbox!.faults);
    try {
      const before = await fhirCalls(portal);
      for (const path of ['/api/appointments', '/api/results', '/api/messages', '/api/summary']) {
        const r = await maria.get(path);
        assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 200)}`);
      }
      const after = await fhirCalls(portal);
      const failed = delta(after, before, '503');
      assert.ok(failed >= 4, `at least one failed attempt per endpoint, saw ${failed}`);
      assert.equal(failed, errors.failures());
      assert.ok(delta(after, before, 'ok') >= 4);
    } finally {
      errors.restore();
    }
  });

  it('a malformed resource is skipped, not fatal: the list answers 200 with skipped: 1', async () => {
    const before = await maria.get('/api/appointments');
    assert.equal(before.json.skipped, 0);
    // Valid to the repository (it stores what it is given), invalid to the adapter's schema.
    const bad = {
      resourceType: 'Appointment',
      status: 'booked',
      start: 'next Tuesday morning',
      participant: [{ actor: { reference: 'Patient/maria-lopez' }, status: 'accepted' }],
    } as unknown as Appointment;
    const stored = (await portal.sandbox!.repo.createResource(bad as never)) as { id?: string };
    try {
      const r = await maria.get('/api/appointments');
      assert.equal(r.status, 200);
      assert.equal(r.json.skipped, 1);
      assert.deepEqual(r.json.items.map((a: { id: string }) => a.id), before.json.items.map((a: { id: string }) => a.id));
      assert.doesNotMatch(r.text, /next Tuesday/);
      const summary = await maria.get('/api/summary');
      assert.equal(summary.status, 200);
    } finally {
      await portal.sandbox!.repo.deleteResource('Appointment', stored.id!);
    }
  });
});
