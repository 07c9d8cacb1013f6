/**
 * The short, seeded run of the fuzzing harness (test/fuzz; the long run is `npm run fuzz`, see
 * docs/FUZZING.md): mutated modules, texts, signed modules and policies through the facts reader
 * (against V8), the rules, the WAT reader, signature verification and policy resolution, each
 * input in a worker with a time budget; then one batch through dist/cli.js. The disassembler and
 * the WAT compiler are in it too, and every reproducer in test/fixtures/fuzz/ goes through the
 * disassembler as well as the reader and the rules.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runFuzz } from '../fuzz/harness';
import { runTarget } from '../fuzz/targets';
import { REPO_ROOT } from '../support/lspClient';

describe('fuzzing (short seeded run)', function () {
  this.timeout(300_000);

  it('finds no crash, hang, disagreement with V8 or accepted tampering in 100 inputs per target', async () => {
    const summary = await runFuzz({
      seed: 14,
      runs: 100,
      targets: ['facts', 'rules', 'wat-reader', 'wat-compile', 'disassembler', 'signature', 'policy'],
      // A hang is an input that never ends; the budget is generous for a loaded machine.
      budgetMs: 30_000,
      cli: true,
    });
    assert.deepEqual(summary.findings, []);
    assert.equal(summary.inputs.facts, 100);
    assert.equal(summary.inputs.cli, 401);
  });

  const reproducers = path.join(REPO_ROOT, 'test/fixtures/fuzz');
  for (const file of fs.readdirSync(reproducers).filter((f) => f.endsWith('.wasm'))) {
    it(`reads and checks the reproducer ${file}`, async () => {
      const bytes = new Uint8Array(fs.readFileSync(path.join(reproducers, file)));
      await runTarget('facts', bytes);
      await runTarget('rules', bytes);
      await runTarget('disassembler', bytes);
    });
  }
});
