import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeModule, analyzeWatInSteps, type ModuleInput } from '../../server/src/core/analyze';
import { compileWat } from '../../server/src/core/wat/compile';
import { WatCompileThread } from '../../server/src/features/watCompile/thread';
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
      assert.equal(asked.length, 1, 'one compile started ahead');
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

  it('compiles in this thread when the worker dies', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-wabt-'));
    const script = path.join(dir, 'crash.js');
    fs.writeFileSync(
      script,
      "require('node:worker_threads').parentPort.on('message', () => process.exit(3));",
    );
    const thread = WatCompileThread.create(script)!;
    try {
      for (const [, text] of texts) {
        assert.deepEqual(await thread.compile(text, fileName), await compileWat(text, fileName));
      }
    } finally {
      thread.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
