import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { compileWat, WABT_MAX_FLAT_NESTING } from '../../server/src/core/wat/compile';
import { flatNestingDepth } from '../../server/src/core/wat/flatNesting';
import { validateBinary } from '../../server/src/core/module/validate';

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

  it('compiles and validates a module nested deeper than wabt handles with wasm-tools instead', async function () {
    this.timeout(120_000);
    const deep = nested(WABT_MAX_FLAT_NESTING + 140);
    const compiled = await compileWat(deep);
    assert.deepEqual(compiled.findings, []);
    assert.ok(compiled.bytes);
    assert.deepEqual(validateBinary(compiled.bytes), []);
    assert.equal(compiled.facts?.functions.length, 1);
    // Not valid: the function must return an i32 and leaves nothing.
    const invalid = await compileWat(deep.replace('(func\n', '(func (result i32)\n'));
    assert.equal(invalid.bytes, undefined);
    assert.deepEqual(
      invalid.findings.map((f) => [f.ruleId, f.severity]),
      [['invalid-module', 'error']],
    );
    // Malformed: the misspelt instruction is located on its line.
    const malformed = await compileWat(deep.replace('block  ;; label = @200\n', 'blok\n'));
    assert.equal(malformed.findings.length, 1);
    assert.equal(malformed.findings[0].ruleId, 'syntax-error');
    assert.match(malformed.findings[0].message, /\(wasm-tools\)$/);
    assert.deepEqual(malformed.findings[0].location, {
      kind: 'text',
      start: { line: 201, character: 0 },
      end: { line: 201, character: 1 },
    });
    // At the limit wabt still compiles it.
    const atLimit = await compileWat(nested(WABT_MAX_FLAT_NESTING));
    assert.ok(atLimit.bytes, JSON.stringify(atLimit.findings));
  });

  it('hands wasm-tools the text in a temporary file and removes it afterwards, parsed or not', async function () {
    this.timeout(120_000);
    const ours = (): string[] => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('wasm-warden-wat-'));
    const before = new Set(ours());
    const deep = nested(WABT_MAX_FLAT_NESTING + 10);
    const pending = [compileWat(deep), compileWat(deep.replace('block  ;; label = @5\n', 'blok\n'))];
    // Both texts are on disk before either compile is awaited: the tools process can read them
    // while this thread is busy (the text-analysis worker's reader runs meanwhile).
    assert.equal(ours().filter((n) => !before.has(n)).length, 2);
    const [good, bad] = await Promise.all(pending);
    assert.ok(good.bytes, JSON.stringify(good.findings));
    assert.equal(bad.findings[0]?.ruleId, 'syntax-error');
    assert.deepEqual(
      ours().filter((n) => !before.has(n)),
      [],
    );
  });
});
