import assert from 'node:assert/strict';
import { DocumentListSchema, mapDocuments } from '../../../src/views/documents.js';
import { ctx, included, oldLetter, plain, supersededDoc, visitSummary } from './fixtures.js';

describe('views/documents', () => {
  const pending = [
    { ref: 'DocumentReference/genetics', kind: 'document' as const, explanation: 'Available after your visit on June 5.', releaseAt: '2025-06-05T16:00:00Z' },
    // Results placeholders do not belong here.
    { ref: 'DiagnosticReport/x', kind: 'result' as const, explanation: 'Held.' },
  ];

  it('lists current documents newest first with our content URL, plus pending placeholders', () => {
    const list = mapDocuments([oldLetter, visitSummary, supersededDoc], included, pending, ctx());
    assert.doesNotThrow(() => DocumentListSchema.parse(list));
    assert.deepEqual(list.items.map((d) => d.id), ['genetics', 'd1', 'd2']);
    const d1 = list.items[1]!;
    assert.ok(d1.status === 'available');
    assert.deepEqual(
      { ...d1, date: d1.date && { iso: d1.date.iso, display: plain(d1.date.display) } },
      {
        id: 'd1',
        status: 'available',
        title: 'After visit summary.pdf',
        description: 'After-visit summary',
        type: 'Summary of episode note',
        category: 'Clinical note',
        date: { iso: '2025-05-22T17:00:00.000Z', display: 'Thu, May 22, 2025, 1:00 PM EDT' },
        authors: ['Dr. Susan Kim MD'],
        size: 183004,
        contentType: 'application/pdf',
        url: '/api/documents/d1/content',
        contentCount: 1,
      },
    );
    const d2 = list.items[2]!;
    assert.ok(d2.status === 'available');
    assert.equal(d2.title, 'Document');
    // A date-only value is a calendar day: not shifted by the time zone.
    assert.deepEqual(d2.date, { iso: '2024-11-02', display: 'Nov 2, 2024' });
    const p = list.items[0]!;
    assert.ok(p.status === 'pending');
    assert.equal(p.explanation, 'Available after your visit on June 5.');
    assert.ok(!('title' in p));
    assert.equal(list.skipped, 0);
  });

  it('skips and counts malformed documents and documents of another patient', () => {
    const bad = [
      { resourceType: 'DocumentReference', id: 'b1', status: 'current', content: [] },
      { resourceType: 'DocumentReference', id: 'b2', status: 'current', content: [{ attachment: { size: -1 } }] },
      { resourceType: 'DocumentReference', id: 'b3', status: 'current', content: [{ attachment: {} }], date: '2025-05-01' }, // date must be an instant
      { ...visitSummary, id: 'b4', subject: { reference: 'Patient/p2' } },
      null,
    ];
    const list = mapDocuments([visitSummary, ...bad], included, [], ctx());
    assert.equal(list.skipped, 5);
    assert.deepEqual(list.items.map((d) => d.id), ['d1']);
  });

  it('translates fallbacks', () => {
    const list = mapDocuments([oldLetter], [], [], ctx({ locale: 'es' }));
    const d = list.items[0]!;
    assert.ok(d.status === 'available');
    assert.equal(d.title, 'Documento');
    assert.equal(d.date?.display, '2 nov 2024');
  });
  it('an upload made here that the EHR does not show yet: listed with where it is, newest first', () => {
    const upload = { id: 'u-1', description: 'New insurance card', category: 'insurance-card', sentAt: '2030-01-02T15:00:00Z', filename: 'card.pdf', size: 2048, contentType: 'application/pdf', delivery: { status: 'sending' as const, note: null } };
    const list = mapDocuments([oldLetter, visitSummary], included, [], ctx(), { uploads: [upload, { ...upload, id: 'u-2', description: ' ', delivery: { status: 'rejected' as const, note: 'File unreadable' } }] });
    assert.doesNotThrow(() => DocumentListSchema.parse(list));
    const first = list.items[0]!;
    assert.equal(first.status, 'upload');
    assert.ok(first.status === 'upload');
    assert.equal(first.title, 'New insurance card');
    assert.equal(first.date?.iso, '2030-01-02T15:00:00.000Z');
    assert.deepEqual(first.delivery, { status: 'sending', note: null });
    const second = list.items.find((i) => i.id === 'u-2')!;
    assert.ok(second.status === 'upload');
    assert.equal(second.title, 'card.pdf', 'a blank description falls back to the file name');
    assert.equal(list.skipped, 0);
  });
});
