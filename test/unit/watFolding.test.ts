import * as assert from 'node:assert/strict';
import { foldingRanges } from '../../server/src/core/wat/folding';

describe('WAT folding ranges', () => {
  it('folds multi-line lists up to the line before their close, and block comments', () => {
    const text = [
      '(module',
      '  (func $f',
      '    (block',
      '      nop))',
      '  (; a',
      '     b ;)',
      '  (memory 1))',
    ].join('\n');
    assert.deepEqual(foldingRanges(text), [
      { startLine: 0, endLine: 5 },
      { startLine: 1, endLine: 2 },
      { startLine: 4, endLine: 5, kind: 'comment' },
    ]);
  });

  it('ignores one-line lists, parentheses in strings and comments, and unbalanced input', () => {
    assert.deepEqual(foldingRanges('(module (func))\n(data "((((\n'), []);
    assert.deepEqual(foldingRanges(';; ((\n(module\n)'), []);
    assert.deepEqual(foldingRanges(')))\n(module\n\n'), []);
  });
});
