import assert from 'node:assert/strict';
import type { Appointment, Communication } from 'fhir/r4.js';
import { appointmentWritesToOpen, ehrCopies, localMessagesAsCommunications, localRequestsAsAppointments, localThreadsInEhr, localUploads, shownByEhr, uploadsToOpen, withCancellations } from '../../../src/portal/local-writes.js';
import { WRITE_IDENTIFIER_SYSTEM, type DeliveryResult, type LocalWrite, type OutboxKind, type SealedWrite } from '../../../src/outbox/types.js';
import type { OutboxItemRow } from '../../../src/store/entities/outbox-item.js';
import type { PortalSession } from '../../../src/smart/sessions.js';

const session = { patientId: 'pat-1', viewer: { kind: 'patient', id: 'pat-1' } } as PortalSession;
const author = { kind: 'patient', reference: 'Patient/pat-1' } as const;

function write(over: Partial<LocalWrite> & Pick<LocalWrite, 'id' | 'payload'>): LocalWrite {
  return { kind: over.payload.kind, status: 'sending', createdAt: '2026-11-30T10:00:00.000Z', overdue: false, result: {}, author, ...over };
}
const message = (id: string, over: Partial<LocalWrite> = {}) =>
  write({ id, payload: { kind: 'message', purpose: 'other', subject: 'Parking', body: 'Is there parking?', attachments: [] }, ...over });
const reply = (id: string, threadId: string, over: Partial<LocalWrite> = {}) => write({ id, payload: { kind: 'reply', threadId, body: `reply ${id}`, attachments: [] }, ...over });
const ehr = (id: string, partOf?: string): Communication => ({ resourceType: 'Communication', id, status: 'completed', ...(partOf ? { partOf: [{ reference: `Communication/${partOf}` }] } : {}) });
const partOf = (c: Communication) => c.partOf?.[0]?.reference;
/** The EHR's copy of a write's part, carrying the write identifier delivery gave it. */
const written = <T extends Communication | Appointment>(r: T, itemId: string, part: string): T => ({ ...r, identifier: [{ system: WRITE_IDENTIFIER_SYSTEM, value: `${itemId}-${part}` }] });
/** The local writes as a page shows them beside these resources from the EHR. */
function merged(writes: LocalWrite[], fromEhr: Communication[], locale: 'en' | 'es' = 'en'): Communication[] {
  const copies = ehrCopies(fromEhr);
  return localMessagesAsCommunications(writes, session, copies, localThreadsInEhr(writes, copies), locale);
}

