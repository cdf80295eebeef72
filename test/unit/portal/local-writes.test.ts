import assert from 'node:assert/strict';
import type { Appointment, Communication } from 'fhir/r4.js';
import { appointmentWritesToOpen, idsShown, localMessagesAsCommunications, localRequestsAsAppointments, localUploads, shownByEhr, uploadsToOpen, withCancellations } from '../../../src/portal/local-writes.js';
import type { DeliveryResult, LocalWrite, OutboxKind, SealedWrite } from '../../../src/outbox/types.js';
import type { OutboxItemRow } from '../../../src/store/entities/outbox-item.js';
import type { PortalSession } from '../../../src/smart/sessions.js';

const session = { patientId: 'pat-1', viewer: { kind: 'patient', id: 'pat-1' } } as PortalSession;
const author = { kind: 'patient', reference: 'Patient/pat-1' } as const;

function write(over: Partial<LocalWrite> & Pick<LocalWrite, 'id' | 'payload'>): LocalWrite {
  return { kind: over.payload.kind, status: 'sending', createdAt: '2026-11-30T10:00:00.000Z', overdue: false, result: {}, author, ...over };
}
const message = (id: string, over: Partial<LocalWrite> = {}) =>
  write({ id, threadId: `local-${id}`, payload: { kind: 'message', purpose: 'other', subject: 'Parking', body: 'Is there parking?', attachments: [] }, ...over });
const reply = (id: string, threadId: string, over: Partial<LocalWrite> = {}) => write({ id, threadId, payload: { kind: 'reply', threadId, body: `reply ${id}`, attachments: [] }, ...over });
const ehr = (id: string, partOf?: string): Communication => ({ resourceType: 'Communication', id, status: 'completed', ...(partOf ? { partOf: [{ reference: `Communication/${partOf}` }] } : {}) });
const partOf = (c: Communication) => c.partOf?.[0]?.reference;

describe('local writes as Communications', () => {
  it('a new message waiting for the EHR: its own header and the message in it, shown as in preparation', () => {
    const out = localMessagesAsCommunications([message('m1')], session, []);
    assert.deepEqual(out.map((c) => [c.id, c.status, partOf(c) ?? null]), [['local-m1', 'preparation', null], ['local-msg-m1', 'preparation', 'Communication/local-m1']]);
    assert.equal(out[0]!.topic?.text, 'Parking');
    assert.equal(out[1]!.payload?.[0]?.contentString, 'Is there parking?');
  });

  it('a reply goes under the thread it answers', () => {
    const [c] = localMessagesAsCommunications([reply('r1', 'comm-7')], session, [ehr('comm-7')]);
    assert.equal(partOf(c!), 'Communication/comm-7');
    assert.equal(c!.sender?.reference, 'Patient/pat-1');
  });

  it('a reply into a thread started here: under the local header until the EHR shows its own, then under that', () => {
    const before = localMessagesAsCommunications([message('m1'), reply('r1', 'local-m1')], session, []);
    assert.equal(partOf(before.find((c) => c.id === 'local-msg-r1')!), 'Communication/local-m1');

    const delivered = message('m1', { status: 'delivered', ehrThreadId: 'h-9', result: { headerId: 'h-9', messageId: 'msg-9' } });
    const waiting = reply('r1', 'local-m1', { ehrThreadId: 'h-9' });
    const after = localMessagesAsCommunications([delivered, waiting], session, [ehr('h-9'), ehr('msg-9', 'h-9')]);
    assert.deepEqual(after.map((c) => [c.id, partOf(c)]), [['local-msg-r1', 'Communication/h-9']]);
  });

  it('what the EHR shows is left to the EHR', () => {
    const inEhr = idsShown([ehr('msg-9', 'h-9'), { resourceType: 'Communication', status: 'completed' }]);
    assert.deepEqual([...inEhr], ['msg-9']);
    assert.equal(shownByEhr({ messageId: 'msg-9' }, inEhr), true);
    assert.equal(shownByEhr({ messageId: 'msg-10' }, inEhr), false);
    assert.equal(shownByEhr({}, inEhr), false);
  });

  it('a rejected write carries the EHR\'s reason; one waiting for a sign-in says so', () => {
    const [, rejected] = localMessagesAsCommunications([message('m1', { status: 'rejected', rejectionReason: 'Recipient unknown' })], session, []);
    assert.equal(rejected!.status, 'not-done');
    assert.equal(rejected!.statusReason?.text, 'Recipient unknown');
    const [, waiting] = localMessagesAsCommunications([message('m2', { waitingReason: 'waiting_for_signin' })], session, [], 'es');
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

    it('decrypts only requests the EHR does not show and cancellations still on their way', () => {
      const writes = [
        sealed('shown', 'appointment-request', 'delivered', { resourceType: 'Appointment', resourceId: 'appt-1' }),
        sealed('as-order', 'appointment-request', 'delivered', { resourceType: 'ServiceRequest', resourceId: 'sr-1' }),
        sealed('waiting', 'appointment-request', 'sending'),
        sealed('c-waiting', 'cancel', 'retrying'),
        sealed('c-done', 'cancel', 'delivered'),
        sealed('c-refused', 'cancel', 'rejected'),
      ];
      assert.deepEqual(appointmentWritesToOpen(writes, new Set(['appt-1'])).map((w) => w.id), ['as-order', 'waiting', 'c-waiting']);
    });

    it('an upload the EHR does not show: its description, category, size and where it is; the file stays out', () => {
      const file = { filename: 'card.pdf', contentType: 'application/pdf' as const, size: 2048, data: 'JVBERi0=' };
      const up = write({ id: 'u1', payload: { kind: 'upload', category: 'insurance-card', description: 'New card', file }, overdue: true });
      const [u] = localUploads([up, request('r1')]);
      assert.deepEqual(u, { id: 'u1', description: 'New card', category: 'insurance-card', sentAt: '2026-11-30T10:00:00.000Z', filename: 'card.pdf', size: 2048, contentType: 'application/pdf', delivery: { status: 'retrying', note: null } });
      const writes = [sealed('u-shown', 'upload', 'delivered', { resourceType: 'DocumentReference', resourceId: 'doc-1' }), sealed('u-waiting', 'upload', 'sending'), sealed('m', 'message', 'sending')];
      assert.deepEqual(uploadsToOpen(writes, new Set(['doc-1'])).map((w) => w.id), ['u-waiting']);
    });
  });
});
