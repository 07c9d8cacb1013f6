/**
 * `diff` over module surfaces: crafted pairs for every kind of change with exact outputs, and real
 * pairs (two sql.js releases, a module and its signed copy, a core module and a component wrapping it).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { diffSurfaces, isUnchanged, type ModuleDiff } from '../../server/src/core/diff/diffSurfaces';
import { formatDiffMarkdown, formatDiffText } from '../../server/src/core/diff/format';
import { surfaceFromBytes } from '../../server/src/core/diff/fromBytes';
import { gains, losses } from '../../server/src/core/diff/gains';
import { loadPublicKeys } from '../../server/src/core/signing';
import { compileWat } from '../../server/src/core/wat/compile';
import { realWorldModule } from '../support/realWorldModules';
import { sharedTestdata } from '../support/sharedTestdata';
import { componentWrapping } from '../support/wasmBytes';
import { wasmTools } from '../support/wasmTools';

async function wasm(text: string): Promise<Uint8Array> {
  const { bytes, findings } = await compileWat(text);
  assert.ok(bytes, JSON.stringify(findings));
  return bytes;
}

async function diffWat(before: string, after: string): Promise<ModuleDiff> {
  return diffSurfaces(surfaceFromBytes(await wasm(before)), surfaceFromBytes(await wasm(after)));
}

const gainTexts = (d: ModuleDiff): string[] => gains(d).map((g) => g.text);

describe('diff: crafted pairs', () => {
  it('the same module is unchanged', async () => {
    const text = '(module (import "env" "f" (func)) (memory 1 2) (export "m" (memory 0)))';
    const d = await diffWat(text, text);
    assert.ok(isUnchanged(d));
    assert.deepEqual(gains(d), []);
    assert.equal(
      formatDiffText(d, { before: 'a.wasm', after: 'b.wasm' }),
      '--- a.wasm\n+++ b.wasm\nSize: 38 → 38 bytes (+0)\nNo change in capabilities, imports, exports, limits, signatures or metadata.\n',
    );
  });

  it('a gained WASI import brings its capability group; a lost one is a loss', async () => {
    const d = await diffWat(
      '(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))))',
      `(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
               (import "wasi_snapshot_preview1" "sock_send" (func (param i32 i32 i32 i32 i32) (result i32)))
               (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32))))`,
    );
    assert.deepEqual(d.capabilities, { added: ['network', 'random'], removed: [] });
    assert.deepEqual(gainTexts(d), [
      'capability group "network" (wasi_snapshot_preview1.sock_send)',
      'capability group "random" (wasi_snapshot_preview1.random_get)',
    ]);
    const back = diffSurfaces(
      surfaceFromBytes(
        await wasm(
          '(module (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32))))',
        ),
      ),
      surfaceFromBytes(await wasm('(module)')),
    );
    assert.deepEqual(gains(back), []);
    assert.deepEqual(losses(back), ['capability group "random"']);
  });

  it('a plain import gained, one removed, and one whose signature changed', async () => {
    const d = await diffWat(
      '(module (import "env" "a" (func (param i32))) (import "env" "b" (func)))',
      '(module (import "env" "a" (func (param i64))) (import "env" "c" (func (result i32))))',
    );
    assert.deepEqual(gainTexts(d), ['import env.c (result i32)']);
    assert.deepEqual(losses(d), ['import env.b']);
    assert.deepEqual(d.importTypes, [{ key: 'env.a', before: '(param i32)', after: '(param i64)' }]);
    assert.equal(
      formatDiffText(d, { before: 'old', after: 'new' }).split('\n').slice(3).join('\n'),
      [
        'Gained (1): import env.c (result i32)',
        '',
        'Imports:',
        '  + env.c (func (result i32))',
        '  - env.b (func)',
        '  ~ env.a: (param i32) → (param i64)',
        '',
      ].join('\n'),
    );
  });

  it('exports added and removed', async () => {
    const d = await diffWat(
      '(module (func $f) (export "old" (func $f)) (export "keep" (func $f)))',
      '(module (func $f) (export "keep" (func $f)) (export "new" (func $f)))',
    );
    assert.deepEqual(d.exports, {
      added: [{ name: 'new', kind: 'func' }],
      removed: [{ name: 'old', kind: 'func' }],
    });
    assert.deepEqual(gains(d), []);
  });

  it('memory ceilings: raised, removed, lowered, new and shared', async () => {
    const raised = await diffWat('(module (memory 1 2))', '(module (memory 1 4))');
    assert.deepEqual(gainTexts(raised), ['memory 0 ceiling raised from 1..2 to 1..4']);
    const unbounded = await diffWat('(module (memory 1 2))', '(module (memory 1))');
    assert.deepEqual(gainTexts(unbounded), ['memory 0 ceiling raised from 1..2 to 1..∞']);
    const lowered = await diffWat('(module (memory 1 4))', '(module (memory 2 3))');
    assert.deepEqual(gains(lowered), []);
    assert.deepEqual(losses(lowered), ['memory 0 ceiling 1..4']);
    const added = await diffWat('(module)', '(module (memory 1 2))');
    assert.deepEqual(gainTexts(added), ['new memory 0 (1..2)']);
    const shared = await diffWat('(module (memory 1 2))', '(module (memory 1 2 shared))');
    assert.deepEqual(gainTexts(shared), ['memory 0 became shared']);
    assert.ok(
      formatDiffText(shared, { before: 'o', after: 'n' }).endsWith(
        '\nMemories:\n  ~ memory 0: 1..2 → 1..2 shared\n\nProposals:\n  + threads\n',
      ),
    );
  });

  it('tables: a raised ceiling is a gain', async () => {
    const d = await diffWat('(module (table 1 2 funcref))', '(module (table 3 funcref))');
    assert.deepEqual(gainTexts(d), ['table 0 ceiling raised from 1..2 to 3..∞']);
  });

  it('a start function gained', async () => {
    const d = await diffWat('(module (func $init))', '(module (func $init) (start $init))');
    assert.deepEqual(d.start, { before: null, after: 'func 0' });
    assert.deepEqual(gainTexts(d), ['start function func 0']);
  });

  it('proposals, custom sections and producers', async () => {
    const d = await diffWat(
      '(module (@custom "note" "x"))',
      `(module (memory 1 1 shared) (@custom "producers" "\\01\\08language\\01\\04Rust\\061.80.0"))`,
    );
    assert.deepEqual(d.proposals, { added: ['threads'], removed: [] });
    assert.deepEqual(d.customSections, { added: ['producers'], removed: ['note'] });
    assert.deepEqual(d.producers, { added: ['language: Rust 1.80.0'], removed: [] });
  });

  it('Markdown for a pull-request comment: gains first, each section folded', async () => {
    const d = await diffWat('(module (memory 1 2))', '(module (import "env" "x`y" (func)) (memory 1 2))');
    assert.equal(
      formatDiffMarkdown(d, { before: 'v1/m.wasm', after: 'v2/m.wasm' }),
      [
        '### Wasm Warden diff: `v1/m.wasm` → `v2/m.wasm`',
        '',
        `Size: ${d.size.before} → ${d.size.after} bytes (+${d.size.after - d.size.before})`,
        '',
        '**Gained (1):**',
        '',
        '- ⚠️ import env.x`y',
        '',
        '<details><summary>Imports (1)</summary>',
        '',
        '```diff',
        '+ env.x`y (func)',
        '```',
        '',
        '</details>',
        '',
      ].join('\n'),
    );
  });
});

describe('diff: real pairs', function () {
  this.timeout(600_000);

  it('sql.js 1.15.0 → 1.16.0: one import gained, renamed minified exports, a larger table', async () => {
    const [before, after] = await Promise.all([
      realWorldModule('sql.js-previous'),
      realWorldModule('sql.js'),
    ]);
    const d = diffSurfaces(surfaceFromBytes(readFileSync(before)), surfaceFromBytes(readFileSync(after)));
    assert.deepEqual(d.size, { before: 684897, after: 688197 });
    assert.deepEqual(gainTexts(d), ['import a.N (param i32 i32) (result i32)']);
    assert.deepEqual(d.capabilities, { added: [], removed: [] });
    assert.equal(d.importTypes.length, 9);
    assert.deepEqual(
      d.exports.added.map((e) => e.name),
      ['O', 'P', 'Q', 'Ma', 'Na', 'Oa', 'Pa'],
    );
    assert.deepEqual(
      d.exports.removed.map((e) => e.name),
      ['N', 'O', 'P', 'Q'],
    );
    assert.deepEqual(
      d.tables.map((t) => [t.before?.initial, t.after?.initial]),
      [[496, 521]],
    );
    assert.deepEqual(d.memories, []);
    assert.deepEqual(d.producers, { added: [], removed: [] });
  });

  it('a module and its signed copy: the signer under the policy’s keys, and the signature lost again', () => {
    const modules = sharedTestdata('wasm-signatures', 'modules');
    const unsigned = readFileSync(`${modules}/00_unsigned.wasm`);
    const signed = readFileSync(`${modules}/02_signed_key1_keyid.wasm`);
    const key1 = loadPublicKeys(
      readFileSync(sharedTestdata('wasm-signatures', 'keys', 'key1.pk')),
      'key1.pk',
    );
    assert.ok(key1.ok);
    const trusted = { trustedKeys: key1.key };
    const d = diffSurfaces(surfaceFromBytes(unsigned, trusted), surfaceFromBytes(signed, trusted));
    assert.deepEqual(d.signature.signed, { before: false, after: true });
    assert.deepEqual(d.signature.status, { before: undefined, after: 'valid' });
    assert.equal(d.signature.signers.added.length, 1);
    assert.equal(d.signature.signers.added[0].status, 'valid');
    assert.deepEqual(d.customSections, { added: ['signature'], removed: [] });
    assert.deepEqual(gains(d), []);

    const lost = diffSurfaces(surfaceFromBytes(signed, trusted), surfaceFromBytes(unsigned, trusted));
    assert.deepEqual(gainTexts(lost), ['signature removed']);

    // Under a policy that does not trust key1, the same signature is only "untrusted".
    const untrusted = diffSurfaces(
      surfaceFromBytes(signed, trusted),
      surfaceFromBytes(signed, { trustedKeys: [] }),
    );
    assert.deepEqual(untrusted.signature.status, { before: 'valid', after: 'untrusted' });
    assert.deepEqual(gainTexts(untrusted), ['signature no longer trusted (untrusted)']);
  });

  it('a core module and the component wrapping it: the world’s imports replace the core imports', async () => {
    const core = await wasm(`(module
      (import "wasi_snapshot_preview1" "environ_get" (func (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1))`);
    const component = componentWrapping(core, [
      'wasi:cli/environment@0.2.0',
      'wasi:cli/stdout@0.2.0',
      'wasi:sockets/tcp@0.2.0',
    ]);
    const d = diffSurfaces(surfaceFromBytes(core), surfaceFromBytes(component));
    assert.deepEqual(d.kind, { before: 'module', after: 'component' });
    assert.deepEqual(d.capabilities, { added: ['args', 'network'], removed: [] });
    assert.deepEqual(
      d.imports.added.map((i) => `${i.key} ${i.kind}`),
      [
        'wasi:cli/environment@0.2.0 instance',
        'wasi:cli/stdout@0.2.0 instance',
        'wasi:sockets/tcp@0.2.0 instance',
      ],
    );
    assert.deepEqual(
      d.imports.removed.map((i) => i.key),
      ['wasi_snapshot_preview1.environ_get', 'wasi_snapshot_preview1.fd_write'],
    );
    assert.deepEqual(d.nested, { before: [], after: [{ kind: 'module', imports: 2, exports: 1 }] });
    assert.deepEqual(gainTexts(d), [
      'capability group "args" (wasi:cli/environment@0.2.0)',
      'capability group "network" (wasi:sockets/tcp@0.2.0)',
      'import wasi:cli/stdout@0.2.0',
    ]);
  });
});

describe('diff: the typed world of components', function () {
  this.timeout(60_000);

  /** A component importing wasi:filesystem/types with the given functions (each `func (param "self" …)`). */
  async function fsComponent(functions: string[]): Promise<Uint8Array> {
    const exports = functions
      .map(
        (f) =>
          `(export "[method]descriptor.${f}" (func (param "self" $b) (param "offset" u64) (result u64)))`,
      )
      .join('\n');
    return (await wasmTools()).parse(`(component
      (import "wasi:filesystem/types@0.2.0" (instance
        (export "descriptor" (type $d (sub resource)))
        (type $b (borrow $d))
        ${exports}
      )))`);
  }

  it('an interface that brings a new function is a gain; one that lost one, a loss', async () => {
    const before = surfaceFromBytes(await fsComponent(['stat']));
    const after = surfaceFromBytes(await fsComponent(['stat', 'write']));
    assert.deepEqual(after.imports[0].functions, [
      '[method]descriptor.stat: func(self: borrow<descriptor>, offset: u64) -> u64',
      '[method]descriptor.write: func(self: borrow<descriptor>, offset: u64) -> u64',
    ]);
    const d = diffSurfaces(before, after);
    assert.deepEqual(d.imports, { added: [], removed: [] });
    assert.deepEqual(d.functions, [
      {
        side: 'import',
        key: 'wasi:filesystem/types@0.2.0',
        added: ['[method]descriptor.write: func(self: borrow<descriptor>, offset: u64) -> u64'],
        removed: [],
      },
    ]);
    assert.ok(!isUnchanged(d));
    assert.deepEqual(gainTexts(d), ['import wasi:filesystem/types@0.2.0#[method]descriptor.write']);
    assert.match(
      formatDiffText(d, { before: 'a.wasm', after: 'b.wasm' }),
      /\+ import wasi:filesystem\/types@0\.2\.0: \[method\]descriptor\.write: func\(self: borrow<descriptor>, offset: u64\) -> u64/,
    );
    const back = diffSurfaces(after, before);
    assert.deepEqual(gains(back), []);
    assert.deepEqual(losses(back), ['import wasi:filesystem/types@0.2.0#[method]descriptor.write']);
    assert.ok(isUnchanged(diffSurfaces(before, surfaceFromBytes(await fsComponent(['stat'])))));
  });
});
