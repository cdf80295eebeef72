import assert from 'node:assert/strict';
import type { Communication } from 'fhir/r4.js';
import { idsShown, localMessagesAsCommunications, shownByEhr } from '../../../src/portal/local-writes.js';
import type { LocalWrite } from '../../../src/outbox/types.js';
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
});
