import assert from 'node:assert/strict';
import { statement } from '../../../src/store/statement.js';

describe('prepared statements', () => {
  it('a name stands for one text: the same pair again is fine, another text under it is refused', () => {
    const a = statement('unit_statement_a', 'SELECT 1');
    assert.deepEqual(statement('unit_statement_a', 'SELECT 1'), a);
    assert.throws(() => statement('unit_statement_a', 'SELECT 2'), /already used for another text/);
  });

  it('names are plain identifiers', () => {
    for (const bad of ['', 'Upper', '1st', 'with space', 'semi;colon', 'x'.repeat(64)]) {
      assert.throws(() => statement(bad, 'SELECT 1'), /lower-case letters/, bad);
    }
    assert.equal(statement('ok_name_2', 'SELECT 2').name, 'ok_name_2');
  });
});
