import * as assert from 'node:assert/strict';
import { RULES, findRule, ruleDescriptors } from '../../../server/src/core/rules/registry';
import { activeRules, resolveSetting, runRules } from '../../../server/src/core/rules/runner';
import { createRule, formatMessage } from '../../../server/src/core/rules/rule';
import { readBinaryModule } from '../../../server/src/core/module/binary';
import { dataModule } from './dataModules';
import {
  checkBytes,
  checkText,
  checkWat,
  defaultPolicy,
  ofRule,
  policyFrom,
  wat2wasm,
  where,
} from './helpers';

const START = '(module (func $boot) (start $boot))';

describe('rules: framework', () => {
  it('has kebab-case, unique ids and complete metadata', () => {
    const ids = RULES.map((r) => r.meta.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const rule of RULES) {
      assert.match(rule.meta.id, /^[a-z]+(-[a-z0-9]+)*$/);
      assert.ok(rule.meta.description.length > 10 && rule.meta.rationale.length > 10, rule.meta.id);
      assert.ok(Object.keys(rule.meta.messages).length > 0, rule.meta.id);
    }
    assert.equal(ruleDescriptors().length, RULES.length);
    assert.equal(findRule('memory-limit')?.meta.id, 'memory-limit');
  });

  it('fills message placeholders and leaves unknown ones visible', () => {
    assert.equal(formatMessage('a {{x}} b {{ y }} {{z}}', { x: 1, y: 'two' }), 'a 1 b two {{z}}');
  });

  it('uses the rule default, then the policy rules map, then overrides', () => {
    const rule = findRule('start-function')!;
    assert.deepEqual(resolveSetting(rule, defaultPolicy()), { setting: 'info', configured: false });
    const policy = policyFrom({ rules: { 'start-function': 'error' } });
    const fromPolicy = resolveSetting(rule, policy);
    assert.equal(fromPolicy.setting, 'error');
    assert.equal(fromPolicy.decidedBy?.text, '"start-function": "error"');
    assert.deepEqual(resolveSetting(rule, policy, { 'start-function': 'off' }), {
      setting: 'off',
      configured: true,
    });
  });

  it('applies a policy severity to every finding of the rule and names the policy line', async () => {
    const [finding] = ofRule(
      await checkWat(START, { policy: policyFrom({ rules: { 'start-function': 'warning' } }) }),
      'start-function',
    );
    assert.equal(finding.severity, 'warning');
    assert.equal(finding.decidedBy?.file, '/virtual/project/wasm-policy.json');
  });

  it('skips a rule that is off, from the policy or an override', async () => {
    assert.equal(
      ofRule(
        await checkWat(START, { policy: policyFrom({ rules: { 'start-function': 'off' } }) }),
        'start-function',
      ).length,
      0,
    );
    assert.equal(
      ofRule(await checkWat(START, { overrides: { 'start-function': 'off' } }), 'start-function').length,
      0,
    );
    assert.equal(
      activeRules(defaultPolicy(), { 'start-function': 'off' }).some((r) => r.meta.id === 'start-function'),
      false,
    );
  });

  it('skips a rule that reads data when a setting turns it off (suspicious-data)', async () => {
    const bytes = await wat2wasm(dataModule('stratum+tcp://x.example:1'));
    assert.equal(ofRule(await checkBytes(bytes), 'suspicious-data').length, 1);
    assert.deepEqual(
      ofRule(await checkBytes(bytes, { overrides: { 'suspicious-data': 'off' } }), 'suspicious-data'),
      [],
    );
  });

  it('raises a rule to error from a setting, in a .wat at the import (dangerous-import)', async () => {
    const text = '(module\n  (import "env" "emscripten_run_script" (func (param i32))))';
    const [finding] = ofRule(
      await checkText(text, { overrides: { 'dangerous-import': 'error' } }),
      'dangerous-import',
    );
    assert.equal(finding.severity, 'error');
    assert.deepEqual(where(finding), [1, 2, 1, 59]);
  });

  it('lets an override beat the policy', async () => {
    const policy = policyFrom({ rules: { 'start-function': 'off' } });
    const [finding] = ofRule(
      await checkWat(START, { policy, overrides: { 'start-function': 'error' } }),
      'start-function',
    );
    assert.equal(finding.severity, 'error');
  });

  it('fails closed on a broken policy: one policy-error on the module, strict rules applied', async () => {
    const policy = policyFrom('{ "memory": { "maxPages": "lots" } }');
    assert.equal(policy.source.kind, 'strict-fallback');
    const analysis = await checkWat('(module (import "env" "f" (func)) (memory 1 1))', { policy });
    const errors = analysis.findings.filter((f) => f.ruleId === 'policy-error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].severity, 'error');
    assert.deepEqual(errors[0].location, analysis.facts[0].location);
    assert.equal(errors[0].decidedBy?.file, '/virtual/project/wasm-policy.json');
    assert.match(errors[0].message, /Checked against the strict built-in policy until it is fixed\.$/);
    // The strict policy denies every import.
    assert.equal(ofRule(analysis, 'disallowed-import')[0].severity, 'error');
    const text = await checkText('(module (func))\n(module (func))', { policy });
    assert.equal(text.findings.filter((f) => f.ruleId === 'policy-error').length, 1, 'once per file');
  });

  it('validates each text module with wabt and places its errors in the file, not in the module', async () => {
    const text = '(module (func))\n\n(module\n  (func (result i32) (i64.const 1)))';
    const analysis = await checkText(text);
    const invalid = analysis.findings.filter((f) => f.ruleId === 'invalid-module');
    assert.equal(invalid.length, 1);
    assert.equal(invalid[0].location.kind, 'text');
    assert.equal((invalid[0].location as { start: { line: number } }).start.line, 3);
    assert.equal(analysis.facts.length, 2);
  });

  it('never decodes function bodies when every rule that needs them is off', async () => {
    const bytes = await wat2wasm('(module (func (drop (i32.xor (i32.const 1) (i32.const 2)))))');
    const facts = readBinaryModule(bytes);
    let decoded = 0;
    const code = () => {
      decoded++;
      return undefined;
    };
    const offCode = Object.fromEntries(
      RULES.filter((r) => r.meta.needsCode).map((r) => [r.meta.id, 'off' as const]),
    );
    runRules({ facts, policy: defaultPolicy(), bytes, code, ruleOverrides: offCode });
    assert.equal(decoded, 0);
    runRules({ facts, policy: defaultPolicy(), bytes, code });
    assert.equal(decoded, 1, 'decoded once, shared by all rules that need it');
  });

  it('turns a rule that throws into a located warning and keeps the other rules', async () => {
    const bytes = await wat2wasm(START);
    const facts = readBinaryModule(bytes);
    const broken = createRule({
      meta: {
        id: 'broken',
        description: 'always throws',
        rationale: 'for the test',
        defaultSeverity: 'error',
        policyFields: [],
        needsCode: false,
        messages: { m: 'm' },
      },
      check() {
        throw new Error('boom');
      },
    });
    const findings = runRules({
      facts,
      policy: defaultPolicy(),
      bytes,
      rules: [broken, findRule('start-function')!],
    });
    assert.deepEqual(
      findings.map((f) => [f.ruleId, f.severity, f.message]),
      [
        [
          'broken',
          'error',
          'Rule "broken" could not finish on this module, so the module is not cleared by it: boom',
        ],
        [
          'start-function',
          'info',
          'Function $boot (index 0) runs automatically when the module is instantiated (start function).',
        ],
      ],
    );
  });
});
