import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../server/src/cli/command';
import { runCli } from '../../server/src/cli/main';
import { sharedTestdata } from '../support/sharedTestdata';

const SIGNED = sharedTestdata('wasm-signatures', 'modules', '03_signed_key1_key2.wasm');
const COMPONENT = sharedTestdata('wasm-signatures', 'modules', '08_component_signed_key1.wasm');

async function inspect(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false, cwd: dir };
  const code = await runCli(['inspect', ...args], io);
  return { code, stdout, stderr };
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasm-warden-inspect-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('wasm-warden inspect', () => {
  it('prints a human summary of a core module and exits 0', async () => {
    const { code, stdout } = await inspect(SIGNED);
    assert.equal(code, 0);
    assert.match(stdout, /core module: 2 functions/);
    assert.match(stdout, /env :: log {2}func \(i32\) -> \(\)/);
    assert.match(stdout, /memory 0: initial 1, maximum none pages of 64 KiB; defined, exported as memory/);
    assert.match(stdout, /signature: 1 signed hash set\(s\), 2 signature\(s\), key ids: \(none\), \(none\)/);
    assert.match(stdout, /problems: none/);
  });

  it('--json prints the model with the documented fields', async () => {
    const { code, stdout } = await inspect(SIGNED, '--json');
    assert.equal(code, 0);
    const json = JSON.parse(stdout);
    assert.equal(json.kind, 'module');
    assert.deepEqual(
      json.imports.map((i: { module: string; name: string; kind: string }) => [i.module, i.name, i.kind]),
      [['env', 'log', 'func']],
    );
    assert.deepEqual(
      json.exports.map((e: { name: string; kind: string }) => [e.name, e.kind]),
      [
        ['memory', 'memory'],
        ['add', 'func'],
        ['bump', 'func'],
      ],
    );
    assert.deepEqual(
      json.memories.map(
        (m: {
          imported: boolean;
          initial: number;
          maximum: number | null;
          shared: boolean;
          memory64: boolean;
        }) => [m.imported, m.initial, m.maximum, m.shared, m.memory64],
      ),
      [[false, 1, null, false, false]],
    );
    assert.deepEqual(json.tables, []);
    assert.equal(json.start, null);
    assert.deepEqual(
      json.customSections.map((c: { name: string }) => c.name),
      ['signature', 'name', '.debug_info', 'producers'],
    );
    assert.deepEqual(json.problems, []);
  });

  it('--json leaves functions[] and dataSegments[] to --detail, and keeps every other field as it was', async () => {
    writeFileSync(
      join(dir, 'items.wat'),
      '(module (memory 1) (data (i32.const 8) "hi") (func $f (export "f") (result i32) i32.const 1))',
    );
    for (const file of [SIGNED, 'items.wat']) {
      const summary = JSON.parse((await inspect(file, '--json')).stdout);
      const full = JSON.parse((await inspect(file, '--json', '--detail')).stdout);
      assert.equal(summary.functions, undefined, file);
      assert.equal(summary.dataSegments, undefined, file);
      assert.ok(full.functions.length > 0, file);
      assert.ok(Array.isArray(full.dataSegments), file);
      delete full.functions;
      delete full.dataSegments;
      assert.deepEqual(Object.keys(summary), Object.keys(full), file);
      assert.deepEqual(summary, full, file);
    }
    const full = JSON.parse((await inspect('items.wat', '--json', '--detail')).stdout);
    assert.deepEqual(
      full.dataSegments.map((d: { size: number }) => d.size),
      [2],
    );
    assert.match((await inspect('--help')).stdout, /--detail with --json, also print the per-item lists/);
  });

  it('components: imports, exports and nested modules in JSON', async () => {
    const { code, stdout } = await inspect(COMPONENT, '--json');
    assert.equal(code, 0);
    const json = JSON.parse(stdout);
    assert.equal(json.kind, 'component');
    assert.deepEqual(json.components, { imports: [], exports: [], coreImports: [], features: [] });
    assert.deepEqual(json.world, { imports: [], exports: [] });
    assert.deepEqual(json.modules, []);
  });

  it('components: the world with typed functions in JSON, and as WIT in text', async () => {
    const file = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'components', 'resources.wasm');
    const { code, stdout } = await inspect(file, '--json');
    assert.equal(code, 0);
    const json = JSON.parse(stdout);
    assert.deepEqual(
      json.world.imports.map((i: { name: string; kind: string }) => [i.name, i.kind]),
      [
        ['wasi:io/error@0.2.3', 'instance'],
        ['example:kv/store@1.0.0', 'instance'],
        ['log', 'func'],
      ],
    );
    assert.deepEqual(json.world.imports[1].functions[1], {
      name: '[method]bucket.get',
      params: [
        { name: 'self', type: 'borrow<bucket>' },
        { name: 'key', type: 'string' },
      ],
      results: ['option<entry>'],
    });
    assert.match(json.wit, /^package root:component;\n\nworld root \{\n {2}import wasi:io\/error@0\.2\.3;/);
    assert.equal(json.components.wit, undefined, 'the WIT is printed once, at the top');
    const text = await inspect(file);
    assert.equal(text.code, 0);
    assert.match(
      text.stdout,
      /world \(WIT\):\n {2}package root:component;\n\n {2}world root \{\n {4}import wasi:io\/error@0\.2\.3;/,
    );
    assert.match(text.stdout, /\n {8}get: func\(key: string\) -> option<entry>;\n/);
  });

  it('exits 1 with a located problem for a malformed module', async () => {
    writeFileSync(join(dir, 'bad.wasm'), Buffer.from('0061736d01000000017f', 'hex'));
    const { code, stdout } = await inspect('bad.wasm');
    assert.equal(code, 1);
    assert.match(stdout, /error byte 9: section size 127 of the type section runs past the end/);
  });

  it('reads .wat files with the text reader and validates them with wabt, located in the text', async () => {
    writeFileSync(
      join(dir, 'm.wat'),
      '(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))) (memory (export "memory") 1 2))',
    );
    const { code, stdout } = await inspect('m.wat', '--json');
    assert.equal(code, 0);
    const json = JSON.parse(stdout);
    assert.deepEqual(
      json.imports.map((i: { module: string; name: string }) => `${i.module}.${i.name}`),
      ['wasi_snapshot_preview1.fd_write'],
    );
    assert.deepEqual([json.memories[0].initial, json.memories[0].maximum], [1, 2]);
    assert.deepEqual(json.imports[0].location.kind, 'text');
    writeFileSync(join(dir, 'broken.wat'), '(module\n  (func (result i32)\n    i64.const 1))');
    const broken = await inspect('broken.wat');
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /error 3:5: type mismatch in implicit return/);
  });

  it('usage and I/O errors exit 2', async () => {
    assert.equal((await inspect()).code, 2);
    assert.equal((await inspect('--nope', SIGNED)).code, 2);
    assert.equal((await inspect(SIGNED, SIGNED)).code, 2);
    const missing = await inspect('missing.wasm');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read missing\.wasm: ENOENT/);
  });
});