describe('local writes as Communications', () => {
  it('a new message waiting for the EHR: its own header and the message in it, shown as in preparation', () => {
    const out = merged([message('m1')], []);
    assert.deepEqual(out.map((c) => [c.id, c.status, partOf(c) ?? null]), [['local-m1', 'preparation', null], ['local-msg-m1', 'preparation', 'Communication/local-m1']]);
    assert.equal(out[0]!.topic?.text, 'Parking');
    assert.equal(out[1]!.payload?.[0]?.contentString, 'Is there parking?');
  });

  it('a reply goes under the thread it answers', () => {
    const [c] = merged([reply('r1', 'comm-7')], [ehr('comm-7')]);
    assert.equal(partOf(c!), 'Communication/comm-7');
    assert.equal(c!.sender?.reference, 'Patient/pat-1');
  });

  it('a reply into a thread started here: under the local header until the EHR shows its own, then under that', () => {
    const before = merged([message('m1'), reply('r1', 'local-m1')], []);
    assert.equal(partOf(before.find((c) => c.id === 'local-msg-r1')!), 'Communication/local-m1');

    const delivered = message('m1', { status: 'delivered', ehrThreadId: 'h-9', result: { headerId: 'h-9', messageId: 'msg-9' } });
    const waiting = reply('r1', 'local-m1', { ehrThreadId: 'h-9' });
    const after = merged([delivered, waiting], [ehr('h-9'), ehr('msg-9', 'h-9')]);
    assert.deepEqual(after.map((c) => [c.id, partOf(c)]), [['local-msg-r1', 'Communication/h-9']]);
  });

  it('what the EHR shows is left to the EHR: by the id delivery saved, or by the write identifier', () => {
    const noId: Communication = { resourceType: 'Communication', status: 'completed' };
    const copies = ehrCopies([ehr('msg-9', 'h-9'), written(ehr('msg-11', 'h-9'), 'w11', 'message'), noId]);
    assert.deepEqual([...copies.ids], ['msg-9', 'msg-11']);
    assert.equal(shownByEhr({ id: 'w9', result: { messageId: 'msg-9' } }, copies), true);
    assert.equal(shownByEhr({ id: 'w10', result: { messageId: 'msg-10' } }, copies), false);
    assert.equal(shownByEhr({ id: 'w10', result: {} }, copies), false);
    assert.equal(shownByEhr({ id: 'w11', result: {} }, copies), true, 'the EHR has it; delivery has not saved its id yet');
    // Another system's identifier, or ours on another part, is not this message.
    const otherSystem: Communication = { ...ehr('msg-12'), identifier: [{ system: 'urn:other', value: 'w12-message' }] };
    const foreign = ehrCopies([otherSystem, written(ehr('h-12'), 'w12', 'header')]);
    assert.equal(shownByEhr({ id: 'w12', result: {} }, foreign), false);
  });

  it('a thread the EHR created but delivery has not recorded yet is shown once, under the EHR\'s header', () => {
    // The EHR has the header and the message; the outbox row still knows nothing of either.
    const fromEhr = [written(ehr('h-5'), 'm1', 'header'), written(ehr('msg-5', 'h-5'), 'm1', 'message')];
    const copies = ehrCopies(fromEhr);
    assert.deepEqual([...localThreadsInEhr([message('m1'), reply('r1', 'local-m1')], copies)], [['local-m1', 'h-5']]);
    const out = merged([message('m1'), reply('r1', 'local-m1')], fromEhr);
    assert.deepEqual(out.map((c) => [c.id, partOf(c)]), [['local-msg-r1', 'Communication/h-5']], 'no local header, no second copy of the message');
    // Only the header so far: the message waits under it.
    const half = merged([message('m1')], [written(ehr('h-5'), 'm1', 'header')]);
    assert.deepEqual(half.map((c) => [c.id, partOf(c)]), [['local-msg-m1', 'Communication/h-5']]);
  });

  it('a rejected write carries the EHR\'s reason; one waiting for a sign-in says so', () => {
    const [, rejected] = merged([message('m1', { status: 'rejected', rejectionReason: 'Recipient unknown' })], []);
    assert.equal(rejected!.status, 'not-done');
    assert.equal(rejected!.statusReason?.text, 'Recipient unknown');
    const [, waiting] = merged([message('m2', { waitingReason: 'waiting_for_signin' })], [], 'es');
    assert.match(waiting!.statusReason?.text ?? '', /próxima vez/);
  });
  describe('appointment requests and uploads', () => {
    const request = (id: string, over: Partial<LocalWrite> = {}) =>
      write({ id, payload: { kind: 'appointment-request', reason: 'Knee pain', visitType: 'video', preferred: [{ date: '2026-12-11', partOfDay: 'morning' }], as: 'Appointment' }, ...over });
    const cancel = (id: string, target: string, over: Partial<LocalWrite> = {}) => write({ id, payload: { kind: 'cancel', appointmentId: target }, ...over });
    const sealed = (id: string, kind: OutboxKind, status: OutboxItemRow['status'], result: DeliveryResult = {}): SealedWrite =>
      ({ id, kind, result, row: { status } as OutboxItemRow, originThread: undefined });

    it('a request is the Appointment the EHR will get, under its own id, in the clinic\'s day', () => {
      const { appointments, requests } = localRequestsAsAppointments([request('r1')], session, 'America/Los_Angeles');
      assert.equal(appointments.length, 1);
      const a = appointments[0]!;
      assert.equal(a.id, 'r1');
      assert.equal(a.status, 'proposed');
      assert.deepEqual(a.requestedPeriod, [{ start: '2026-12-11T08:00:00-08:00', end: '2026-12-11T12:00:00-08:00' }]);
      assert.equal(a.participant[0]?.actor?.reference, 'Patient/pat-1');
      assert.deepEqual(requests.get('r1'), { status: 'sending', note: null });
    });

    it('cancelled here, or refused by the EHR with its reason: shown as cancelled', () => {
      const { appointments, requests } = localRequestsAsAppointments(
        [request('r1'), cancel('c1', 'r1'), request('r2', { status: 'rejected', rejectionReason: 'No slots' }), request('r3'), cancel('c3', 'r3', { status: 'rejected' })],
        session,
        'America/New_York',
      );
      assert.deepEqual(appointments.map((a) => [a.id, a.status]), [['r1', 'cancelled'], ['r2', 'cancelled'], ['r3', 'proposed']]);
      assert.deepEqual(requests.get('r2'), { status: 'rejected', note: 'No slots' });
    });

    it("an EHR appointment cancelled here shows cancelled while the cancellation is on its way", () => {
      const { cancelling, appointments } = localRequestsAsAppointments([cancel('c1', 'appt-7', { overdue: true }), cancel('c2', 'appt-8', { status: 'rejected' })], session, 'UTC');
      assert.equal(appointments.length, 0);
      assert.deepEqual([...cancelling], [['appt-7', { status: 'retrying', note: null }]]);
      const ehrList: Appointment[] = [
        { resourceType: 'Appointment', id: 'appt-7', status: 'proposed', participant: [] },
        { resourceType: 'Appointment', id: 'appt-8', status: 'proposed', participant: [] },
      ];
      assert.deepEqual(withCancellations(ehrList, cancelling).map((a) => a.status), ['cancelled', 'proposed']);
      assert.equal(ehrList[0]!.status, 'proposed', 'the EHR resource itself is left as it came');
    });

    it('a cancellation the EHR refused is about the appointment it named; one on its way says more', () => {
      const refusal = (id: string, target: string, reason: string) => cancel(id, target, { status: 'rejected', rejectionReason: reason, result: { resourceType: 'Appointment', resourceId: target } });
      const { cancelling } = localRequestsAsAppointments(
        [refusal('c1', 'appt-7', 'Already booked'), refusal('c2', 'appt-8', 'First'), refusal('c3', 'appt-8', 'Latest'), refusal('c4', 'appt-9', 'Old'), cancel('c5', 'appt-9')],
        session,
        'UTC',
      );
      assert.deepEqual([...cancelling].sort(), [
        ['appt-7', { status: 'rejected', note: 'Already booked' }],
        ['appt-8', { status: 'rejected', note: 'Latest' }],
        ['appt-9', { status: 'sending', note: null }],
      ]);
      const ehrList: Appointment[] = ['appt-7', 'appt-9'].map((id) => ({ resourceType: 'Appointment', id, status: 'booked', participant: [] }));
      assert.deepEqual(withCancellations(ehrList, cancelling).map((a) => a.status), ['booked', 'cancelled'], 'a refused cancellation changed nothing');
    });

    it('decrypts only requests the EHR does not show and cancellations still on their way', () => {
      const writes = [
        sealed('shown', 'appointment-request', 'delivered', { resourceType: 'Appointment', resourceId: 'appt-1' }),
        sealed('as-order', 'appointment-request', 'delivered', { resourceType: 'ServiceRequest', resourceId: 'sr-1' }),
        sealed('waiting', 'appointment-request', 'sending'),
        sealed('c-waiting', 'cancel', 'retrying'),
        sealed('c-done', 'cancel', 'delivered'),
        sealed('c-refused', 'cancel', 'rejected'),
      ];
      assert.deepEqual(appointmentWritesToOpen(writes, ehrCopies([{ id: 'appt-1' }])).map((w) => w.id), ['as-order', 'waiting', 'c-waiting']);
      // A refusal is read when the EHR lists the appointment it is about.
      const refusals = [sealed('c-about-1', 'cancel', 'rejected', { resourceType: 'Appointment', resourceId: 'appt-1' }), sealed('c-about-gone', 'cancel', 'rejected', { resourceType: 'Appointment', resourceId: 'appt-0' })];
      assert.deepEqual(appointmentWritesToOpen(refusals, ehrCopies([{ id: 'appt-1' }])).map((w) => w.id), ['c-about-1']);
      // The EHR shows the request before delivery saved its id: matched by the write identifier.
      const created = ehrCopies([written({ resourceType: 'Appointment', id: 'appt-2', status: 'proposed', participant: [] }, 'waiting', 'appointment')]);
      assert.deepEqual(appointmentWritesToOpen(writes, created).map((w) => w.id), ['shown', 'as-order', 'c-waiting']);
    });

    it('an upload the EHR does not show: its description, category, size and where it is; the file stays out', () => {
      const file = { filename: 'card.pdf', contentType: 'application/pdf' as const, size: 2048, data: 'JVBERi0=' };
      const up = write({ id: 'u1', payload: { kind: 'upload', category: 'insurance-card', description: 'New card', file }, overdue: true });
      const [u] = localUploads([up, request('r1')]);
      assert.deepEqual(u, { id: 'u1', description: 'New card', category: 'insurance-card', sentAt: '2026-11-30T10:00:00.000Z', filename: 'card.pdf', size: 2048, contentType: 'application/pdf', delivery: { status: 'retrying', note: null } });
      const writes = [sealed('u-shown', 'upload', 'delivered', { resourceType: 'DocumentReference', resourceId: 'doc-1' }), sealed('u-waiting', 'upload', 'sending'), sealed('m', 'message', 'sending')];
      assert.deepEqual(uploadsToOpen(writes, ehrCopies([{ id: 'doc-1' }])).map((w) => w.id), ['u-waiting']);
      const created = ehrCopies([{ id: 'doc-2', identifier: [{ system: WRITE_IDENTIFIER_SYSTEM, value: 'u-waiting-document' }] }]);
      assert.deepEqual(uploadsToOpen(writes, created).map((w) => w.id), ['u-shown']);
    });
  });
});
