/**
 * Tables of valid and invalid cases for one rule, the way ESLint's RuleTester reads: each case is
 * a module (WAT compiled to a binary, WAT as a `.wat` document, or raw bytes) and a policy, and an
 * invalid case lists every finding of the rule with its exact location. Only the rule under test
 * runs (`runRules` with its plan), so a case says nothing about the rest of the pipeline.
 */
import * as assert from 'node:assert/strict';
import type { Finding, Severity } from '../../../server/src/core/findings';
import { LineIndex } from '../../../server/src/core/location';
import { readBinaryModule } from '../../../server/src/core/module/binary';
import type { ModuleFacts } from '../../../server/src/core/module/model';
import type { EffectivePolicy } from '../../../server/src/core/policy/types';
import { planRules } from '../../../server/src/core/rules/plan';
import { findRule } from '../../../server/src/core/rules/registry';
import type { SignatureCheck } from '../../../server/src/core/rules/rule';
import { runRules } from '../../../server/src/core/rules/runner';
import { binaryCodeView } from '../../../server/src/core/rules/support/codeView';
import { readWatModules } from '../../../server/src/core/wat/reader';
import { defaultPolicy, policyFrom, wat2wasm, where } from './helpers';

export interface RuleCase {
  /** Shown as the test's title; defaults to the source. */
  name?: string;
  /** WAT compiled with wabt and checked as a binary (byte locations). */
  wat?: string;
  /** WAT checked as a `.wat` document (text locations: [line, char, line, char], zero-based). */
  text?: string;
  /** A binary as it is, or made when the case runs (WAT compiled, then sections appended). */
  bytes?: Uint8Array | (() => Promise<Uint8Array>);
  /** The policy next to the module (a JSON object or JSONC text); the built-in default when absent. */
  policy?: object | string;
  /** A signature verdict for the signature rules, or how to reach it from the case's bytes. */
  signature?: SignatureCheck | ((bytes: Uint8Array) => SignatureCheck);
}

export interface ExpectedFinding {
  severity: Severity;
  /** The whole message, or a pattern it must match. */
  message: string | RegExp;
  /** `[offset, length]` in a binary, `[line, char, line, char]` in text. */
  where: number[];
  /** The quick-fix data, when the case cares. */
  data?: Record<string, unknown>;
  /** The policy line that decided it (`decidedBy.text`), when the case cares. */
  decidedBy?: string;
}

export interface InvalidCase extends RuleCase {
  findings: ExpectedFinding[];
}

export interface RuleCases {
  valid: RuleCase[];
  invalid: InvalidCase[];
}

async function findingsOf(ruleId: string, testCase: RuleCase): Promise<Finding[]> {
  const rule = findRule(ruleId);
  assert.ok(rule, `no rule "${ruleId}"`);
  const policy: EffectivePolicy = testCase.policy ? policyFrom(testCase.policy) : defaultPolicy();
  // The rule under test runs even where its default is `off`, at its own severity.
  const plan = planRules(policy, {}, [rule]);
  if (plan.rules.length === 0) return [];
  if (testCase.text !== undefined) {
    const text = testCase.text;
    const read = readWatModules(text, new LineIndex(text));
    const wantsCode = plan.needsCode || plan.rules.some((p) => p.rule.meta.usesCallGraph);
    const findings: Finding[] = [];
    for (const entry of read.entries) {
      // Bodies come from the compiled text, located at each function's `(func` as the pipeline does;
      // like the pipeline, a rule that reads the call graph (what reaches an import) gets them too.
      const compiled =
        wantsCode && entry.source.kind === 'text' ? await wat2wasm(entry.source.text) : undefined;
      const locate = (index: number) =>
        entry.facts.functions.find((fn) => fn.index === index)?.location ?? entry.location;
      const code = compiled ? () => binaryCodeView(readBinaryModule(compiled), compiled, locate) : undefined;
      // A text is not what gets signed: only a fixed verdict applies to it.
      const signature = typeof testCase.signature === 'function' ? undefined : testCase.signature;
      findings.push(...runRules({ facts: entry.facts, policy, text, plan, code, signature }));
    }
    return findings;
  }
  const given = typeof testCase.bytes === 'function' ? await testCase.bytes() : testCase.bytes;
  const bytes = given ?? (await wat2wasm(testCase.wat ?? ''));
  const facts: ModuleFacts = readBinaryModule(bytes);
  const signature = typeof testCase.signature === 'function' ? testCase.signature(bytes) : testCase.signature;
  const tree = (f: ModuleFacts, nested: boolean): Finding[] => [
    ...runRules({
      facts: f,
      policy,
      bytes,
      nested,
      plan,
      code: () => binaryCodeView(f, bytes),
      signature: nested ? undefined : signature,
    }),
    ...(f.modules ?? []).flatMap((inner) => tree(inner, true)),
  ];
  return tree(facts, false);
}

function title(testCase: RuleCase): string {
  return (
    testCase.name ??
    (
      testCase.wat ??
      testCase.text ??
      (testCase.bytes instanceof Uint8Array ? `${testCase.bytes.length} bytes` : 'bytes')
    ).replace(/\s+/g, ' ')
  );
}

/** Declares one mocha test per case, in a `describe` named after the rule. */
export function ruleTester(ruleId: string, cases: RuleCases): void {
  describe(`rule ${ruleId}`, () => {
    for (const testCase of cases.valid) {
      it(`valid: ${title(testCase)}`, async () => {
        assert.deepEqual(await findingsOf(ruleId, testCase), []);
      });
    }
    for (const testCase of cases.invalid) {
      it(`invalid: ${title(testCase)}`, async () => {
        const actual = await findingsOf(ruleId, testCase);
        assert.equal(actual.length, testCase.findings.length, actual.map((f) => f.message).join('\n'));
        testCase.findings.forEach((expected, i) => {
          const finding = actual[i];
          assert.equal(finding.severity, expected.severity, finding.message);
          if (typeof expected.message === 'string') assert.equal(finding.message, expected.message);
          else assert.match(finding.message, expected.message);
          assert.deepEqual(where(finding), expected.where, finding.message);
          if (expected.data) assert.deepEqual(finding.data, expected.data);
          if (expected.decidedBy !== undefined) assert.equal(finding.decidedBy?.text, expected.decidedBy);
        });
      });
    }
  });
}
