import assert from 'node:assert/strict';
import { countHeld, hiddenWithThread } from '../../../src/policy/thread-visibility.js';

const ref = (id: string) => [{ reference: `Communication/${id}` }];

describe('policy: a conversation is as confidential as its most confidential part', () => {
  it('a message in a hidden thread is hidden with it, whatever its own labels', () => {
    const comms = [{ id: 'h1' }, { id: 'm1', partOf: ref('h1') }, { id: 'local-msg-9', partOf: ref('h1') }, { id: 'h2' }, { id: 'm2', partOf: ref('h2') }];
    assert.deepEqual([...hiddenWithThread(comms, new Set(['h1']))], [['m1', 'h1'], ['local-msg-9', 'h1']]);
  });

  it('follows chains of replies in any order, back to what the policy hid', () => {
    // Listed newest first, as the EHR sorts them: each pass hides one more link.
    const comms = [{ id: 'c4', inResponseTo: ref('c3') }, { id: 'c3', inResponseTo: ref('c2') }, { id: 'c2', inResponseTo: ref('c1') }, { id: 'c1' }];
    assert.deepEqual(new Map(hiddenWithThread(comms, new Set(['c1']))), new Map([['c2', 'c1'], ['c3', 'c1'], ['c4', 'c1']]));
  });

  it('hides nothing when nothing is hidden, and ignores links to other resource types or missing ids', () => {
    const comms = [{ id: 'a', partOf: [{ reference: 'Encounter/h1' }] }, { partOf: ref('h1') }, { id: 'b', inResponseTo: [{}] }];
    assert.equal(hiddenWithThread(comms, new Set()).size, 0);
    assert.equal(hiddenWithThread(comms, new Set(['h1'])).size, 0);
  });

  it('counts a held thread once, however many messages it has, and each held message of a visible thread', () => {
    const comms = [{ id: 'h1' }, { id: 'm1', partOf: ref('h1') }, { id: 'm2', partOf: ref('h1'), inResponseTo: ref('m1') }, { id: 'h2' }, { id: 'm3', partOf: ref('h2') }, { id: 'm4', partOf: ref('h2') }];
    assert.equal(countHeld(comms, new Set(['h1', 'm1', 'm2'])), 1);
    assert.equal(countHeld(comms, new Set(['m3', 'm4'])), 2);
    assert.equal(countHeld(comms, new Set()), 0);
  });
});
