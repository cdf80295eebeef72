import assert from 'node:assert/strict';
import { TestBrowser } from '../helpers/browser.js';
import { startTestPortal, type TestPortal } from '../helpers/test-portal.js';

const HOUR = 3_600_000;

/** Downloads a body as bytes, with the headers that matter to a browser. */
async function download(b: TestBrowser, path: string): Promise<{ status: number; type: string | null; disposition: string | null; bytes: Buffer }> {
  const res = await b.request(path);
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), bytes: Buffer.from(await res.arrayBuffer()) };
}

/** A Content-Disposition a browser saves safely: attachment, one plain filename, no path or quotes inside. */
function assertSafeDisposition(value: string | null, extension: string): void {
  assert.ok(value, 'Content-Disposition is set');
  const m = /^attachment; filename="([A-Za-z0-9_-]+)\.([a-z]+)"$/.exec(value);
  assert.ok(m, `unsafe or unexpected Content-Disposition: ${value}`);
  assert.equal(m[2], extension);
}

describe('patient views end to end (sandbox seed, real HTTP)', function () {
  this.timeout(120_000);
  let portal: TestPortal;
  let maria: TestBrowser;
  let now: Date;

  before(async () => {
    portal = await startTestPortal();
    maria = new TestBrowser(portal.url);
    await maria.launch('maria-lopez');
    now = portal.services.clock();
  });
  after(async () => portal?.stop());

  it('summary: counts agree with the lists, next appointments in order, newest thread first', async () => {
    const [summary, threads, appts, results] = await Promise.all(['/api/summary', '/api/messages', '/api/appointments', '/api/results'].map((p) => maria.get(p)));
    for (const r of [summary, threads, appts, results]) assert.equal(r!.status, 200, r!.text);
    const s = summary!.json;
    assert.equal(s.cut, false);
    assert.equal(s.messages.unread, threads!.json.items.reduce((n: number, t: { unread: number }) => n + t.unread, 0));
    assert.ok(s.messages.unread >= 1);
    assert.equal(s.messages.newestThread.id, threads!.json.items[0].id);
    const upcoming = appts!.json.items.filter((a: { group: string }) => a.group === 'upcoming');
    assert.deepEqual(
      s.appointments.next.map((a: { id: string }) => a.id),
      upcoming.slice(0, 3).map((a: { id: string }) => a.id),
    );
    const starts = s.appointments.next.map((a: { start: { iso: string } }) => Date.parse(a.start.iso));
    assert.deepEqual(starts, [...starts].sort((a, b) => a - b));
    assert.ok(starts.every((t: number) => t > now.getTime()));
    const pending = results!.json.items.filter((i: { status: string }) => i.status === 'pending').length;
    assert.equal(s.results.pending, pending);
    assert.ok(s.results.pending >= 2, 'the held HIV test and the preliminary culture');
  });

  it('messages: threads with staff and patient senders, an attachment and an unread reply', async () => {
    const list = await maria.get('/api/messages');
    assert.equal(list.status, 200);
    assert.equal(list.json.skipped, 0);
    assert.ok(list.json.items.length >= 3);
    const kinds = new Set(list.json.items.flatMap((t: { participants: { kind: string }[] }) => t.participants.map((p) => p.kind)));
    assert.ok(kinds.has('patient') && kinds.has('staff'), [...kinds].join());
    const unread = list.json.items.filter((t: { unread: number }) => t.unread > 0);
    assert.ok(unread.length >= 1);

    const thread = await maria.get(`/api/messages/${unread[0].id}`);
    assert.equal(thread.status, 200);
    assert.equal(thread.json.messages.length, thread.json.messageCount);
    const fromStaff = thread.json.messages.filter((m: { from: { kind: string } }) => m.from.kind === 'staff');
    const fromMe = thread.json.messages.filter((m: { from: { kind: string; self: boolean } }) => m.from.kind === 'patient' && m.from.self);
    assert.ok(fromStaff.length >= 1 && fromMe.length >= 1);
    assert.ok(thread.json.messages.some((m: { unread: boolean; from: { kind: string } }) => m.unread && m.from.kind === 'staff'));
    const sent = thread.json.messages.map((m: { sent: { iso: string } }) => Date.parse(m.sent.iso));
    assert.deepEqual(sent, [...sent].sort((a, b) => a - b), 'messages oldest first');

    // The thread whose clinician reply carries a PDF handout.
    let withAttachment: { id: string; attachments: { contentType: string; title: string; url: string | null }[] } | undefined;
    for (const t of list.json.items) {
      const full = await maria.get(`/api/messages/${t.id}`);
      withAttachment ??= full.json.messages.find((m: { attachments: unknown[] }) => m.attachments.length > 0);
    }
    assert.ok(withAttachment, 'a message with an attachment');
    assert.equal(withAttachment.attachments[0]!.contentType, 'application/pdf');
    assert.equal(withAttachment.attachments[0]!.url, `/api/messages/${withAttachment.id}/attachments/0`, 'the handout links to the attachment route');
    const file = await download(maria, withAttachment.attachments[0]!.url!);
    assert.equal(file.status, 200);
    assert.equal(file.type, 'application/pdf');
    assertSafeDisposition(file.disposition, 'pdf');
    assert.equal(file.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.equal((await download(maria, `/api/messages/${withAttachment.id}/attachments/7`)).status, 404);
  });

  it('a thread id that does not exist answers 404 with a code', async () => {
    const r = await maria.get('/api/messages/no-such-thread');
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, 'thread_not_found');
  });

  it('appointments: upcoming (one 24–30 h ahead, with a place), past, requested, cancelled; .ics parses', async () => {
    const r = await maria.get('/api/appointments');
    assert.equal(r.status, 200);
    const { items, counts } = r.json as { items: { id: string; group: string; start: { iso: string } | null; location: { name: string; address: string } | null; requestedPeriods: unknown[] }[]; counts: Record<string, number> };
    for (const g of ['upcoming', 'past', 'requested', 'cancelled']) {
      assert.ok(counts[g]! >= 1, `a ${g} appointment`);
      assert.equal(items.filter((a) => a.group === g).length, counts[g]);
    }
    const tomorrow = items.find((a) => a.group === 'upcoming' && a.start && Date.parse(a.start.iso) - now.getTime() >= 24 * HOUR && Date.parse(a.start.iso) - now.getTime() <= 30 * HOUR);
    assert.ok(tomorrow, 'an appointment 24–30 h ahead');
    assert.ok(tomorrow.location?.name);
    assert.match(tomorrow.location!.address, /\d{5}/);
    for (const a of items.filter((x) => x.group === 'past')) assert.ok(Date.parse(a.start!.iso) < now.getTime());
    assert.ok(items.find((a) => a.group === 'requested')!.requestedPeriods.length >= 1);

    const ics = await maria.request(`/api/appointments/${tomorrow.id}/calendar.ics`);
    assert.equal(ics.status, 200);
    assert.match(ics.headers.get('content-type') ?? '', /^text\/calendar/);
    const text = await ics.text();
    const lines = text.split('\r\n');
    assert.equal(lines[0], 'BEGIN:VCALENDAR');
    assert.ok(lines.includes('BEGIN:VEVENT') && lines.includes('END:VEVENT'));
    const dtstart = lines.find((l) => l.startsWith('DTSTART'));
    assert.ok(dtstart, text);
    const m = /DTSTART(?:;[^:]*)?:(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(dtstart);
    assert.ok(m, dtstart);
    assert.equal(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!), Date.parse(tomorrow.start!.iso));
    assert.equal((await maria.request('/api/appointments/appt-nope/calendar.ics')).status, 404);
  });

  it('results: lipid panel released with values and ranges, CBC low value in words, HbA1c trend, held items nameless', async () => {
    const r = await maria.get('/api/results');
    assert.equal(r.status, 200);
    assert.equal(r.json.skipped, 0);
    const items = r.json.items as Record<string, any>[];
    const lipid = items.find((i) => i.status === 'available' && /Lipid panel/.test(i.name));
    assert.ok(lipid, 'lipid panel is released at once');
    assert.equal(lipid.resultCount, 4);
    const lipidDetail = await maria.get(`/api/results/${lipid.id}`);
    assert.equal(lipidDetail.status, 200);
    for (const row of lipidDetail.json.results) {
      assert.equal(typeof row.numeric, 'number', row.name);
      assert.ok(row.unit, row.name);
      assert.ok(row.range && (row.range.low !== undefined || row.range.high !== undefined), `${row.name} has a range`);
      assert.ok(row.range.text);
    }
    const cholesterol = lipidDetail.json.results.find((x: { code: string }) => x.code === '2093-3');
    assert.equal(cholesterol.numeric, 212);
    assert.equal(cholesterol.interpretation.label, 'High');

    const cbc = items.find((i) => i.status === 'available' && /CBC/.test(i.name));
    assert.ok(cbc);
    const cbcDetail = await maria.get(`/api/results/${cbc.id}`);
    const low = cbcDetail.json.results.filter((x: { interpretation: { code: string } | null }) => x.interpretation?.code === 'L');
    assert.equal(low.length, 1);
    assert.equal(low[0].interpretation.label, 'Low');
    assert.equal(low[0].interpretation.severity, 'abnormal');
    assert.ok(low[0].numeric < low[0].range.low);

    const a1c = r.json.trends.find((t: { code: string }) => t.code === '4548-4');
    assert.ok(a1c, 'HbA1c trend');
    assert.ok(a1c.points.length >= 6, `${a1c.points.length} points`);
    const at = a1c.points.map((p: { at: string }) => Date.parse(p.at));
    assert.deepEqual(at, [...at].sort((x, y) => x - y));

    const pending = items.filter((i) => i.status === 'pending');
    assert.ok(pending.length >= 2);
    for (const p of pending) {
      assert.deepEqual(Object.keys(p).sort(), ['category', 'explanation', 'id', 'issued', 'releaseAt', 'status'].sort(), JSON.stringify(p));
      assert.doesNotMatch(JSON.stringify(p), /HIV|75622-1|Bacteria|negative|Gram/i);
      const detail = await maria.get(`/api/results/${p.id}`);
      assert.equal(detail.status, 200);
      assert.equal(detail.json.status, 'pending');
      assert.equal(detail.json.results, undefined);
    }
  });

  it('result detail of an unknown id is 404', async () => {
    const r = await maria.get('/api/results/dr-unknown');
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, 'result_not_found');
  });

  it('documents: a PDF downloads with its type, a safe filename and PDF bytes', async () => {
    const r = await maria.get('/api/documents');
    assert.equal(r.status, 200);
    const pdf = r.json.items.find((d: { contentType?: string }) => d.contentType === 'application/pdf');
    assert.ok(pdf, 'a PDF document');
    assert.equal(pdf.url, `/api/documents/${pdf.id}/content`);
    const file = await download(maria, pdf.url);
    assert.equal(file.status, 200);
    assert.equal(file.type, 'application/pdf');
    assertSafeDisposition(file.disposition, 'pdf');
    assert.equal(file.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.equal(file.bytes.length, pdf.size);
    // "View" opens it in the browser, still sandboxed; anything but inline or attachment is refused.
    const view = await maria.request(`${pdf.url}?disposition=inline`);
    assert.equal(view.status, 200);
    assert.match(view.headers.get('content-disposition') ?? '', /^inline; filename="[A-Za-z0-9_-]+\.pdf"$/);
    assert.match(view.headers.get('content-security-policy') ?? '', /sandbox/);
    await view.arrayBuffer();
    const bad = await maria.get(`${pdf.url}?disposition=execute`);
    assert.equal(bad.status, 400);
    assert.ok(bad.json.error.fields.disposition, JSON.stringify(bad.json));
  });

  it('a held report with a presented form (pathology PDF) exposes neither the form nor its name', async () => {
    const james = new TestBrowser(portal.url);
    await james.launch('james-carter');
    const list = await james.get('/api/results');
    assert.equal(list.status, 200);
    const pending = list.json.items.filter((i: { status: string }) => i.status === 'pending');
    assert.ok(pending.length >= 1, 'the biopsy is inside its release delay');
    const words = /Adenocarcinoma|Gleason|pathology|Malignant/i;
    assert.doesNotMatch(JSON.stringify(list.json), words);
    for (const p of pending) {
      const form = await james.request(`/api/results/${p.id}/form/0`);
      assert.equal(form.status, 404);
      assert.doesNotMatch(await form.text(), /Adenocarcinoma|Gleason|pathology|Malignant|%PDF/i);
    }
    // The document that carries the same PDF is held with it.
    const docs = await james.get('/api/documents');
    assert.equal(docs.status, 200);
    assert.doesNotMatch(JSON.stringify(docs.json), words);
    const heldDocs = docs.json.items.filter((d: { status: string }) => d.status === 'pending');
    assert.ok(heldDocs.length >= 1);
    for (const d of heldDocs) assert.equal((await james.request(`/api/documents/${d.id}/content`)).status, 404);
  });

  it('activity lists this patient’s own reads, newest first, without PHI', async () => {
    const r = await maria.get('/api/activity');
    assert.equal(r.status, 200);
    const items = r.json.items as { seq: number; action: string; description: string; who: { kind: string } }[];
    assert.ok(items.length >= 5);
    const seqs = items.map((i) => i.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a));
    assert.ok(items.some((i) => i.action === 'signin'));
    assert.ok(items.some((i) => i.action === 'read' && /results/i.test(i.description)));
    assert.ok(items.every((i) => i.who.kind === 'patient'));
    assert.doesNotMatch(JSON.stringify(items), /Lipid|Hemoglobin|HIV|metformin/i);
  });

  it('no names, values or message text reached the log', () => {
    const log = portal.logs.lines.join('\n');
    assert.ok(portal.logs.lines.length > 0);
    assert.doesNotMatch(log, /Maria|Lopez|Hemoglobin|metformin|iron-rich|RFH-100231/);
  });

  it('the upload page with a file far over the limit says which file, keeps what was typed, and takes nothing', async () => {
    const uploads = async () => ((await portal.db.query(`SELECT count(*)::int AS n FROM outbox_item WHERE kind = 'upload'`)) as { n: number }[])[0]!.n;
    const before = await uploads();
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(20 * 1024 * 1024, 0x20)]);
    const form = new FormData();
    form.set('_csrf', maria.session!.csrfToken);
    form.set('category', 'form');
    form.set('description', 'Scanned referral letter');
    form.append('file', new Blob([big], { type: 'application/pdf' }), 'big.pdf');
    const res = await maria.request('/documents', { method: 'POST', headers: { accept: 'text/html' }, body: form });
    const html = await res.text();
    assert.equal(res.status, 422, html.slice(0, 300));
    assert.match(html, /big\.pdf/);
    assert.match(html, /5 MB/);
    assert.match(html, /value="Scanned referral letter"/);
    assert.equal(await uploads(), before, 'nothing was taken');
  });
});
