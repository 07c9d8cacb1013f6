import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeModule, analyzeWatInSteps, type ModuleInput } from '../../server/src/core/analyze';
import { compileWat } from '../../server/src/core/wat/compile';
import { WatCompileThread } from '../../server/src/workers/watCompile/thread';
import { defaultPolicy, MODULE_PATH } from './rules/helpers';

const repo = path.resolve(__dirname, '..', '..', '..');
const fileName = MODULE_PATH.replace(/\.wasm$/, '.wat');

const valid = `;; a comment (with parens)
(module
  (type $t (func (result i32)))
  (memory 1)
  (table $tab (export "tab") 2 funcref)
  (func $f (result i32) (i32.const 1))
  (elem (i32.const 0) $f)
  (func (export "go") (param i32) (result i32) (call_indirect (type $t) (local.get 0))))
`;
const texts: Array<[string, string]> = [
  ['valid', valid],
  ['invalid', valid.replace('(i32.const 1)', '(i64.const 1)')],
  ['guessed wrong (comment after the module)', valid + ';; trailing )\n'],
  ['two modules', `${valid}(module (func (result i32) (i64.const 0)))`],
  ['unclosed', valid.slice(0, -3)],
];

function input(text: string, compileAside?: ModuleInput['compileAside']): ModuleInput {
  return { fileName, text, policy: defaultPolicy(), compileAside };
}

describe('wabt beside the reader', function () {
  this.timeout(60_000);

  for (const [name, text] of texts) {
    it(`gives what analyzeModule gives when compiling aside (${name})`, async () => {
      const asked: string[] = [];
      const aside = (t: string, f: string) => {
        asked.push(t);
        return compileWat(t, f);
      };
      const steps = analyzeWatInSteps(input(text, aside), text);
      assert.deepEqual(await steps.complete(), await analyzeModule(input(text)));
      // One compile started ahead on the guess; a wrong guess's modules compile aside too, never here.
      const modules = name === 'two modules' ? 2 : 1;
      const guessedRight = name !== 'guessed wrong (comment after the module)' && modules === 1;
      assert.equal(asked.length, guessedRight ? 1 : 1 + modules);
    });
  }

  it('compiles on the worker thread of the bundle, with the same findings', async function () {
    const thread = WatCompileThread.create(path.join(repo, 'dist', 'wat-compile-worker.js'));
    if (!thread) this.skip(); // dist/ not built; npm test builds it first
    try {
      for (const [, text] of texts) {
        const steps = analyzeWatInSteps(
          input(text, (t, f) => thread.compile(t, f)),
          text,
        );
        assert.deepEqual(await steps.complete(), await analyzeModule(input(text)));
      }
    } finally {
      thread.dispose();
    }
  });

  it('a worker that dies fails only its compile, as a warning; nothing compiles on this thread', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-wabt-'));
    const script = path.join(dir, 'crash.js');
    fs.writeFileSync(
      script,
      "require('node:worker_threads').parentPort.on('message', () => process.exit(3));",
    );
    const thread = WatCompileThread.create(script)!;
    try {
      const result = await thread.compile(valid, fileName);
      assert.equal(result.bytes, undefined);
      assert.equal(result.findings.length, 1);
      assert.equal(result.findings[0].severity, 'warning');
      assert.match(result.findings[0].message, /^Not validated by wabt: the worker stopped \(exit code 3\)/);
    } finally {
      thread.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a compile over its time limit ends as a located warning, and the next compile works', async function () {
    const script = path.join(repo, 'dist', 'wat-compile-worker.js');
    const slow = WatCompileThread.create(script, 1);
    if (!slow) this.skip();
    const thread = WatCompileThread.create(script)!;
    try {
      const big = `(module ${'(func (result i32) (i32.add (i32.const 1) (i32.const 2)))\n'.repeat(20_000)})`;
      const timedOut = await slow.compile(big, fileName);
      assert.equal(timedOut.bytes, undefined);
      assert.match(timedOut.findings[0].message, /^Not validated by wabt: it did not finish within 0 s/);
      assert.deepEqual(timedOut.findings[0].location, {
        kind: 'text',
        start: { line: 0, character: 0 },
        end: { line: 0, character: 0 },
      });
      assert.ok((await thread.compile(valid, fileName)).bytes);
    } finally {
      slow.dispose();
      thread.dispose();
    }
  });

  it('cancelling a document stops its compile; other documents compile', async function () {
    const thread = WatCompileThread.create(path.join(repo, 'dist', 'wat-compile-worker.js'));
    if (!thread) this.skip();
    try {
      const big = `(module ${'(func (result i32) (i32.add (i32.const 1) (i32.const 2)))\n'.repeat(50_000)})`;
      const pending = thread.compile(big, fileName, 'file:///big.wat');
      const other = thread.compile(valid, fileName, 'file:///small.wat');
      thread.cancel('file:///big.wat');
      assert.deepEqual(await pending, { findings: [] });
      assert.ok((await other).bytes);
      assert.equal(thread.pending, 0);
    } finally {
      thread.dispose();
    }
  });
});

describe('wabt after a trap', function () {
  this.timeout(60_000);

  it('150 nested blocks trap inside wabt; later compiles get a fresh instance and succeed', async () => {
    const deep = (n: number) => `(module (func ${'(block '.repeat(n)}${')'.repeat(n)}))`;
    for (const depth of [150, 200, 1000]) {
      const trapped = await compileWat(deep(depth), fileName);
      assert.equal(trapped.bytes, undefined);
      assert.match(
        trapped.findings[0].message,
        /^wabt could not compile this module \(.+\); very deep nesting/,
      );
      const after = await compileWat(valid, fileName);
      assert.deepEqual(after.findings, []);
      assert.ok(after.bytes, `a valid module compiles after ${depth} nested blocks`);
    }
  });
});
