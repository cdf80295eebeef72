import assert from 'node:assert/strict';
import type { Communication } from 'fhir/r4.js';
import { attachmentContent, attachmentPayloads, mapThread, mapThreads, messageCategory, ThreadListSchema, ThreadViewSchema } from '../../../src/views/messages.js';
import { ctx, included, plain, thread1, thread2, thread3 } from './fixtures.js';

const all = [...thread1, ...thread2, ...thread3];

describe('views/messages', () => {
  it('groups by header (partOf), by inResponseTo chain and by topic text, newest thread first', () => {
    const list = mapThreads(all, included, ctx());
    assert.doesNotThrow(() => ThreadListSchema.parse(list));
    assert.deepEqual(
      list.items.map((t) => [t.id, t.messageCount]),
      [
        ['h1', 3],
        ['c1', 2],
        ['t1', 2],
      ],
    );
    assert.equal(list.skipped, 0);
  });

  it('maps a header thread: subject, category, participants, senders, attachments, order', () => {
    const t = mapThread('h1', all, included, ctx());
    assert.ok(t);
    assert.doesNotThrow(() => ThreadViewSchema.parse(t));
    assert.equal(t.subject, 'Question about my blood pressure pills');
    assert.deepEqual(t.category, { code: 'medication-question', label: 'Medication question' });
    assert.deepEqual(
      t.messages.map((m) => [m.id, m.from.kind, m.from.name, m.from.self]),
      [
        ['m1', 'patient', 'Maria Elena Lopez', true],
        ['m2', 'staff', 'Tom Reyes, RN', false],
        ['m3', 'staff', 'Dr. Susan Kim MD', false],
      ],
    );
    // The staff draft (status preparation) is never shown.
    assert.ok(!t.messages.some((m) => m.id === 'm4'));
    const m2 = t.messages[1]!;
    assert.equal(m2.sent?.iso, '2025-05-21T13:30:00.000Z');
    assert.equal(plain(m2.sent?.display), 'Wed, May 21, 2025, 9:30 AM EDT');
    assert.equal(m2.body, 'Morning is best. I attached the instructions.');
    assert.deepEqual(m2.attachments, [
      { title: 'Lisinopril instructions.pdf', contentType: 'application/pdf', size: 48213, url: '/api/messages/m2/attachments/0', binaryRef: 'Binary/b1', inline: false },
      { title: 'Care plan', contentType: null, size: null, url: '/api/documents/d1/content', binaryRef: null, inline: false },
    ]);
    assert.equal(m2.status, 'delivered');
    assert.deepEqual(
      t.participants.map((p) => p.name).sort(),
      ['Dr. Susan Kim MD', 'Maria Elena Lopez', 'Tom Reyes, RN'],
    );
    assert.equal(t.lastActivity?.iso, '2025-05-22T16:00:00.000Z');
    assert.equal(t.snippet, 'Let us check your pressure again in two weeks.');
  });

  describe('attachment links', () => {
    const PDF = 'JVBERi0xLjQK';
    const staffMessage = (id: string, payload: Communication['payload']) => ({ ...thread1[1]!, id, payload }) as Communication;
    const urls = (c: Communication) => mapThread('h1', [thread1[0]!, c], included, ctx())!.messages[0]!.attachments.map((a) => a.url);

    it('links a Binary, inline data and a Binary reference to the message attachment route, counting every attachment, and nothing else', () => {
      const c = staffMessage('m9', [
        { contentString: 'Three files.' },
        { contentReference: { reference: 'DocumentReference/d1', display: 'Care plan' } },
        { contentReference: { reference: 'Patient/p1' } }, // not an attachment: not counted
        { contentAttachment: { contentType: 'application/pdf', title: 'Handout', data: PDF } },
        { contentReference: { reference: 'Binary/b2', display: 'Diet sheet' } },
        { contentAttachment: { contentType: 'image/png', title: 'Photo', url: 'Binary/b3' } },
      ]);
      assert.deepEqual(urls(c), ['/api/documents/d1/content', '/api/messages/m9/attachments/1', '/api/messages/m9/attachments/2', '/api/messages/m9/attachments/3']);
      // The route counts the same entries: index n streams what the view links as n.
      const entries = attachmentPayloads(c);
      assert.equal(entries.length, 4);
      assert.equal(attachmentContent(entries[0]!), undefined, 'a DocumentReference is served by the documents route');
      assert.equal(attachmentContent(entries[1]!)?.data, PDF);
      assert.deepEqual(attachmentContent(entries[2]!), { url: 'Binary/b2', title: 'Diet sheet' });
      assert.equal(attachmentContent(entries[3]!)?.url, 'Binary/b3');
      // No link for content the route cannot serve, nor for the patient’s own message not yet in the EHR.
      assert.deepEqual(urls(staffMessage('m9', [{ contentAttachment: { contentType: 'application/pdf', title: 'Elsewhere', url: 'https://other.example/file.pdf' } }])), [null]);
      const local = { ...thread1[0]!, id: 'local-msg-w1', sender: { reference: 'Patient/p1' }, partOf: [{ reference: 'Communication/h1' }], payload: [{ contentAttachment: { contentType: 'application/pdf', title: 'scan.pdf', data: PDF } }] } as Communication;
      const t = mapThread('h1', [thread1[0]!, local], included, ctx())!;
      assert.deepEqual(t.messages.find((m) => m.id === 'local-msg-w1')!.attachments.map((a) => a.url), [null]);
    });

    it('keeps the url strict: only our own routes', () => {
      const bad = { title: 'x', contentType: null, size: null, binaryRef: null, inline: false };
      const parse = (url: string) => ThreadViewSchema.shape.messages.element.shape.attachments.element.safeParse({ ...bad, url }).success;
      assert.ok(parse('/api/messages/m9/attachments/0'));
      assert.ok(!parse('/api/messages/m9/attachments/x'));
      assert.ok(!parse('https://evil.example/api/documents/d1/content'));
      assert.ok(!parse('/api/documents/d1/content?x=1'));
    });
  });

  it('labels proxies and organizations, and falls back to reference display', () => {
    const chain = mapThread('c1', all, included, ctx())!;
    assert.deepEqual(chain.messages.map((m) => [m.from.kind, m.from.name]), [
      ['proxy', 'Ana Lopez'],
      ['staff', 'Riverside Family Clinic'],
    ]);
    assert.equal(chain.subject, 'Refill');
    assert.equal(chain.category.label, 'Refill request');
    const topic = mapThread('t1', all, included, ctx())!;
    assert.equal(topic.messages[1]!.from.name, 'Billing Office');
    // Unknown category codes read "Message".
    assert.deepEqual(topic.category, { code: null, label: 'Message' });
  });

  it('falls back to "Your care team" when a staff sender cannot be named', () => {
    const anonymous = { ...thread2[1]!, sender: { reference: 'Practitioner/nowhere' } };
    const t = mapThread('c1', [thread2[0]!, anonymous], included, ctx())!;
    assert.equal(t.messages[1]!.from.name, 'Your care team');
    const es = mapThread('c1', [thread2[0]!, anonymous], included, ctx({ locale: 'es' }))!;
    assert.equal(es.messages[1]!.from.name, 'Su equipo de atención');
  });

  it('counts unread staff messages: after lastSeen when known, else until received', () => {
    const withoutSeen = mapThreads(all, included, ctx());
    // h1: m2 and m3 have no `received`; c1: c2 was received; t1: t2 not received.
    assert.deepEqual(withoutSeen.items.map((t) => t.unread), [2, 0, 1]);
    const seen = mapThreads(all, included, ctx({ lastSeen: { messages: '2025-05-21T20:00:00Z', t1: '2025-03-05T00:00:00Z' } }));
    assert.deepEqual(seen.items.map((t) => t.unread), [1, 0, 0]);
    const detail = mapThread('h1', all, included, ctx({ lastSeen: { h1: '2025-05-21T20:00:00Z' } }))!;
    assert.deepEqual(detail.messages.map((m) => m.unread), [false, false, true]);
  });

  it('shows the delivery state of the patient’s own messages', () => {
    const mine = [
      { ...thread3[0]!, id: 'x1', status: 'in-progress' },
      { ...thread3[0]!, id: 'x2', status: 'on-hold', topic: { text: 'other' } },
      { ...thread3[0]!, id: 'x3', status: 'not-done', topic: { text: 'third' } },
    ];
    const list = mapThreads(mine, included, ctx());
    const statuses = Object.fromEntries(
      list.items.map((t) => [t.id, mapThread(t.id, mine, included, ctx())!.messages[0]!.status]),
    );
    assert.deepEqual(statuses, { x1: 'sending', x2: 'retrying', x3: 'rejected' });
  });

  it('skips and counts malformed Communications and ones about another patient', () => {
    const bad = [
      { resourceType: 'Communication', id: 'bad1' }, // no status
      { resourceType: 'Communication', id: 'bad2', status: 'completed', sent: 'yesterday' },
      { resourceType: 'Communication', id: 'bad3', status: 'completed', payload: [{ contentString: 42 }] },
      'not a resource',
      { ...thread3[0]!, id: 'other', subject: { reference: 'Patient/p2' } },
    ];
    const list = mapThreads([...all, ...bad], included, ctx());
    assert.equal(list.skipped, 5);
    assert.equal(list.items.length, 3);
    assert.equal(mapThread('other', [...all, ...bad], included, ctx()), undefined);
  });

  it('never threads a cycle forever and never shows entered-in-error', () => {
    const a = { resourceType: 'Communication', id: 'ca', status: 'completed', sender: { reference: 'Patient/p1' }, inResponseTo: [{ reference: 'Communication/cb' }], payload: [{ contentString: 'a' }] };
    const b = { resourceType: 'Communication', id: 'cb', status: 'completed', sender: { reference: 'Patient/p1' }, inResponseTo: [{ reference: 'Communication/ca' }], payload: [{ contentString: 'b' }] };
    const e = { ...thread1[2]!, id: 'err', status: 'entered-in-error' };
    const list = mapThreads([a, b, e], included, ctx());
    assert.equal(list.items.reduce((n, t) => n + t.messageCount, 0), 2);
  });

  it('follows urn:uuid references as a transaction bundle writes them', () => {
    const h = '0c6f7c1e-1111-4a6b-9d7e-000000000001';
    const m = '0c6f7c1e-1111-4a6b-9d7e-000000000002';
    const comms = [
      { resourceType: 'Communication', id: h, status: 'completed', topic: { text: 'Lab question' } },
      { resourceType: 'Communication', id: m, status: 'completed', partOf: [{ reference: `urn:uuid:${h}` }], sender: { reference: 'urn:uuid:0c6f7c1e-1111-4a6b-9d7e-0000000000aa' }, payload: [{ contentString: 'Hello' }] },
      // A urn:uuid partOf that names no Communication (e.g. an Encounter) does not make a thread.
      { resourceType: 'Communication', id: 'lone', status: 'completed', partOf: [{ reference: 'urn:uuid:0c6f7c1e-1111-4a6b-9d7e-0000000000ff' }], sender: { reference: 'Patient/p1' }, payload: [{ contentString: 'Hi' }] },
    ];
    const staff = { resourceType: 'Practitioner', id: '0c6f7c1e-1111-4a6b-9d7e-0000000000aa', name: [{ given: ['Ira'], family: 'Stone' }] };
    const list = mapThreads(comms, [staff], ctx());
    assert.deepEqual(list.items.map((t) => t.id).sort(), [h, 'lone'].sort());
    const t = mapThread(h, comms, [staff], ctx())!;
    assert.equal(t.subject, 'Lab question');
    assert.deepEqual(t.messages[0]!.from, { kind: 'staff', name: 'Ira Stone', self: false });
  });

  it('answers undefined for an unknown thread and applies limits with cut', () => {
    assert.equal(mapThread('nope', all, included, ctx()), undefined);
    const limited = mapThreads(all, included, ctx(), { limit: 1 });
    assert.equal(limited.items.length, 1);
    assert.equal(limited.cut, true);
    assert.equal(mapThreads(all, included, ctx(), { upstreamCut: true }).cut, true);
    assert.equal(mapThreads(all, included, ctx()).cut, undefined);
  });

  it('maps category codes and aliases to plain labels', () => {
    const cat = (code: string) => messageCategory({ category: [{ coding: [{ code }] }] }, 'en').label;
    assert.equal(cat('refill'), 'Refill request');
    assert.equal(cat('result-question'), 'Test result question');
    assert.equal(cat('appointment-question'), 'Appointment question');
    assert.equal(cat('billing'), 'Billing');
    assert.equal(cat('other'), 'Other');
    assert.equal(cat('zzz'), 'Message');
  });

  it('rejects a bad context naming the field', () => {
    assert.throws(() => mapThreads(all, included, ctx({ timeZone: 'Mars/Olympus' })), /timeZone/);
  });
});
