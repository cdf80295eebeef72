import assert from 'node:assert/strict';
import type { Appointment, Binary, Communication, DocumentReference, Resource } from 'fhir/r4.js';
import { parseSearchRequest } from '@medplum/core';
import { OutboxWorker } from '../../../src/outbox/worker.js';
import { createFieldCipher } from '../../../src/crypto/field-cipher.js';
import { generateKeySet } from '../../../src/crypto/key-set.js';
import { PROFILES } from '../../../src/outbox/resources.js';
import { WRITE_IDENTIFIER_SYSTEM } from '../../../src/outbox/types.js';
import { TestBrowser } from '../helpers/browser.js';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';
import { checkProfile, loadProfiles } from '../../unit/outbox/profile-check.js';

const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n1 0 obj\n'), Buffer.alloc(200, 0x20)]);
const profiles = loadProfiles();

for (const backend of ['postgres', 'embedded'] as const)
describe(`outbox against the sandbox EHR (${backend})`, function () {
  this.timeout(60_000);
  let portal: TestPortal;
  let worker: OutboxWorker;
  let maria: TestBrowser;
  let other: TestBrowser;
  const patient = 'maria-lopez';

  const repo = () => portal.sandbox!.repo;
  async function search<T extends Resource>(type: string, params: Record<string, string>): Promise<T[]> {
    const b = await repo().search(parseSearchRequest(type, params));
    return (b.entry ?? []).map((e) => e.resource as unknown as T);
  }
  const byWriteId = <T extends Resource>(type: string, value: string) => search<T>(type, { identifier: `${WRITE_IDENTIFIER_SYSTEM}|${value}` });
  const counts = async () => {
    const [o] = (await portal.db.query('SELECT count(*)::int AS n FROM outbox_item')) as { n: number }[];
    const [a] = (await portal.db.query(`SELECT count(*)::int AS n FROM audit_entry WHERE action = 'write'`)) as { n: number }[];
    return { outbox: o!.n, audit: a!.n };
  };
  const conforms = (r: Resource, url: string) => assert.deepEqual(checkProfile(r, profiles.get(url)!), [], `${r.resourceType} conforms to ${url}`);
  /** Maria uploads the test PDF. */
  function uploadPdf(category: string, description: string, filename: string, type = 'application/pdf') {
    const form = new FormData();
    form.set('category', category);
    form.set('description', description);
    form.append('file', new Blob([PDF], { type }), filename);
    return maria.postForm('/api/documents', form);
  }
  /** Rounds until nothing is due (each round delivers one item per thread). */
  async function drain(): Promise<void> {
    for (let i = 0; i < 20 && (await worker.runOnce()) > 0; i++);
  }

  before(async () => {
    portal = await startTestPortal({ embedded: backend === 'embedded', env: { WORKERS: 'off', LOG_LEVEL: 'silent', OUTBOX_BACKOFF_BASE_MS: '1', OUTBOX_BACKOFF_CAP_MS: '5' } });
    worker = new OutboxWorker(portal.services, { pollMs: 50, backoff: { baseMs: 1, capMs: 5 } });
    maria = new TestBrowser(portal.url);
    await maria.launch(patient);
    const pts = (await (await fetch(`${portal.url}/sandbox/patients.json`)).json()) as { id: string }[];
    other = new TestBrowser(portal.url);
    await other.launch(pts.find((p) => p.id !== patient)!.id);
  });
  after(async () => {
    await portal?.stop();
  });

  it('a new message with an attachment: 202 "sending" at once, then lands in the EHR as the profile says', async () => {
    const form = new FormData();
    form.set('purpose', 'medication-question');
    form.set('subject', 'Ibuprofen with lisinopril?');
    form.set('body', 'Is it fine to take ibuprofen for a headache?');
    form.append('attachments', new Blob([PDF], { type: 'application/pdf' }), 'med-list.pdf');
    const r = await maria.postForm('/api/messages', form);
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.status, 'sending');
    assert.match(r.json.threadId, /^local-/);
    const before = await portal.services.outbox.localWrites('sandbox', patient, { kinds: ['message'] });
    const mine = before.find((w) => w.id === r.json.id)!;
    assert.equal(mine.status, 'sending');
    assert.equal(mine.overdue, false);
    assert.equal(mine.payload.kind === 'message' && mine.payload.body, 'Is it fine to take ibuprofen for a headache?');
    const [raw] = (await portal.db.query('SELECT payload FROM outbox_item WHERE id = $1', [r.json.id])) as { payload: string }[];
    assert.equal(raw!.payload.split('.').length, 5, 'payload is a compact JWE');
    assert.ok(!raw!.payload.includes('ibuprofen'));

    // a reply queued before the thread exists in the EHR goes out after it, into it
    const reply = await maria.post(`/api/messages/${r.json.threadId}/replies`, { body: 'Also: can I take it with food?' });
    assert.equal(reply.status, 202, reply.text);

    await drain();
    const [header] = await byWriteId<Communication>('Communication', `${r.json.id}-header`);
    const [msg] = await byWriteId<Communication>('Communication', `${r.json.id}-message`);
    assert.ok(header && msg, 'header and message are in the EHR');
    conforms(header, PROFILES.message);
    conforms(msg, PROFILES.message);
    assert.equal(header.topic?.text, 'Ibuprofen with lisinopril?');
    assert.equal(header.category?.[0]?.coding?.[0]?.code, 'medication-question');
    assert.equal(header.recipient?.[0]?.reference, 'Practitioner/pr-chen');
    assert.deepEqual(msg.partOf, [{ reference: `Communication/${header.id}` }]);
    const att = msg.payload?.find((p) => p.contentAttachment)?.contentAttachment;
    assert.equal(att?.contentType, 'application/pdf');
    assert.equal(att?.size, PDF.length);
    const bin = (await repo().readResource('Binary', att!.url!.split('/')[1]!)) as unknown as Binary;
    assert.equal(Buffer.from(bin.data!, 'base64').equals(PDF), true);
    assert.equal(bin.securityContext?.reference, `Patient/${patient}`);

    const [second] = await byWriteId<Communication>('Communication', `${reply.json.id}-message`);
    assert.deepEqual(second?.partOf, [{ reference: `Communication/${header.id}` }]);
    assert.deepEqual(second?.inResponseTo, [{ reference: `Communication/${msg.id}` }]);
    conforms(second!, PROFILES.message);

    const after = await portal.services.outbox.localWrites('sandbox', patient, { threadId: r.json.threadId });
    assert.deepEqual(after.map((w) => [w.id, w.status, w.ehrThreadId]), [[r.json.id, 'delivered', header.id], [reply.json.id, 'delivered', header.id]]);
    const sent = after[0]!.payload;
    assert.ok(sent.kind === 'message');
    assert.equal(sent.body, 'Is it fine to take ibuprofen for a headache?');
    assert.deepEqual(sent.attachments, [{ filename: 'med-list.pdf', contentType: 'application/pdf', size: PDF.length, data: '' }], 'the bytes are left to the EHR');
    assert.deepEqual(await portal.services.outbox.resolveThread('sandbox', patient, r.json.threadId), { local: true, ehrThreadId: header.id });
    // the same thread by its EHR id: same writes
    assert.equal((await portal.services.outbox.localWrites('sandbox', patient, { threadId: header.id! })).length, 2);
    const audits = await portal.services.audit.records('sandbox', patient, { actions: ['write'] });
    assert.ok(audits.some((a) => a.resourceId === r.json.id && a.outcome === 'pending'));
    assert.ok(audits.some((a) => a.resourceId === msg.id && a.outcome === 'success' && a.actor.kind === 'system'));
  });

  it('a reply shows in its conversation at once, while it waits for the EHR, and then once, from the EHR', async () => {
    type Msg = { id: string; body: string; status: string; from: { self: boolean } };
    const messagesOf = async (threadId: string): Promise<Msg[]> => {
      const t = await maria.get<{ messages: Msg[] }>(`/api/messages/${threadId}`);
      assert.equal(t.status, 200, t.text);
      return t.json.messages;
    };
    const withBody = (list: Msg[], body: string) => list.filter((m) => m.body === body);

    // Into a thread the EHR started.
    const ehrThread = (await maria.get<{ items: { id: string }[] }>('/api/messages')).json.items.find((t) => !t.id.startsWith('local-'))!;
    const body = `Thank you, I will come in on Tuesday (${Date.now()}).`;
    const reply = await maria.post(`/api/messages/${ehrThread.id}/replies`, { body });
    assert.equal(reply.status, 202, reply.text);
    const waiting = withBody(await messagesOf(ehrThread.id), body);
    assert.equal(waiting.length, 1, 'the reply is listed before the EHR has it');
    assert.equal(waiting[0]!.status, 'sending');
    assert.equal(waiting[0]!.from.self, true);

    // Into a thread started here: before the EHR has the thread, and after.
    const started = await maria.post('/api/messages', { purpose: 'other', subject: 'Parking at the clinic', body: 'Is there parking for patients?' });
    assert.equal(started.status, 202, started.text);
    const localReply = `And is it free? (${Date.now()})`;
    assert.equal((await maria.post(`/api/messages/${started.json.threadId}/replies`, { body: localReply })).status, 202);
    const beforeDelivery = await messagesOf(started.json.threadId);
    assert.deepEqual(beforeDelivery.map((m) => [m.body, m.status]), [['Is there parking for patients?', 'sending'], [localReply, 'sending']]);

    await drain();
    const delivered = withBody(await messagesOf(ehrThread.id), body);
    assert.equal(delivered.length, 1, 'shown once, not also from the local copy');
    assert.equal(delivered[0]!.status, 'delivered');
    assert.ok(!delivered[0]!.id.startsWith('local-'), 'the EHR\'s copy is shown');
    const header = (await portal.services.outbox.resolveThread('sandbox', patient, started.json.threadId)).ehrThreadId!;
    const inEhr = await messagesOf(header);
    assert.deepEqual(inEhr.map((m) => [m.body, m.status]), [['Is there parking for patients?', 'delivered'], [localReply, 'delivered']]);
    assert.ok(inEhr.every((m) => !m.id.startsWith('local-')));
  });

  it('what the EHR already shows is not decrypted again: a local copy under a retired key does not break the page', async () => {
    const r = await maria.post('/api/messages', { purpose: 'other', subject: 'Flu shot', body: 'Do you have flu shots in stock?' });
    assert.equal(r.status, 202, r.text);
    await drain();
    try {
      // As after a key rotation whose old key was removed from the key ring: this copy can no longer be read.
      const retired = await (await createFieldCipher(generateKeySet())).encrypt('{}');
      await portal.db.query('UPDATE outbox_item SET payload = $1 WHERE id = $2', [retired, r.json.id]);
      const list = await maria.get<{ items: { subject: string }[] }>('/api/messages');
      assert.equal(list.status, 200, list.text);
      assert.ok(list.json.items.some((t) => t.subject === 'Flu shot'), 'shown from the EHR');
      assert.equal((await maria.get('/api/summary')).status, 200);
      // A copy the EHR does not show is still read, and an unreadable one still fails loudly.
      await portal.db.query(`UPDATE outbox_item SET status = 'sending', result = '{}'::jsonb WHERE id = $1`, [r.json.id]);
      await portal.sandbox!.repo.deleteResource('Communication', (await byWriteId<Communication>('Communication', `${r.json.id}-message`))[0]!.id!);
      assert.equal((await maria.get('/api/messages')).status, 500);
    } finally {
      await portal.db.query('DELETE FROM outbox_item WHERE id = $1', [r.json.id]);
    }
  });

  it('an appointment request and an upload are listed at once, on their way, then from the EHR', async () => {
    type Appt = { id: string; group: string; statusLabel: string; delivery: { status: string; note: string | null } | null };
    type Doc = { id: string; status: string; title: string; delivery?: { status: string } };
    const appts = async () => (await maria.get<{ items: Appt[] }>('/api/appointments')).json.items;
    const docs = async () => (await maria.get<{ items: Doc[] }>('/api/documents')).json.items;
    const day = new Date(Date.now() + 9 * 86_400_000).toISOString().slice(0, 10);

    const kept = await maria.post('/api/appointment-requests', { reason: 'Sore shoulder', visitType: 'in-person', preferred: [{ date: day, partOfDay: 'afternoon' }] });
    const dropped = await maria.post('/api/appointment-requests', { reason: 'Flu shot', visitType: 'in-person', preferred: [{ date: day, partOfDay: 'any' }] });
    assert.equal(kept.status, 202, kept.text);
    const upload = await uploadPdf('form', 'Signed consent form', 'consent.pdf');
    assert.equal(upload.status, 202, upload.text);

    const waiting = (await appts()).find((a) => a.id === kept.json.id);
    assert.equal(waiting?.group, 'requested', 'listed under its own id before the EHR has it');
    assert.deepEqual(waiting?.delivery, { status: 'sending', note: null });
    assert.equal(waiting?.statusLabel, 'Sending your request to the clinic');
    // Cancelled by its own id before it went out: listed as cancelled at once.
    assert.equal((await maria.post(`/api/appointment-requests/${dropped.json.id}/cancel`, {})).status, 202);
    assert.equal((await appts()).find((a) => a.id === dropped.json.id)?.group, 'cancelled');
    const sent = (await docs()).find((d) => d.id === upload.json.id);
    assert.equal(sent?.status, 'upload');
    assert.equal(sent?.title, 'Signed consent form');
    assert.equal(sent?.delivery?.status, 'sending');

    await drain();
    const [appt] = await byWriteId<Appointment>('Appointment', `${kept.json.id}-appointment`);
    const after = await appts();
    assert.ok(!after.some((a) => a.id === kept.json.id), 'no longer shown from the local copy');
    assert.equal(after.find((a) => a.id === appt!.id)?.delivery, null, "shown from the EHR's copy");
    assert.ok(!after.some((a) => a.id === dropped.json.id), 'the cancelled request is left to the EHR too');
    // Cancelled by the EHR's id: shown cancelled at once, saying the clinic is being told.
    assert.equal((await maria.post(`/api/appointment-requests/${appt!.id}/cancel`, {})).status, 202);
    const cancelling = (await appts()).find((a) => a.id === appt!.id);
    assert.equal(cancelling?.group, 'cancelled');
    assert.equal(cancelling?.statusLabel, 'Cancelled: we are letting the clinic know');
    assert.equal(cancelling?.delivery?.status, 'sending');
    await drain();
    assert.equal((await appts()).find((a) => a.id === appt!.id)?.delivery, null, 'then shown as the EHR has it');
    const [doc] = await byWriteId<DocumentReference>('DocumentReference', `${upload.json.id}-document`);
    const listed = await docs();
    assert.ok(!listed.some((d) => d.id === upload.json.id));
    assert.equal(listed.find((d) => d.id === doc!.id)?.status, 'available');
  });

  it('what the EHR created before delivery recorded it is listed once, from the EHR', async () => {
    const day = new Date(Date.now() + 11 * 86_400_000).toISOString().slice(0, 10);
    const msg = await maria.post('/api/messages', { purpose: 'other', subject: 'Crutches', body: 'Can I return the crutches?' });
    const req = await maria.post('/api/appointment-requests', { reason: 'Ankle check', visitType: 'in-person', preferred: [{ date: day, partOfDay: 'morning' }] });
    const up = await uploadPdf('form', 'Return slip', 'slip.pdf');
    for (const r of [msg, req, up]) assert.equal(r.status, 202, r.text);
    await drain();
    // The moment between the EHR's answers and the outbox saving them: the rows know nothing yet.
    const ids = [msg.json.id, req.json.id, up.json.id];
    await portal.db.query(`UPDATE outbox_item SET status = 'sending', result = '{}'::jsonb, ehr_thread_id = NULL WHERE id = ANY($1::text[])`, [ids]);
    const [header] = await byWriteId<Communication>('Communication', `${msg.json.id}-header`);
    const [appt] = await byWriteId<Appointment>('Appointment', `${req.json.id}-appointment`);
    const [doc] = await byWriteId<DocumentReference>('DocumentReference', `${up.json.id}-document`);

    const threads = (await maria.get<{ items: { id: string; subject: string }[] }>('/api/messages')).json.items.filter((t) => t.subject === 'Crutches');
    assert.deepEqual(threads.map((t) => t.id), [header!.id], 'one conversation, the EHR\'s');
    // The page the patient was sent to after writing (its local id) still finds the conversation.
    const thread = await maria.get<{ id: string; messages: { id: string; body: string }[] }>(`/api/messages/${msg.json.threadId}`);
    assert.equal(thread.status, 200, thread.text);
    assert.equal(thread.json.id, header!.id);
    assert.deepEqual(thread.json.messages.map((m) => m.body), ['Can I return the crutches?']);
    assert.ok(!thread.json.messages[0]!.id.startsWith('local-'));

    const appts = (await maria.get<{ items: { id: string }[] }>('/api/appointments')).json.items.map((a) => a.id);
    assert.ok(appts.includes(appt!.id!) && !appts.includes(req.json.id), 'the request once, as the EHR has it');
    const docs = (await maria.get<{ items: { id: string }[] }>('/api/documents')).json.items.map((d) => d.id);
    assert.ok(docs.includes(doc!.id!) && !docs.includes(up.json.id), 'the upload once, as the EHR has it');

    // Delivery then finds its earlier work (conditional create) and nothing is made twice.
    await drain();
    assert.equal((await byWriteId('Communication', `${msg.json.id}-header`)).length, 1);
    assert.equal((await byWriteId('Appointment', `${req.json.id}-appointment`)).length, 1);
    assert.equal((await byWriteId('DocumentReference', `${up.json.id}-document`)).length, 1);
  });

  it("a running worker sends a write as soon as it is stored, not at its next poll", async () => {
    // A poll far longer than this test: only the nudge from the write can make it deliver in time.
    const eager = new OutboxWorker(portal.services, { pollMs: 3_600_000, backoff: { baseMs: 1, capMs: 5 } });
    eager.start();
    try {
      await new Promise((r) => setTimeout(r, 300)); // its first round finds nothing and it sleeps
      const r = await maria.post('/api/messages', { purpose: 'other', subject: 'Nudge', body: 'Sent while the worker sleeps' });
      assert.equal(r.status, 202, r.text);
      let status: string | undefined;
      for (let i = 0; i < 100 && status !== 'delivered'; i++) {
        await new Promise((res) => setTimeout(res, 100));
        status = (await portal.services.outbox.localWrites('sandbox', patient, { kinds: ['message'] })).find((w) => w.id === r.json.id)?.status;
      }
      assert.equal(status, 'delivered');
      assert.equal((await byWriteId('Communication', `${r.json.id}-message`)).length, 1);
    } finally {
      await eager.stop();
    }
  });

  it('a retry after a lost response does not duplicate (conditional create on the write identifier)', async () => {
    const r = await maria.post('/api/messages', { purpose: 'billing', subject: 'Invoice', body: 'Which invoice is current?' });
    assert.equal(r.status, 202);
    await drain();
    // As if the EHR's answers had been lost: the row forgets what it learned and is tried again.
    await portal.db.query(`UPDATE outbox_item SET status = 'sending', result = '{}'::jsonb, ehr_thread_id = NULL WHERE id = $1`, [r.json.id]);
    await drain();
    assert.equal((await byWriteId('Communication', `${r.json.id}-header`)).length, 1);
    assert.equal((await byWriteId('Communication', `${r.json.id}-message`)).length, 1);
    const [w] = (await portal.services.outbox.localWrites('sandbox', patient)).filter((x) => x.id === r.json.id);
    assert.equal(w?.status, 'delivered');
  });

  it('while the EHR is down the write waits ("retrying"), then goes out once when it is back', async () => {
    const r = await maria.post('/api/messages', { purpose: 'other', subject: 'Down test', body: 'Sent while the EHR is down' });
    portal.sandbox!.faults.down = true;
    try {
      await worker.runOnce();
      const [w] = (await portal.services.outbox.localWrites('sandbox', patient)).filter((x) => x.id === r.json.id);
      assert.equal(w?.status, 'retrying');
      assert.equal(w?.waitingReason, 'ehr_unavailable');
    } finally {
      portal.sandbox!.faults.down = false;
    }
    await new Promise((res) => setTimeout(res, 20));
    await drain();
    const [w] = (await portal.services.outbox.localWrites('sandbox', patient)).filter((x) => x.id === r.json.id);
    assert.equal(w?.status, 'delivered');
    assert.equal((await byWriteId('Communication', `${r.json.id}-message`)).length, 1);
  });

  it('once a delivery shows the EHR is back, writes waiting out a long backoff go at once', async () => {
    // Ten minutes to wait after a failure: only the recovery can bring the first write forward.
    const slow = new OutboxWorker(portal.services, { pollMs: 50, backoff: { baseMs: 600_000, capMs: 600_000 }, random: () => 0.99 });
    const first = await maria.post('/api/messages', { purpose: 'other', subject: 'Long wait', body: 'Sent early in the outage' });
    portal.sandbox!.faults.down = true;
    try {
      await slow.runOnce();
    } finally {
      portal.sandbox!.faults.down = false;
    }
    const statusOf = async (id: string) => (await portal.services.outbox.localWrites('sandbox', patient)).find((x) => x.id === id)?.status;
    assert.equal(await statusOf(first.json.id), 'retrying');
    const second = await maria.post('/api/messages', { purpose: 'other', subject: 'After', body: 'Sent once it was back' });
    await slow.runOnce(); // only the second is due; its delivery shows the EHR answers again
    assert.equal(await statusOf(second.json.id), 'delivered');
    await slow.runOnce();
    assert.equal(await statusOf(first.json.id), 'delivered', 'the first did not wait out its ten minutes');
  });

  it('replies into an EHR thread of the patient; another patient\'s or an unknown thread is 404 and writes nothing', async () => {
    const threads = (await search<Communication>('Communication', { patient: `Patient/${patient}` })).filter((c) => !c.partOf && !(c.identifier ?? []).length);
    const otherThreads = (await search<Communication>('Communication', { patient: `Patient/${other.session!.patient.id}` })).filter((c) => !c.partOf);
    assert.ok(threads.length > 0 && otherThreads.length > 0, 'the seed has threads for both patients');
    const before = await counts();
    for (const id of [otherThreads[0]!.id!, 'no-such-thread', 'local-00000000-0000-4000-8000-000000000000']) {
      const x = await maria.post(`/api/messages/${id}/replies`, { body: 'hello' });
      assert.equal(x.status, 404, `${id}: ${x.text}`);
      assert.equal(x.json.code ?? x.json.error?.code ?? 'thread_not_found', 'thread_not_found');
    }
    assert.deepEqual(await counts(), before);
    const ok = await maria.post(`/api/messages/${threads[0]!.id}/replies`, { body: 'Thank you, doctor.' });
    assert.equal(ok.status, 202, ok.text);
    await drain();
    const [msg] = await byWriteId<Communication>('Communication', `${ok.json.id}-message`);
    assert.deepEqual(msg?.partOf, [{ reference: `Communication/${threads[0]!.id}` }]);
    assert.equal(msg?.inResponseTo?.length, 1);
  });

  it('invalid input gets a 4xx naming the field and changes nothing', async () => {
    const before = await counts();
    const cases: [unknown, string][] = [
      [{ subject: 's', body: 'b' }, 'purpose'],
      [{ purpose: 'no-such-purpose', subject: 's', body: 'b' }, 'purpose'],
      [{ purpose: 'other', subject: 's', body: '' }, 'body'],
      [{ purpose: 'other', subject: 'x'.repeat(100_000), body: 'b' }, 'subject'],
      [{ purpose: 'other', subject: 's', body: 'x'.repeat(5001) }, 'body'],
    ];
    for (const [body, field] of cases) {
      const x = await maria.post('/api/messages', body);
      assert.ok(x.status >= 400 && x.status < 500, `${JSON.stringify(body).slice(0, 50)} -> ${x.status}`);
      assert.ok(x.text.includes(field), `${field} named in ${x.text.slice(0, 200)}`);
    }
    const disguised = new FormData();
    disguised.set('purpose', 'other');
    disguised.set('subject', 's');
    disguised.set('body', 'b');
    disguised.append('attachments', new Blob([Buffer.from('I am text, not a PDF')], { type: 'application/pdf' }), 'report.pdf');
    const d = await maria.postForm('/api/messages', disguised);
    assert.ok(d.status === 415 || d.status === 422, `${d.status} ${d.text}`);
    assert.ok(d.text.includes('attachments.0'), d.text);
    const many = new FormData();
    many.set('purpose', 'other');
    many.set('subject', 's');
    many.set('body', 'b');
    for (let i = 0; i < 4; i++) many.append('attachments', new Blob([PDF], { type: 'application/pdf' }), `f${i}.pdf`);
    const m = await maria.postForm('/api/messages', many);
    assert.ok(m.status >= 400 && m.status < 500, `${m.status}`);
    assert.ok(m.text.includes('attachments'), m.text);
    const noCsrf = await maria.post('/api/messages', { purpose: 'other', subject: 's', body: 'b' }, { 'x-csrf-token': '' });
    assert.equal(noCsrf.status, 403);
    assert.deepEqual(await counts(), before);
  });

  it('an appointment request lands as a proposed Appointment and can be cancelled before it is booked', async () => {
    const day = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const r = await maria.post('/api/appointment-requests', { reason: 'Knee pain when climbing stairs', visitType: 'video', preferred: [{ date: day, partOfDay: 'morning' }] });
    assert.equal(r.status, 202, r.text);
    // cancelled before delivery: queued behind the request it cancels
    const c = await maria.post(`/api/appointment-requests/${r.json.id}/cancel`, {});
    assert.equal(c.status, 202, c.text);
    await drain();
    const [appt] = await byWriteId<Appointment>('Appointment', `${r.json.id}-appointment`);
    assert.ok(appt);
    conforms({ ...appt, status: 'proposed' } as Appointment, PROFILES.appointment);
    // Cancelling is an update: it needs Appointment update ("u") in the granted scopes.
    const scopes = (maria.session!.scopes as string[]).join(' ');
    const [cancel] = (await portal.services.outbox.localWrites('sandbox', patient, { kinds: ['cancel'] })).filter((x) => x.id === c.json.id);
    if (/patient\/(Appointment|\*)\.c?r?u|patient\/(Appointment|\*)\.write/.test(scopes)) {
      assert.equal(cancel?.status, 'delivered');
      assert.equal(appt.status, 'cancelled');
    } else {
      assert.equal(cancel?.status, 'rejected', 'without the scope the EHR refuses and the patient is told');
      assert.ok(cancel?.rejectionReason);
      assert.equal(appt.status, 'proposed');
    }
    assert.equal(appt.extension?.[0]?.valueBoolean, true);
    assert.equal(appt.reasonCode?.[0]?.text, 'Knee pain when climbing stairs');

    // booked by the clinic in the meantime: the cancellation is refused with the reason kept
    const r2 = await maria.post('/api/appointment-requests', { reason: 'Check-up', visitType: 'in-person', preferred: [{ date: day, partOfDay: 'any' }] });
    await drain();
    const [appt2] = await byWriteId<Appointment>('Appointment', `${r2.json.id}-appointment`);
    assert.equal(appt2?.status, 'proposed');
    conforms(appt2!, PROFILES.appointment);
    const c2 = await maria.post(`/api/appointment-requests/${appt2!.id}/cancel`, {});
    assert.equal(c2.status, 202, c2.text);
    await repo().updateResource({ ...(appt2 as never as Appointment), status: 'booked' } as never);
    await drain();
    const [w] = (await portal.services.outbox.localWrites('sandbox', patient, { kinds: ['cancel'] })).filter((x) => x.id === c2.json.id);
    assert.equal(w?.status, 'rejected');
    assert.match(w?.rejectionReason ?? '', /already booked/);
    // The patient's page says so: the appointment as the clinic booked it, not cancelled, and why.
    type Appt = { id: string; group: string; status: string; statusLabel: string; delivery: { status: string; note: string | null } | null };
    const listed = (await maria.get<{ items: Appt[] }>('/api/appointments')).json.items.find((a) => a.id === appt2!.id);
    assert.equal(listed?.status, 'booked');
    assert.equal(listed?.statusLabel, 'Not cancelled: the clinic could not cancel this');
    assert.equal(listed?.delivery?.status, 'rejected');
    assert.match(listed?.delivery?.note ?? '', /already booked/);
  });

  it('an upload lands as a DocumentReference with its Binary', async () => {
    // Sent as application/octet-stream: the type is read from the file's bytes.
    const r = await uploadPdf('insurance-card', 'New insurance card', 'card.pdf', 'application/octet-stream');
    assert.equal(r.status, 202, r.text);
    await drain();
    const [doc] = await byWriteId<DocumentReference>('DocumentReference', `${r.json.id}-document`);
    assert.ok(doc);
    conforms(doc, PROFILES.upload);
    assert.equal(doc.content[0]?.attachment.title, 'card.pdf');
    const bin = (await repo().readResource('Binary', doc.content[0]!.attachment.url!.split('/')[1]!)) as unknown as Binary;
    assert.equal(bin.contentType, 'application/pdf');
    assert.equal(Buffer.from(bin.data!, 'base64').equals(PDF), true);
    // The EHR holds the file now: the local copy keeps what the lists need, not the bytes.
    const [kept] = await portal.services.outbox.localWrites('sandbox', patient, { kinds: ['upload'] }).then((ws) => ws.filter((w) => w.id === r.json.id));
    assert.ok(kept?.payload.kind === 'upload');
    assert.deepEqual(kept.payload.file, { filename: 'card.pdf', contentType: 'application/pdf', size: PDF.length, data: '' });
    assert.equal(kept.payload.description, 'New insurance card');
  });

  it('after sign-out the write waits for the next sign-in, then goes out with the new session', async () => {
    const b = new TestBrowser(portal.url);
    await b.launch(patient);
    const r = await b.post('/api/messages', { purpose: 'other', subject: 'After sign-out', body: 'Sent just before signing out' });
    assert.equal(r.status, 202);
    // every active session of this viewer ends
    await portal.db.query(`UPDATE portal_session SET ended_at = now(), end_reason = 'logout', secrets = NULL WHERE patient_id = $1`, [patient]);
    await worker.runOnce();
    let [w] = (await portal.services.outbox.localWrites('sandbox', patient)).filter((x) => x.id === r.json.id);
    assert.equal(w?.status, 'retrying');
    assert.equal(w?.waitingReason, 'waiting_for_signin');
    assert.equal(await worker.runOnce(), 0, 'not retried before a sign-in appears');
    await new TestBrowser(portal.url).launch(patient);
    await drain();
    [w] = (await portal.services.outbox.localWrites('sandbox', patient)).filter((x) => x.id === r.json.id);
    assert.equal(w?.status, 'delivered');
    await maria.launch(patient);
  });

  it('reports depth and age on the metrics', async () => {
    await worker.updateGauges();
    const text = await portal.services.metrics.registry.metrics();
    assert.match(text, /outbox_depth\{status="delivered"\} [1-9]/);
    assert.match(text, /outbox_depth\{status="sending"\} 0/);
  });
});
