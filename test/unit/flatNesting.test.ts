import * as assert from 'node:assert/strict';
import { compileWat, WABT_MAX_FLAT_NESTING } from '../../server/src/core/wat/compile';
import { flatNestingDepth } from '../../server/src/core/wat/flatNesting';

/** A function whose body nests `depth` flat `keyword`s, the way `wasm2wat` prints a big switch. */
function nested(depth: number, keyword = 'block'): string {
  const open = Array.from({ length: depth }, (_, i) => `${keyword}  ;; label = @${i + 1}\n`).join('');
  return `(module\n  (func\n${open}${'end\n'.repeat(depth)}  )\n)\n`;
}

describe('flat nesting depth (what wabt can parse)', () => {
  it('counts flat block, loop, if, try and try_table down to their end', () => {
    assert.equal(flatNestingDepth(nested(3)), 3);
    assert.equal(flatNestingDepth(nested(7, 'loop')), 7);
    assert.equal(flatNestingDepth('(func i32.const 0 if block end else loop end end)'), 2);
    assert.equal(flatNestingDepth('(func try_table block end end try end)'), 2);
    // Sibling blocks do not add up.
    assert.equal(flatNestingDepth('(func block end block end block end)'), 1);
  });

  it('skips folded forms, comments, strings and identifiers that merely contain a keyword', () => {
    assert.equal(flatNestingDepth('(func (block (loop (if (then)))))'), 0);
    assert.equal(flatNestingDepth(';; block block block\n(; block (; loop ;) block ;) (func)'), 0);
    assert.equal(flatNestingDepth('(data "block \\" loop if")(func $block call $loop)'), 0);
    assert.equal(flatNestingDepth('(func br_if 0 blocks end)'), 0);
  });

  it('stops counting once past the limit it is given', () => {
    assert.equal(flatNestingDepth(nested(500), 10), 11);
  });

  it('says at once that wabt cannot validate a module nested deeper than its parser handles', async function () {
    this.timeout(20_000);
    const deep = await compileWat(nested(WABT_MAX_FLAT_NESTING + 140));
    assert.equal(deep.bytes, undefined);
    assert.equal(deep.findings.length, 1);
    assert.equal(deep.findings[0].ruleId, 'invalid-module');
    assert.equal(deep.findings[0].severity, 'warning');
    assert.match(deep.findings[0].message, /^Not validated by wabt: blocks nest more than 160 deep/);
    // At the limit wabt still compiles it.
    const atLimit = await compileWat(nested(WABT_MAX_FLAT_NESTING));
    assert.ok(atLimit.bytes, JSON.stringify(atLimit.findings));
  });
});
