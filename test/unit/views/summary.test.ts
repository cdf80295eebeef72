import assert from 'node:assert/strict';
import { mapAppointments } from '../../../src/views/appointments.js';
import { mapDocuments } from '../../../src/views/documents.js';
import { mapThreads } from '../../../src/views/messages.js';
import { mapResults } from '../../../src/views/results.js';
import { mapSummary, SummaryViewSchema } from '../../../src/views/summary.js';
import type { ViewContext } from '../../../src/views/view-context.js';
import {
  appointments,
  cbc,
  ctx,
  cultureObs,
  included,
  lipidObs,
  lipidPanel,
  oldLetter,
  prelimCulture,
  thread1,
  thread2,
  thread3,
  visitSummary,
} from './fixtures.js';

function summary(c: ViewContext, newWithinDays?: number, held = 0) {
  const input = {
    threads: mapThreads([...thread1, ...thread2, ...thread3], included, c, { held }),
    appointments: mapAppointments(appointments, included, c),
    results: mapResults([lipidPanel, cbc, prelimCulture], [...included, ...lipidObs, cultureObs], [
      { ref: 'DiagnosticReport/held', kind: 'result', explanation: 'Soon.' },
    ], c),
    documents: mapDocuments([visitSummary, oldLetter], included, [], c),
  };
  return mapSummary(input, c, newWithinDays === undefined ? {} : { newWithinDays });
}

describe('views/summary', () => {
  it('adds up unread messages, next appointments, new and pending results, new documents', () => {
    const s = summary(ctx());
    assert.doesNotThrow(() => SummaryViewSchema.parse(s));
    assert.equal(s.messages.unread, 3);
    assert.equal(s.messages.newestThread?.id, 'h1');
    assert.equal(s.messages.held, 0);
    assert.equal(summary(ctx(), undefined, 2).messages.held, 2, 'held messages counted, as the inbox counts them');
    assert.deepEqual(s.appointments.next.map((a) => a.id), ['a-video', 'a-up']);
    // Within 14 days of June 1: cbc (May 29) and culture (May 31); lipid (May 11) is older.
    assert.deepEqual(s.results, { new: 2, pending: 1 });
    assert.deepEqual(s.documents, { new: 1, pending: 0 });
    assert.equal(s.cut, false);
  });

  it('uses lastSeen per section when known, and the day window otherwise', () => {
    const s = summary(ctx({ lastSeen: { results: '2025-05-30T00:00:00Z', documents: '2025-05-01T00:00:00Z' } }));
    assert.deepEqual(s.results, { new: 1, pending: 1 });
    assert.deepEqual(s.documents, { new: 1, pending: 0 });
    assert.equal(summary(ctx(), 30).results.new, 3);
  });
});
