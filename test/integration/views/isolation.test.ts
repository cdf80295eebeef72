import assert from 'node:assert/strict';
import type { Communication } from 'fhir/r4.js';
import { parseSearchRequest } from '@medplum/core';
import { WRITE_IDENTIFIER_SYSTEM } from '../../../src/outbox/types.js';
import { TestBrowser } from '../helpers/browser.js';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';

const LISTS = ['/api/messages', '/api/appointments', '/api/results', '/api/documents'] as const;

interface Record_ {
  ids: Map<string, Set<string>>;
  threads: string[];
  results: string[];
  documents: string[];
  appointments: string[];
  attachments: string[];
}

/** Every id a viewer can see in each list, plus the download routes of their attachments. */
async function collect(b: TestBrowser): Promise<Record_> {
  const ids = new Map<string, Set<string>>();
  for (const l of LISTS) {
    const r = await b.get(l);
    assert.equal(r.status, 200, `${l}: ${r.text}`);
    ids.set(l, new Set(r.json.items.map((i: { id: string }) => i.id)));
  }
  const attachments: string[] = [];
  for (const t of ids.get('/api/messages')!) {
    const thread = await b.get(`/api/messages/${t}`);
    for (const m of thread.json.messages as { id: string; attachments: unknown[] }[]) {
      m.attachments.forEach((_a, i) => attachments.push(`/api/messages/${m.id}/attachments/${i}`));
    }
  }
  return {
    ids,
    threads: [...ids.get('/api/messages')!],
    results: [...ids.get('/api/results')!],
    documents: [...ids.get('/api/documents')!],
    appointments: [...ids.get('/api/appointments')!],
    attachments,
  };
}

