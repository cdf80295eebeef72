import assert from 'node:assert/strict';
import { niceTicks } from '../../../src/ui/charts.js';

describe('ui/charts niceTicks', () => {
  it('round steps inside the domain, the finest that gives at most five', () => {
    assert.deepEqual(niceTicks(3.2, 7.2), [4, 5, 6, 7]);
    assert.deepEqual(niceTicks(0.55, 1.45), [0.6, 0.8, 1, 1.2, 1.4]);
    assert.deepEqual(niceTicks(85, 215), [100, 125, 150, 175, 200]);
    assert.deepEqual(niceTicks(-3, 3), [-2, 0, 2]);
  });

  it('every tick lies within the domain, and a flat or broken domain gives none', () => {
    for (const [a, b] of [[3.76, 6.64], [0.01, 0.09], [120, 180], [1e3, 9e3]] as const) {
      const ticks = niceTicks(a, b);
      assert.ok(ticks.length >= 2 && ticks.length <= 6, `${a}..${b}: ${ticks}`);
      assert.ok(ticks.every((v) => v >= a && v <= b), `${a}..${b}: ${ticks}`);
    }
    assert.deepEqual(niceTicks(5, 5), []);
    assert.deepEqual(niceTicks(Number.NaN, 1), []);
  });
});
