import assert from 'node:assert/strict';
import type { Bundle, Communication, OperationOutcome, Resource } from 'fhir/r4.js';
import { ehrLaunch, fhirGet, startHarness, type Harness } from './harness.js';

const ids = (b: Bundle, mode?: 'match' | 'include') =>
  (b.entry ?? []).filter((e) => !mode || e.search?.mode === mode).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort();

// FHIR R4 server of the sandbox EHR (medplum FhirRouter + MemoryRepository) with patient-compartment enforcement.
describe('sandbox EHR: FHIR server', function () {
  this.timeout(30_000);
  let h: Harness;
  let tokenA: string;
  let tokenB: string;
  const delays: number[] = [];
  before(async () => {
    h = await startHarness({
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    tokenA = (await ehrLaunch(h, 'patient=pat-a')).tokens.access_token;
    tokenB = (await ehrLaunch(h, 'patient=pat-b')).tokens.access_token;
  });
  after(async () => {
    await h.close();
  });

  const json = async <T>(res: Response) => (await res.json()) as T;

  it('requires a bearer token', async () => {
    const res = await fetch(`${h.fhirBase}/Patient/pat-a`);
    assert.equal(res.status, 401);
    assert.equal((await json<OperationOutcome>(res)).resourceType, 'OperationOutcome');
    assert.equal((await fhirGet(h, 'not-a-token', 'Patient/pat-a')).status, 401);
  });

  it('reads its own patient; another patient’s resources answer 404', async () => {
    const own = await fhirGet(h, tokenA, 'Patient/pat-a');
    assert.equal(own.status, 200);
    assert.equal((await json<Resource>(own)).id, 'pat-a');
    for (const path of ['Patient/pat-b', 'Observation/obs-b1', 'Communication/com-b1']) {
      const res = await fhirGet(h, tokenA, path);
      assert.equal(res.status, 404, path);
      assert.equal((await json<OperationOutcome>(res)).resourceType, 'OperationOutcome');
    }
    assert.equal((await fhirGet(h, tokenB, 'Communication/com-b1')).status, 200);
  });

  it('search is limited to the token’s patient, with or without a patient parameter', async () => {
    assert.deepEqual(ids(await json<Bundle>(await fhirGet(h, tokenA, 'Observation'))), [
      'Observation/obs-a1', 'Observation/obs-a2', 'Observation/obs-a3',
    ]);
    const other = await json<Bundle>(await fhirGet(h, tokenA, 'Observation?patient=pat-b'));
    assert.equal(other.total, 0);
    assert.deepEqual(ids(other), []);
    assert.equal((await json<Bundle>(await fhirGet(h, tokenA, 'Observation?patient=Patient/pat-a'))).total, 3);
    assert.deepEqual(ids(await json<Bundle>(await fhirGet(h, tokenA, 'Patient'))), ['Patient/pat-a']);
    assert.deepEqual(ids(await json<Bundle>(await fhirGet(h, tokenB, 'Observation'))), ['Observation/obs-b1']);
  });

  it('pages with next links built from _offset, sorts and totals', async () => {
    const first = await json<Bundle>(await fhirGet(h, tokenA, 'Observation?_count=2&_sort=-date'));
    assert.equal(first.total, 3);
    assert.deepEqual(first.entry!.map((e) => e.resource!.id), ['obs-a3', 'obs-a2']);
    assert.ok(first.link!.find((l) => l.relation === 'self'));
    const next = first.link!.find((l) => l.relation === 'next')!.url;
    assert.ok(next.startsWith(`${h.fhirBase}/Observation?`));
    const second = await json<Bundle>(await fetch(next, { headers: { authorization: `Bearer ${tokenA}` } }));
    assert.deepEqual(second.entry!.map((e) => e.resource!.id), ['obs-a1']);
    assert.equal(second.link!.find((l) => l.relation === 'next'), undefined);
  });

  it('_include adds referenced resources but never another patient’s', async () => {
    const own = await json<Bundle>(await fhirGet(h, tokenA, 'DiagnosticReport?_include=DiagnosticReport:result'));
    assert.deepEqual(ids(own, 'match'), ['DiagnosticReport/dr-a1', 'DiagnosticReport/dr-x']);
    assert.deepEqual(ids(own, 'include'), ['Observation/obs-a1', 'Observation/obs-a2']);
    const shared = await json<Bundle>(await fhirGet(h, tokenA, 'Observation?_include=Observation:performer'));
    assert.deepEqual(ids(shared, 'include'), ['Practitioner/prac-1']);
    const rev = await json<Bundle>(await fhirGet(h, tokenA, 'Observation?_id=obs-a1&_revinclude=DiagnosticReport:result'));
    assert.deepEqual(ids(rev, 'include'), ['DiagnosticReport/dr-a1']);
    const revB = await json<Bundle>(await fhirGet(h, tokenB, 'Observation?_revinclude=DiagnosticReport:result'));
    assert.deepEqual(ids(revB, 'include'), [], 'patient A’s crafted report must not reach B');
  });

  it('enforces scopes per resource type (v1 and v2 syntax)', async () => {
    const v2 = (await ehrLaunch(h, 'patient=pat-a', 'openid launch patient/Observation.rs')).tokens.access_token;
    assert.equal((await fhirGet(h, v2, 'Observation')).status, 200);
    assert.equal((await fhirGet(h, v2, 'Patient/pat-a')).status, 403);
    assert.equal((await fhirGet(h, v2, 'DiagnosticReport')).status, 403);
    const v1 = (await ehrLaunch(h, 'patient=pat-a', 'openid launch patient/DiagnosticReport.read')).tokens.access_token;
    assert.equal((await fhirGet(h, v1, 'DiagnosticReport')).status, 200);
    assert.equal((await fhirGet(h, v1, 'Observation')).status, 403);
  });

  it('serves Binary as raw bytes with its content type, only to its patient', async () => {
    const raw = await fhirGet(h, tokenA, 'Binary/bin-a1', '*/*');
    assert.equal(raw.status, 200);
    assert.equal(raw.headers.get('content-type'), 'application/pdf');
    assert.ok(Buffer.from(await raw.arrayBuffer()).subarray(0, 5).equals(Buffer.from('%PDF-')));
    const asJson = await json<{ resourceType: string; data: string }>(await fhirGet(h, tokenA, 'Binary/bin-a1'));
    assert.equal(asJson.resourceType, 'Binary');
    assert.equal((await fhirGet(h, tokenB, 'Binary/bin-a1', '*/*')).status, 404);
  });

  it('creates a Binary from raw bytes, readable back by the same patient only', async () => {
    const res = await fetch(`${h.fhirBase}/Binary`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenA}`, 'content-type': 'image/png' },
      body: Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    });
    assert.equal(res.status, 201);
    const id = (await json<Resource>(res)).id!;
    const back = await fhirGet(h, tokenA, `Binary/${id}`, 'image/png');
    assert.equal(back.headers.get('content-type'), 'image/png');
    assert.deepEqual([...Buffer.from(await back.arrayBuffer())], [0x89, 0x50, 0x4e, 0x47]);
    assert.equal((await fhirGet(h, tokenB, `Binary/${id}`, 'image/png')).status, 404);
  });

  it('conditional create with If-None-Exist returns the existing resource (exactly once)', async () => {
    const body: Communication = {
      resourceType: 'Communication',
      status: 'completed',
      identifier: [{ system: 'urn:test:portal', value: 'msg-1' }],
      subject: { reference: 'Patient/pat-a' },
      sender: { reference: 'Patient/pat-a' },
      payload: [{ contentString: 'hello' }],
    };
    const post = () =>
      fetch(`${h.fhirBase}/Communication`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${tokenA}`,
          'content-type': 'application/fhir+json',
          'if-none-exist': 'identifier=urn:test:portal|msg-1',
        },
        body: JSON.stringify(body),
      });
    const first = await post();
    assert.equal(first.status, 201);
    assert.match(first.headers.get('location') ?? '', /\/sandbox\/fhir\/Communication\//);
    const second = await post();
    assert.equal(second.status, 200);
    assert.equal((await json<Resource>(second)).id, (await json<Resource>(first)).id);
    const all = await json<Bundle>(await fhirGet(h, tokenA, 'Communication?identifier=urn:test:portal|msg-1'));
    assert.equal(all.total, 1);
  });

  it('refuses writes into another patient’s compartment', async () => {
    const res = await fetch(`${h.fhirBase}/Communication`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenA}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Communication', status: 'completed', subject: { reference: 'Patient/pat-b' } }),
    });
    assert.equal(res.status, 403);
    const writer = (await ehrLaunch(h, 'patient=pat-a', 'openid launch patient/Communication.cruds')).tokens.access_token;
    const put = await fetch(`${h.fhirBase}/Communication/com-b1`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Communication', id: 'com-b1', status: 'completed', subject: { reference: 'Patient/pat-a' } }),
    });
    assert.equal(put.status, 404);
    const bad = await fetch(`${h.fhirBase}/Communication`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenA}`, 'content-type': 'application/fhir+json' },
      body: '{not json',
    });
    assert.equal(bad.status, 400);
  });

  it('updates with PUT inside the compartment', async () => {
    const current = await json<Communication>(await fhirGet(h, tokenA, 'Communication?identifier=urn:test:portal|msg-1'));
    const msg = (current as unknown as Bundle).entry![0]!.resource as Communication;
    const put = (token: string) =>
      fetch(`${h.fhirBase}/Communication/${msg.id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
        body: JSON.stringify({ ...msg, status: 'entered-in-error' }),
      });
    assert.equal((await put(tokenA)).status, 403, 'patient/Communication.crs has no update');
    const writer = (await ehrLaunch(h, 'patient=pat-a', 'openid launch patient/Communication.cruds')).tokens.access_token;
    const res = await put(writer);
    assert.equal(res.status, 200);
    assert.equal((await json<Communication>(await fhirGet(h, tokenA, `Communication/${msg.id}`))).status, 'entered-in-error');
  });

  it('faults: down → 503, errorRate → 503, latency is applied', async () => {
    h.sandbox.faults.down = true;
    try {
      const res = await fhirGet(h, tokenA, 'Patient/pat-a');
      assert.equal(res.status, 503);
      assert.equal((await json<OperationOutcome>(res)).resourceType, 'OperationOutcome');
    } finally {
      h.sandbox.faults.down = false;
    }
    const put = await fetch(`${h.origin}/sandbox/faults`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 1 }),
    });
    assert.equal(((await put.json()) as { errorRate: number }).errorRate, 1);
    assert.equal((await fhirGet(h, tokenA, 'Patient/pat-a')).status, 503);
    await fetch(`${h.origin}/sandbox/faults`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 0, latencyMs: 250 }),
    });
    delays.length = 0;
    assert.equal((await fhirGet(h, tokenA, 'Patient/pat-a')).status, 200);
    assert.deepEqual(delays, [250]);
    h.sandbox.faults.latencyMs = 0;
    const invalid = await fetch(`${h.origin}/sandbox/faults`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 2 }),
    });
    assert.equal(invalid.status, 400);
    assert.ok(((await invalid.json()) as { fields: Record<string, string> }).fields.errorRate);
    assert.equal(((await (await fetch(`${h.origin}/sandbox/faults`)).json()) as { errorRate: number }).errorRate, 0);
  });

  it('timeoutRate holds the request until the client gives up', async () => {
    h.sandbox.faults.timeoutRate = 1;
    try {
      await assert.rejects(
        fetch(`${h.fhirBase}/Patient/pat-a`, { headers: { authorization: `Bearer ${tokenA}` }, signal: AbortSignal.timeout(300) }),
        (e: Error) => e.name === 'TimeoutError',
      );
    } finally {
      h.sandbox.faults.timeoutRate = 0;
    }
  });
});

