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
