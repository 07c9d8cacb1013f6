import * as assert from 'node:assert/strict';
import { analyzeModule, analyzeWatInSteps, type ModuleInput } from '../../server/src/core/analyze';
import { findRule } from '../../server/src/core/rules/registry';
import { defaultPolicy, MODULE_PATH } from './rules/helpers';

function input(text: string): ModuleInput {
  return { fileName: MODULE_PATH.replace(/\.wasm$/, '.wat'), text, policy: defaultPolicy() };
}

const ruleIds = (findings: Array<{ ruleId: string }>) => findings.map((f) => f.ruleId);

describe('a .wat analysis in two steps', function () {
  this.timeout(30_000);

  // An exported growable table (table-exposure reads bodies), a memory without a maximum
  // (memory-limit does not), and, in the second text, a body wabt rejects.
  const valid = `(module
  (type $t (func (result i32)))
  (memory 1)
  (table $tab (export "tab") 2 funcref)
  (func $f (result i32) (i32.const 1))
  (elem (i32.const 0) $f)
  (func (export "go") (param i32) (result i32) (call_indirect (type $t) (local.get 0))))`;
  const invalid = valid.replace('(i32.const 1)', '(i64.const 1)');

  for (const [name, text] of [
    ['valid', valid],
    ['invalid', invalid],
  ]) {
    it(`completes to exactly what analyzeModule gives (${name} module)`, async () => {
      const steps = analyzeWatInSteps(input(text), text);
      assert.deepEqual(await steps.complete(), await analyzeModule(input(text)));
    });
  }

  it('leaves wabt and the rules that read bodies to the second step', async () => {
    const valid1 = analyzeWatInSteps(input(valid), valid);
    assert.deepEqual(ruleIds(valid1.first.findings), ['memory-limit']);
    assert.deepEqual(ruleIds((await valid1.complete()).findings), ['memory-limit', 'table-exposure']);
    assert.ok(valid1.first.findings.every((f) => !findRule(f.ruleId)?.meta.needsCode));

    const invalid1 = analyzeWatInSteps(input(invalid), invalid);
    assert.deepEqual(ruleIds(invalid1.first.findings), ['memory-limit']);
    const complete = await invalid1.complete();
    assert.ok(ruleIds(complete.findings).includes('invalid-module'), ruleIds(complete.findings).join());
    assert.deepEqual(complete.facts, invalid1.first.facts);
  });
});