describe('sandbox EHR: patients, staff messages, mailbox, seed loading', function () {
  this.timeout(30_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('patients.json lists patients with proxies; urn:uuid bundles resolve references', async () => {
    const list = (await (await fetch(`${h.origin}/sandbox/patients.json`)).json()) as {
      id: string; name: string; birthDate?: string; description: string; proxies: { id: string; name: string; relationship: string }[];
    }[];
    const a = list.find((p) => p.id === 'pat-a')!;
    assert.equal(a.name, 'Alice Testpatient');
    assert.equal(a.birthDate, '1980-02-03');
    assert.deepEqual(a.proxies, [{ id: 'rp-a1', name: 'Carol Testpatient', relationship: 'mother' }]);
    assert.equal(a.description, 'Synthea patient: 2 reports, 3 observations');
    const dana = list.find((p) => p.name === 'Dana Uuidpatient')!;
    assert.equal(dana.id, '11111111-2222-4333-8444-555555555555');
    const obs = await h.sandbox.repo.search({ resourceType: 'Observation', filters: [{ code: 'patient', operator: 'eq', value: `Patient/${dana.id}` }] });
    assert.equal(obs.total, 1);
    assert.deepEqual(await h.sandbox.patients(), list);
  });

  it('staff messages open a thread and reply in response to the patient’s last message', async () => {
    const start = await fetch(`${h.origin}/sandbox/staff/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patient: 'pat-a', body: 'Your results are in.' }),
    });
    assert.equal(start.status, 201);
    const { threadId, messageId } = (await start.json()) as { threadId: string; messageId: string };
    const token = (await ehrLaunch(h, 'patient=pat-a')).tokens.access_token;
    const thread = (await (await fhirGet(h, token, `Communication?part-of=Communication/${threadId}`)).json()) as Bundle;
    const first = thread.entry!.map((e) => e.resource as Communication).find((c) => c.id === messageId)!;
    assert.equal(first.sender?.reference, 'Practitioner/prac-1');
    assert.equal(first.recipient?.[0]?.reference, 'Patient/pat-a');
    assert.equal(first.status, 'completed');
    assert.equal(first.payload?.[0]?.contentString, 'Your results are in.');
    // the patient answers through FHIR, the clinician replies to that answer
    const answer = await fetch(`${h.fhirBase}/Communication`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Communication', status: 'completed', subject: { reference: 'Patient/pat-a' }, sender: { reference: 'Patient/pat-a' },
        partOf: [{ reference: `Communication/${threadId}` }], sent: new Date(h.clock.ms - 1000).toISOString(), payload: [{ contentString: 'Thanks' }],
      }),
    });
    const answerId = ((await answer.json()) as Resource).id;
    const reply = await fetch(`${h.origin}/sandbox/staff/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patient: 'pat-a', threadId, body: 'You are welcome.' }),
    });
    assert.equal(reply.status, 201);
    const replyId = ((await reply.json()) as { messageId: string }).messageId;
    const stored = (await h.sandbox.repo.readResource('Communication', replyId)) as unknown as Communication;
    assert.deepEqual(stored.inResponseTo, [{ reference: `Communication/${answerId}` }]);
    assert.deepEqual(stored.partOf, [{ reference: `Communication/${threadId}` }]);
    const wrongThread = await fetch(`${h.origin}/sandbox/staff/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patient: 'pat-b', threadId, body: 'x' }),
    });
    assert.equal(wrongThread.status, 404);
    const invalid = await fetch(`${h.origin}/sandbox/staff/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patient: 'pat-a', body: '' }),
    });
    assert.equal(invalid.status, 400);
    assert.ok(((await invalid.json()) as { fields: Record<string, string> }).fields.body);
  });

  it('mailbox.json shows what was added to the mailbox', async () => {
    h.sandbox.mailbox.add({ to: 'a@example.test', from: 'portal@example.test', subject: 'New message', text: 'Sign in to read it.', at: new Date(h.clock.ms).toISOString() });
    const box = (await (await fetch(`${h.origin}/sandbox/mailbox.json`)).json()) as { items: { to: string; subject: string }[] };
    assert.deepEqual(box.items.map((m) => [m.to, m.subject]), [['a@example.test', 'New message']]);
  });

  it('passes other paths on and answers unknown sandbox paths with 404', async () => {
    assert.equal((await fetch(`${h.origin}/elsewhere`)).status, 418);
    assert.equal((await fetch(`${h.origin}/sandboxed`)).status, 418);
    assert.equal((await fetch(`${h.origin}/sandbox/nope`)).status, 404);
  });
});
