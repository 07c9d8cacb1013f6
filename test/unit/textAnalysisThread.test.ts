import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeModule } from '../../server/src/core/analyze';
import { TextAnalysisThread } from '../../server/src/workers/textAnalysis/thread';
import type { TextAnalysisStep } from '../../server/src/workers/textAnalysis/protocol';
import { defaultPolicy, MODULE_PATH } from './rules/helpers';

const repo = path.resolve(__dirname, '..', '..', '..');
const script = path.join(repo, 'dist', 'wat-analysis-worker.js');
const fileName = MODULE_PATH.replace(/\.wasm$/, '.wat');

/** A module with a denied import, an unbounded memory and a call of the import in a body. */
const text = `(module
  (import "env" "system" (func $system (param i32) (result i32)))
  (memory 1)
  (func (export "run") (result i32) (call $system (i32.const 0)))
)
`;

describe('large .wat documents read on the text-analysis thread', function () {
  this.timeout(60_000);

  it('gives the first step as progress, then every finding analyzeModule gives', async () => {
    const thread = TextAnalysisThread.create(script);
    assert.ok(thread, 'dist/wat-analysis-worker.js is built (npm test builds it first)');
    try {
      const policy = defaultPolicy();
      let first: TextAnalysisStep | undefined;
      const outcome = await thread.analyze({ text, fileName, policy, ruleOverrides: {} }, 'doc', (step) => {
        first = step;
      });
      assert.ok(outcome.ok, JSON.stringify(outcome));
      const here = await analyzeModule({ fileName, text, policy });
      assert.deepEqual(outcome.value, { facts: here.facts, findings: here.findings });
      assert.ok(first, 'the reader’s step came first');
      assert.deepEqual(first.facts, here.facts);
      assert.ok(first.findings.length > 0 && first.findings.length <= here.findings.length);
    } finally {
      thread.dispose();
    }
  });

  it('validates text nested past wabt’s limit with wasm-tools, started before the reader, with the same findings', async () => {
    const thread = TextAnalysisThread.create(script)!;
    try {
      const policy = defaultPolicy();
      // The body of "run" nests 200 flat blocks (past WABT_MAX_FLAT_NESTING) around its call.
      const depth = 200;
      const deep = text.replace(
        '(call $system (i32.const 0))',
        `\n${'block (result i32)\n'.repeat(depth)}(call $system (i32.const 0))\n${'end\n'.repeat(depth)}`,
      );
      const outcome = await thread.analyze(
        { text: deep, fileName, policy, ruleOverrides: {} },
        'deep',
        () => {},
      );
      assert.ok(outcome.ok, JSON.stringify(outcome));
      const here = await analyzeModule({ fileName, text: deep, policy });
      assert.deepEqual(outcome.value, { facts: here.facts, findings: here.findings });
      assert.ok(
        !here.findings.some((f) => /Not validated/.test(f.message)),
        'wasm-tools validated it: ' + JSON.stringify(here.findings.map((f) => f.message)),
      );
      // The call-graph rule read the body through wasm-tools' bytes: it names the export that reaches the import.
      assert.ok(
        here.findings.some(
          (f) => f.ruleId === 'dangerous-import' && /Reached from export `run`/.test(f.message),
        ),
        JSON.stringify(here.findings.map((f) => f.message)),
      );
    } finally {
      thread.dispose();
    }
  });

  it('stops an analysis when its document goes away', async () => {
    const thread = TextAnalysisThread.create(script)!;
    try {
      const big = `(module ${'(func (result i32) (i32.add (i32.const 1) (i32.const 2)))\n'.repeat(20_000)})`;
      const running = thread.analyze(
        { text: big, fileName, policy: defaultPolicy(), ruleOverrides: {} },
        'doc',
        () => thread.cancel('doc'),
      );
      const outcome = await running;
      assert.equal(outcome.ok, false);
      assert.equal(!outcome.ok && outcome.reason, 'cancelled');
    } finally {
      thread.dispose();
    }
  });
});
