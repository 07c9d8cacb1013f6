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
import { mutateBytes } from '../fuzz/mutate';
import { ALL_TARGETS, runTarget } from '../fuzz/targets';
import { encodeVarUint32 } from '../../server/src/core/module/byteReader';
import { seededRandom } from '../support/seededRandom';
import { REPO_ROOT } from '../support/lspClient';

describe('fuzzing (short seeded run)', function () {
  this.timeout(300_000);

  it('finds no crash, hang, disagreement with V8 or accepted tampering in 100 inputs per target', async () => {
    const summary = await runFuzz({
      seed: 14,
      runs: 100,
      targets: ALL_TARGETS,
      // A hang is an input that never ends; the budget is generous for a loaded machine.
      budgetMs: 30_000,
      cli: true,
    });
    assert.deepEqual(summary.findings, []);
    for (const target of ALL_TARGETS) assert.equal(summary.inputs[target], 100, target);
    assert.equal(summary.inputs.cli, 401);
  });

  const reproducers = path.join(REPO_ROOT, 'test/fixtures/fuzz');
  for (const file of fs.readdirSync(reproducers).filter((f) => f.endsWith('.wasm'))) {
    it(`reads and checks the reproducer ${file}`, async () => {
      const bytes = new Uint8Array(fs.readFileSync(path.join(reproducers, file)));
      await runTarget('facts', bytes);
      await runTarget('rules', bytes);
      await runTarget('disassembler', bytes);
      await runTarget('metering', bytes);
    });
  }
});

describe('fuzzing mutations of a large module', () => {
  it('duplicate and splice a 1 MB section without overflowing the stack', () => {
    // A module whose only section is a 1 MB custom section: dropping, duplicating and splicing it
    // once passed its bytes as call arguments, which overflowed the stack on ffmpeg's code section.
    const payload = 1024 * 1024;
    const name = [1, 0x78];
    const size = encodeVarUint32(name.length + payload);
    const module = new Uint8Array(8 + 1 + size.length + name.length + payload);
    module.set([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x00]);
    module.set(size, 9);
    module.set(name, 9 + size.length);
    const random = seededRandom(7);
    for (let i = 0; i < 12; i++) assert.ok(mutateBytes(random, module, module).length >= 0);
  });
});
