import assert from 'node:assert/strict';
import { backoffDelay, heldBack, isOverdue, type OrderedItem } from '../../../src/outbox/schedule.js';

describe('outbox backoff', () => {
  const s = { baseMs: 1000, capMs: 300_000 };
  it('doubles the ceiling per attempt up to the cap (full jitter below it)', () => {
    const top = (a: number) => backoffDelay(a, s, () => 0.999999);
    assert.deepEqual([1, 2, 3, 4].map(top), [999, 1999, 3999, 7999]);
    assert.equal(top(9), 255_999);
    assert.equal(top(10), 299_999);
    assert.equal(top(500), 299_999);
    assert.equal(backoffDelay(7, s, () => 0), 0);
    assert.equal(backoffDelay(3, s, () => 0.5), 2000);
  });
});

describe('outbox ordering rule', () => {
  const item = (seq: number, threadKey: string | null, status: OrderedItem['status']): OrderedItem => ({ seq, threadKey, status });
  it('holds an item back while an earlier item of its thread is unsettled', () => {
    const all = [item(1, 't', 'retrying'), item(2, 'u', 'sending'), item(3, 't', 'sending'), item(4, null, 'sending')];
    assert.equal(heldBack(all[0]!, all), false);
    assert.equal(heldBack(all[1]!, all), false);
    assert.equal(heldBack(all[2]!, all), true);
    assert.equal(heldBack(all[3]!, all), false);
  });
  it('releases it once earlier items are delivered or rejected', () => {
    const all = [item(1, 't', 'delivered'), item(2, 't', 'rejected'), item(3, 't', 'sending')];
    assert.equal(heldBack(all[2]!, all), false);
  });
  it('calls an undelivered write overdue after the configured time', () => {
    const t0 = new Date('2030-01-01T00:00:00Z');
    const later = new Date(t0.getTime() + 15 * 60_000);
    assert.equal(isOverdue(t0, 'retrying', later, 15 * 60_000), true);
    assert.equal(isOverdue(t0, 'sending', new Date(later.getTime() - 1), 15 * 60_000), false);
    assert.equal(isOverdue(t0, 'delivered', later, 15 * 60_000), false);
  });
});
