import assert from 'node:assert/strict';
import { boundedMemo } from '../../../src/lib/bounded-memo.js';
import { formatInstant } from '../../../src/views/format-date.js';
import { numberText } from '../../../src/views/observation-value.js';

describe('boundedMemo', () => {
  it('makes each value once, remembers undefined too, and starts again when full', () => {
    const made: string[] = [];
    const memo = boundedMemo<string | undefined>(2);
    const make = (k: string) => () => {
      made.push(k);
      return k === 'none' ? undefined : k.toUpperCase();
    };
    assert.equal(memo('a', make('a')), 'A');
    assert.equal(memo('a', make('a')), 'A');
    assert.equal(memo('none', make('none')), undefined);
    assert.equal(memo('none', make('none')), undefined);
    assert.deepEqual(made, ['a', 'none']);
    assert.equal(memo('b', make('b')), 'B');
    assert.equal(memo('a', make('a')), 'A');
    assert.deepEqual(made, ['a', 'none', 'b', 'a']);
  });
});

describe('remembered formatting', () => {
  it('gives the same display each time and cannot be changed through a returned value', () => {
    const ctx = { locale: 'en' as const, timeZone: 'America/New_York' };
    const first = formatInstant('2024-03-05T14:30:00Z', ctx)!;
    const shown = { ...first };
    assert.throws(() => {
      (first as { display: string }).display = 'changed';
    }, TypeError);
    // Compared with a copy taken before the attempt: a memo that handed out a writable object
    // would now return the changed one.
    assert.deepEqual(formatInstant('2024-03-05T14:30:00Z', ctx), shown);
    assert.match(first.display, /Mar 5, 2024/);
    assert.notEqual(formatInstant('2024-03-05T14:30:00Z', { ...ctx, locale: 'es' })!.display, first.display);
  });

  it('keeps negative zero apart from zero', () => {
    assert.equal(numberText(0, 'en'), '0');
    assert.equal(numberText(-0, 'en'), '-0');
    assert.equal(numberText(0, 'en'), '0');
  });
});
