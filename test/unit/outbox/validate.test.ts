import assert from 'node:assert/strict';
import { DEFAULT_PURPOSES } from '../../../src/config/registration.js';
import { AppError } from '../../../src/http/errors.js';
import { sanitizeFilename, sniffFileType } from '../../../src/outbox/file-type.js';
import { validateAppointmentRequest, validateMessage, validateReply, validateUpload, type MessagingLimits } from '../../../src/outbox/validate.js';

const limits: MessagingLimits = { purposes: DEFAULT_PURPOSES, maxBodyChars: 50, maxAttachments: 2, maxAttachmentBytes: 64 };
const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(20, 0x20)]);
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
const file = (filename: string, bytes: Buffer, contentType = 'application/pdf') => ({ filename, contentType, bytes });

function refused(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AppError, `expected an AppError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the input to be refused');
}

describe('outbox validation', () => {
  it('accepts a valid message and keeps the real file type', () => {
    const p = validateMessage({ purpose: 'billing', subject: '  Bill  ', body: 'Why two charges?', attachments: [file('scan.pdf', pdf), file('photo.png', png, 'application/pdf')] }, limits);
    assert.equal(p.subject, 'Bill');
    assert.deepEqual(p.attachments.map((a) => a.contentType), ['application/pdf', 'image/png']);
    assert.equal(Buffer.from(p.attachments[0]!.data, 'base64').equals(pdf), true);
    assert.equal(p.attachments[1]!.size, png.length);
  });

  it('names the field when the purpose is missing or unknown', () => {
    for (const purpose of [undefined, 'no-such-purpose']) {
      const e = refused(() => validateMessage({ purpose, subject: 's', body: 'b' }, limits));
      assert.equal(e.status, 400);
      assert.equal(e.code, 'invalid_input');
      assert.ok(e.fields?.purpose, JSON.stringify(e.fields));
    }
  });

  it('refuses an empty or oversize body and an oversize subject', () => {
    assert.ok(refused(() => validateMessage({ purpose: 'other', subject: 's', body: '   ' }, limits)).fields?.body);
    assert.ok(refused(() => validateMessage({ purpose: 'other', subject: 's', body: 'x'.repeat(51) }, limits)).fields?.body);
    assert.ok(refused(() => validateMessage({ purpose: 'other', subject: 'x'.repeat(201), body: 'b' }, limits)).fields?.subject);
  });

  it('refuses hidden control and text-direction characters, naming the field; keeps line breaks, tabs and right-to-left text', () => {
    for (const [field, value] of [['subject', 'a\u0000b'], ['body', 'pay \u202eevig'], ['body', 'bell\u0007'], ['subject', 'x\u2066y\u2069']] as const) {
      const input = { purpose: 'other', subject: 's', body: 'b', [field]: value };
      const e = refused(() => validateMessage(input, limits));
      assert.match(e.fields?.[field] ?? '', /hidden control or text-direction characters/, `${field}: ${JSON.stringify(value)}`);
    }
    assert.ok(refused(() => validateReply('h1', { body: 'ok\u001b[31m' }, limits)).fields?.body);
    const day = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    assert.ok(refused(() => validateAppointmentRequest({ reason: 'Knee', visitType: 'video', preferred: [{ date: day }], notes: 'a\u202eb' }, 'Appointment', day)).fields?.notes);
    const ok = validateMessage({ purpose: 'other', subject: 'שלום', body: 'Line one\r\n\tLine two\nمرحبا' }, { ...limits, maxBodyChars: 100 });
    assert.equal(ok.body, 'Line one\n\tLine two\nمرحبا');
    assert.equal(ok.subject, 'שלום');
  });

  it('refuses a disguised attachment (a .pdf that is really text) by its content', () => {
    const e = refused(() => validateMessage({ purpose: 'other', subject: 's', body: 'b', attachments: [file('ok.pdf', pdf), file('report.pdf', Buffer.from('just some text, not a PDF'))] }, limits));
    assert.equal(e.status, 415);
    assert.deepEqual(Object.keys(e.fields ?? {}), ['attachments.1']);
  });

  it('refuses too many files and an oversize file, naming the field', () => {
    const many = refused(() => validateReply('t1', { body: 'b', attachments: [file('a.pdf', pdf), file('b.pdf', pdf), file('c.pdf', pdf)] }, limits));
    assert.equal(many.status, 400);
    assert.ok(many.fields?.attachments);
    const big = refused(() => validateReply('t1', { body: 'b', attachments: [file('a.pdf', Buffer.concat([pdf, Buffer.alloc(100)]))] }, limits));
    assert.equal(big.status, 413);
    assert.ok(big.fields?.['attachments.0']);
  });

  it('checks uploads by content too', () => {
    assert.equal(validateUpload({ category: 'form', description: 'Intake form', file: file('x.jpeg', jpeg, 'text/plain') }, 64).file.contentType, 'image/jpeg');
    assert.ok(refused(() => validateUpload({ category: 'form', description: 'd', file: file('x.png', Buffer.from('<svg/>')) }, 64)).fields?.file);
    assert.ok(refused(() => validateUpload({ category: 'selfie', description: 'd', file: file('x.png', png) }, 64)).fields?.category);
  });

  it('validates appointment requests: reason, visit type, future dates', () => {
    const ok = validateAppointmentRequest({ reason: 'Knee pain', visitType: 'video', preferred: [{ date: '2031-05-02', partOfDay: 'morning' }] }, 'Appointment', '2031-05-01');
    assert.equal(ok.visitType, 'video');
    const e = refused(() => validateAppointmentRequest({ reason: '', visitType: 'phone', preferred: [{ date: '2031-04-30' }] }, 'Appointment', '2031-05-01'));
    assert.deepEqual(Object.keys(e.fields ?? {}).sort(), ['preferred.0.date', 'reason', 'visitType']);
  });

  it('asks for a day and part of day once, however often it was chosen', () => {
    const twice = validateAppointmentRequest(
      { reason: 'Knee pain', visitType: 'video', preferred: [{ date: '2031-05-02' }, { date: '2031-05-02', partOfDay: 'any' }, { date: '2031-05-02', partOfDay: 'morning' }] },
      'Appointment',
      '2031-05-01',
    );
    assert.deepEqual(twice.preferred, [{ date: '2031-05-02', partOfDay: 'any' }, { date: '2031-05-02', partOfDay: 'morning' }]);
  });
});

describe('file types and names', () => {
  it('sniffs magic bytes, not names', () => {
    assert.equal(sniffFileType(pdf)?.type, 'application/pdf');
    assert.equal(sniffFileType(png)?.type, 'image/png');
    assert.equal(sniffFileType(jpeg)?.type, 'image/jpeg');
    assert.equal(sniffFileType(Buffer.from('%PD')), undefined);
    assert.equal(sniffFileType(Buffer.from('GIF89a')), undefined);
  });

  it('sanitises file names and forces the real extension', () => {
    assert.equal(sanitizeFilename('../../etc/passwd', 'pdf'), 'passwd.pdf');
    assert.equal(sanitizeFilename('C:\\Users\\me\\scan.PDF', 'pdf'), 'scan.PDF');
    assert.equal(sanitizeFilename('photo.jpeg', 'jpg'), 'photo.jpeg');
    assert.equal(sanitizeFilename('evil<script>.pdf.exe', 'pdf'), 'evil_script_.pdf.exe.pdf');
    assert.equal(sanitizeFilename('.pdf', 'pdf'), 'pdf.pdf'); // leading dots go: no hidden files
    assert.equal(sanitizeFilename('', 'png'), 'file.png');
    assert.ok(sanitizeFilename(`${'a'.repeat(300)}.png`, 'png').length <= 100);
    assert.match(sanitizeFilename(`${'a'.repeat(300)}.png`, 'png'), /\.png$/);
  });
});
