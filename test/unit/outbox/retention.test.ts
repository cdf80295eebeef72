import assert from 'node:assert/strict';
import { withoutFileBytes } from '../../../src/outbox/retention.js';
import type { Payload, StoredFile } from '../../../src/outbox/types.js';

const file: StoredFile = { filename: 'med-list.pdf', contentType: 'application/pdf', size: 4, data: 'JVBERg==' };

describe('outbox retention: what is kept of a delivered write', () => {
  it('a message or reply keeps its words and each file\'s name, type and size, not its bytes', () => {
    const message: Payload = { kind: 'message', purpose: 'other', subject: 'Medicines', body: 'My list is attached.', attachments: [file, { ...file, filename: 'b.pdf' }] };
    assert.deepEqual(withoutFileBytes(message), { ...message, attachments: [{ ...file, data: '' }, { ...file, filename: 'b.pdf', data: '' }] });
    const reply: Payload = { kind: 'reply', threadId: 'comm-1', body: 'Here it is.', attachments: [file] };
    assert.deepEqual(withoutFileBytes(reply), { ...reply, attachments: [{ ...file, data: '' }] });
    assert.equal(file.data, 'JVBERg==', 'the input is left as it was');
  });

  it('an upload keeps its description and category', () => {
    const upload: Payload = { kind: 'upload', category: 'form', description: 'Consent form', file };
    assert.deepEqual(withoutFileBytes(upload), { ...upload, file: { ...file, data: '' } });
  });

  it('nothing to rewrite for a write without files', () => {
    assert.equal(withoutFileBytes({ kind: 'reply', threadId: 'comm-1', body: 'Thanks', attachments: [] }), undefined);
    assert.equal(withoutFileBytes({ kind: 'cancel', appointmentId: 'appt-1' }), undefined);
    assert.equal(withoutFileBytes({ kind: 'appointment-request', reason: 'Knee', visitType: 'video', preferred: [{ date: '2031-01-02', partOfDay: 'any' }], as: 'Appointment' }), undefined);
  });
});