describe('patients never see each other’s data (sandbox seed, real HTTP)', function () {
  this.timeout(120_000);
  let portal: TestPortal;
  let maria: TestBrowser;
  let robert: TestBrowser;
  let mine: Record_;
  let theirs: Record_;

  before(async () => {
    portal = await startTestPortal();
    maria = new TestBrowser(portal.url);
    robert = new TestBrowser(portal.url);
    await maria.launch('maria-lopez');
    await robert.launch('robert-okafor');
    mine = await collect(maria);
    theirs = await collect(robert);
    // The other patient's record is not empty, so each check below has something to refuse.
    for (const [l, set] of theirs.ids) assert.ok(set.size > 0, `Robert's ${l} is empty`);
  });
  after(async () => portal?.stop());

  it('the lists do not overlap', () => {
    for (const l of LISTS) {
      const overlap = [...theirs.ids.get(l)!].filter((id) => mine.ids.get(l)!.has(id));
      assert.deepEqual(overlap, [], l);
    }
  });

  it('another patient’s thread, result, result form and appointment answer 404', async () => {
    assert.ok(theirs.threads.length > 0 && theirs.results.length > 0 && theirs.appointments.length > 0);
    for (const id of theirs.threads) assert.equal((await maria.get(`/api/messages/${id}`)).status, 404, id);
    for (const id of theirs.results) {
      assert.equal((await maria.get(`/api/results/${id}`)).status, 404, id);
      assert.equal((await maria.request(`/api/results/${id}/form/0`)).status, 404, id);
    }
    for (const id of theirs.appointments) assert.equal((await maria.request(`/api/appointments/${id}/calendar.ics`)).status, 404, id);
  });

  it('another patient’s document content answers 404, and the FHIR ids behind it do too', async () => {
    assert.ok(theirs.documents.length > 0);
    for (const id of theirs.documents) {
      const r = await maria.request(`/api/documents/${id}/content`);
      assert.equal(r.status, 404, id);
      assert.doesNotMatch(r.headers.get('content-type') ?? '', /pdf|text\/plain/);
      assert.doesNotMatch(await r.text(), /%PDF/);
    }
    // Robert's own document downloads for him: the 404s above are about who asks.
    const own = await robert.request(`/api/documents/${theirs.documents[0]}/content`);
    assert.equal(own.status, 200);
    await own.body?.cancel();
  });

  it('another patient’s message attachment answers 404', async () => {
    // Maria's thread has a PDF handout: Robert asks for it by its route.
    assert.ok(mine.attachments.length > 0);
    for (const path of mine.attachments) {
      assert.equal((await robert.request(path)).status, 404, path);
      const ok = await maria.request(path);
      assert.equal(ok.status, 200, path);
      await ok.body?.cancel();
    }
  });

  it('a proxy cannot open the minor’s confidential thread by its id', async () => {
    const emma = new TestBrowser(portal.url);
    await emma.launch('emma-nguyen');
    const proxy = new TestBrowser(portal.url);
    await proxy.launch('emma-nguyen', 'rp-linh-nguyen');
    const hers = new Set((await emma.get('/api/messages')).json.items.map((t: { id: string }) => t.id));
    const visible = new Set((await proxy.get('/api/messages')).json.items.map((t: { id: string }) => t.id));
    const hidden = [...hers].filter((id) => !visible.has(id));
    assert.ok(hidden.length >= 1, 'the confidential thread is hidden from the proxy');
    for (const id of hidden) {
      const r = await proxy.get(`/api/messages/${id}`);
      assert.equal(r.status, 404);
      assert.equal(r.json.error.code, 'thread_not_found');
      // Nor write into it: the reply is refused as for a thread that does not exist, and nothing is kept.
      const reply = await proxy.post(`/api/messages/${id}/replies`, { body: 'Is everything all right?' });
      assert.equal(reply.status, 404, reply.text);
      assert.equal(reply.json.error.code, 'thread_not_found');
    }
    // The proxy may write into the threads it sees.
    const open = [...visible][0]!;
    assert.equal((await proxy.post(`/api/messages/${open}/replies`, { body: 'Thanks for the form.' })).status, 202);
  });

  it('a reply the minor writes in her confidential thread stays hidden from the proxy, before and after the EHR has it', async () => {
    const emma = new TestBrowser(portal.url);
    await emma.launch('emma-nguyen');
    const proxy = new TestBrowser(portal.url);
    await proxy.launch('emma-nguyen', 'rp-linh-nguyen');
    type Thread = { id: string; messages: { body: string; status: string }[] };
    const visible = new Set((await proxy.get('/api/messages')).json.items.map((t: { id: string }) => t.id));
    const hidden = (await emma.get('/api/messages')).json.items.map((t: { id: string }) => t.id).find((id: string) => !visible.has(id));
    assert.ok(hidden, 'a thread hidden from the proxy');
    const body = `Thank you, I took it this morning (${Date.now()}).`;
    const sent = await emma.post(`/api/messages/${hidden}/replies`, { body });
    assert.equal(sent.status, 202, sent.text);
    /** Everything the proxy can read: every thread listed, and every message in them. */
    const proxyReads = async () => {
      const list = await proxy.get('/api/messages');
      assert.equal(list.status, 200, list.text);
      const bodies: string[] = [JSON.stringify(list.json)];
      for (const t of list.json.items as { id: string }[]) bodies.push(JSON.stringify((await proxy.get<Thread>(`/api/messages/${t.id}`)).json));
      return { ids: (list.json.items as { id: string }[]).map((t) => t.id), text: bodies.join('\n') };
    };
    const before = await proxyReads();
    assert.ok(!before.ids.includes(hidden), 'the thread stays hidden while the reply is on its way');
    assert.doesNotMatch(before.text, /I took it this morning/);
    let status = '';
    for (let i = 0; i < 100 && status !== 'delivered'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await emma.get<Thread>(`/api/messages/${hidden}`)).json.messages.find((m) => m.body === body)?.status ?? '';
    }
    assert.equal(status, 'delivered');
    // The EHR's copy carries the thread's labels, for every other system that reads it.
    const repo = portal.sandbox!.repo;
    const header = (await repo.readResource('Communication', hidden)) as unknown as Communication;
    const found = await repo.search(parseSearchRequest('Communication', { identifier: `${WRITE_IDENTIFIER_SYSTEM}|${sent.json.id}-message` }));
    const copy = found.entry?.[0]?.resource as unknown as Communication;
    const labels = (c: Communication) => (c.meta?.security ?? []).map((l) => `${l.system}|${l.code}`).sort();
    assert.ok(labels(header).length > 0);
    assert.deepEqual(labels(copy), labels(header));
    const after = await proxyReads();
    assert.ok(!after.ids.includes(hidden));
    assert.doesNotMatch(after.text, /I took it this morning/, 'the EHR copy of the reply is hidden from the proxy too');
    assert.deepEqual(after.ids.sort(), [...visible].sort(), 'the proxy sees the same threads as before');
  });

  it('the minor\'s confidential visit is on her calendar, and nowhere in her proxy\'s', async () => {
    const emma = new TestBrowser(portal.url);
    await emma.launch('emma-nguyen');
    const proxy = new TestBrowser(portal.url);
    await proxy.launch('emma-nguyen', 'rp-linh-nguyen');
    type Appt = { id: string; title: string };
    const hers = (await emma.get<{ items: Appt[] }>('/api/appointments')).json.items;
    const theirs = (await proxy.get<{ items: Appt[] }>('/api/appointments')).json.items;
    const hidden = hers.filter((a) => !theirs.some((t) => t.id === a.id));
    assert.deepEqual(hidden.map((a) => a.title), ['Follow-up visit with Dr. Chen']);
    assert.ok(theirs.length > 0, 'the proxy still sees her other visits');
    assert.ok(theirs.every((t) => hers.some((a) => a.id === t.id)));
    const { id } = hidden[0]!;
    assert.equal((await emma.request(`/api/appointments/${id}/calendar.ics`)).status, 200);
    assert.equal((await proxy.request(`/api/appointments/${id}/calendar.ics`)).status, 404);
    const cancel = await proxy.post(`/api/appointment-requests/${id}/cancel`, {});
    assert.equal(cancel.status, 404, cancel.text);
    assert.equal(cancel.json.error.code, 'appointment_not_found');
    const summary = await proxy.get('/api/summary');
    assert.equal(summary.status, 200);
    assert.doesNotMatch(summary.text, new RegExp(`${id}|Follow-up visit with Dr\\. Chen`));
    assert.match((await emma.get('/api/summary')).text, new RegExp(id));
  });

  it('a proxy\'s activity page lists what the proxy did, never when the minor signed in or wrote', async () => {
    const emma = new TestBrowser(portal.url);
    await emma.launch('emma-nguyen');
    assert.equal((await emma.post('/api/messages', { purpose: 'other', subject: 'Question', body: 'Can I come in alone next time?' })).status, 202);
    const proxy = new TestBrowser(portal.url);
    await proxy.launch('emma-nguyen', 'rp-linh-nguyen');
    await proxy.get('/api/results');
    type Item = { action: string; who: { kind: string } };
    const theirs = await proxy.get<{ scope: string; items: Item[] }>('/api/activity');
    assert.equal(theirs.status, 200);
    assert.equal(theirs.json.scope, 'viewer');
    assert.ok(theirs.json.items.some((i) => i.action === 'read'), 'the proxy\'s own reads are listed');
    assert.ok(theirs.json.items.every((i) => i.who.kind === 'proxy'), JSON.stringify(theirs.json.items.map((i) => i.who.kind)));
    const hers = await emma.get<{ scope: string; items: Item[] }>('/api/activity');
    assert.equal(hers.json.scope, 'record');
    const kinds = new Set(hers.json.items.map((i) => i.who.kind));
    assert.ok(kinds.has('patient') && kinds.has('proxy'), 'the patient sees her own activity and her proxy\'s');
    assert.ok(hers.json.items.some((i) => i.action === 'write' && i.who.kind === 'patient'));
    // Older entries page by page: everything before a given entry, and a clear error for a bad one.
    type Seq = { seq: number };
    const all = (await emma.get<{ items: Seq[] }>('/api/activity')).json.items;
    const pivot = all[Math.floor(all.length / 2)]!.seq;
    const older = await emma.get<{ items: Seq[]; older: number | null }>(`/api/activity?before=${pivot}`);
    assert.equal(older.status, 200);
    assert.ok(older.json.items.length > 0 && older.json.items.every((i) => i.seq < pivot));
    assert.equal(older.json.older, null, 'fewer than a page left');
    const bad = await emma.get('/api/activity?before=abc');
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys(bad.json.error.fields), ['before']);
  });

  it('a conversation held for the patient is counted on her inbox and home page, never shown', async () => {
    const repo = portal.sandbox!.repo;
    const held = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'NOPAT' };
    const header = (await repo.createResource({
      resourceType: 'Communication', status: 'completed', meta: { security: [held] }, subject: { reference: 'Patient/maria-lopez' },
      topic: { text: 'Held topic words' }, sent: new Date().toISOString(), payload: [{ contentString: 'Held body words' }],
    } as never)) as unknown as Communication;
    await repo.createResource({
      resourceType: 'Communication', status: 'completed', subject: { reference: 'Patient/maria-lopez' }, partOf: [{ reference: `Communication/${header.id}` }],
      sent: new Date().toISOString(), payload: [{ contentString: 'Unlabelled reply words' }],
    } as never);
    try {
      const list = await maria.get<{ held: number; items: { id: string }[] }>('/api/messages');
      assert.equal(list.json.held, 1, 'one held conversation, however many messages it has');
      assert.ok(!list.json.items.some((t) => t.id === header.id));
      assert.doesNotMatch(list.text, /Held topic words|Held body words|Unlabelled reply words/);
      const home = await maria.get<{ messages: { held: number } }>('/api/summary');
      assert.equal(home.json.messages.held, 1);
      assert.equal((await maria.get(`/api/messages/${header.id}`)).status, 404);
      // Another patient is not told of it.
      assert.equal((await robert.get<{ held: number }>('/api/messages')).json.held, 0);
    } finally {
      await repo.deleteResource('Communication', header.id!);
    }
  });

  it('the launch patient is the only one any search names, whatever the query string says', async () => {
    const r = await maria.get('/api/results?patient=robert-okafor&subject=Patient/robert-okafor');
    assert.equal(r.status, 200);
    assert.deepEqual(new Set(r.json.items.map((i: { id: string }) => i.id)), mine.ids.get('/api/results'));
  });
});
