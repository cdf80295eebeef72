import assert from 'node:assert/strict';
import { dueLead, isFresh, nextSendAt } from '../../../src/notify/schedule.js';

const H = 3_600_000;
const now = new Date('2026-03-02T18:00:00Z');
const at = (hours: number) => new Date(now.getTime() + hours * H);

describe('notify/schedule', () => {
  it('dueLead: the smallest lead whose window the appointment is in', () => {
    assert.equal(dueLead(at(26), now, [24]), undefined);
    assert.equal(dueLead(at(24), now, [24]), 24);
    assert.equal(dueLead(at(23), now, [24, 2]), 24);
    assert.equal(dueLead(at(1), now, [24, 2]), 2, 'first seen 1 h ahead: only the 2 h reminder');
    assert.equal(dueLead(at(0), now, [24]), undefined, 'begun');
    assert.equal(dueLead(at(-1), now, [24]), undefined);
  });

  it('nextSendAt: at once the first time or after the window; else the window end', () => {
    const window = 15 * 60_000;
    assert.equal(nextSendAt(undefined, window, now), now);
    assert.equal(nextSendAt(new Date(now.getTime() - 16 * 60_000), window, now), now);
    assert.deepEqual(nextSendAt(new Date(now.getTime() - 5 * 60_000), window, now), new Date(now.getTime() + 10 * 60_000));
    assert.equal(nextSendAt(new Date(now.getTime() - 1000), 0, now), now, 'window 0 = no digest');
  });

  it('isFresh: own time inside the window (with grace) or unknown', () => {
    const grace = 10 * 60_000;
    assert.equal(isFresh('2026-03-02T17:55:00Z', now, grace), true);
    assert.equal(isFresh('2026-03-02T17:49:59Z', now, grace), false);
    assert.equal(isFresh(undefined, now, grace), true);
    assert.equal(isFresh('not a date', now, grace), true);
  });
});
