import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { buildCallGraph } from '../../server/src/core/reach/callGraph';
import { analyseReachability, type Reachability } from '../../server/src/core/reach/reachability';
import { functionLabel, entryLabel } from '../../server/src/core/rules/support/importReach';
import { checkBytes, checkText, ofRule, policyFrom, wat2wasm } from './rules/helpers';

const FIXTURE = path.resolve(__dirname, '../../../test/fixtures/reach/reach.wat');
const TEXT = readFileSync(FIXTURE, 'utf8');

async function reachOf(text: string): Promise<{ reach: Reachability; label: (f: number) => string }> {
  const bytes = await wat2wasm(text);
  const facts = readBinaryModule(bytes);
  const reach = analyseReachability(buildCallGraph(facts, bytes));
  return { reach, label: (f) => functionLabel(facts, f) };
}

describe('reachability: call graph of a crafted module', () => {
  let reach: Reachability;
  let label: (f: number) => string;
  before(async () => ({ reach, label } = await reachOf(TEXT)));

  const importsOf = (exportName: string) => {
    const entry = reach.graph.entries.find((e) => e.name === exportName)!;
    return reach.importsReachedFrom(entry.funcIndex).map(label);
  };

  it('lists entry points: exports, the start function, functions in the exported table', () => {
    assert.deepEqual(
      reach.graph.entries.map((e) => `${e.kind}:${e.name}:${label(e.funcIndex)}`),
      [
        'export:handle:$handle',
        'export:dispatch:$dispatch',
        'export:even:$even',
        'start:start:$init',
        'table:shared:$exported_target',
      ],
    );
  });

  it('follows chains, call_indirect through an element segment (by type), recursion and return_call', () => {
    assert.deepEqual(importsOf('handle'), ['wasi_snapshot_preview1.sock_send']);
    assert.deepEqual(importsOf('dispatch'), ['env.via_table']);
    assert.deepEqual(importsOf('even'), ['env.via_recursion']);
    assert.deepEqual(importsOf('start'), ['env.via_start']);
    assert.deepEqual(importsOf('shared'), ['env.via_exported_table']);
  });

  it('says which imports nothing calls', () => {
    assert.deepEqual(reach.neverCalled().map(label), [
      'wasi_snapshot_preview1.fd_write',
      'env.emscripten_run_script',
      'env.never_used',
      'env.dead_indirect',
    ]);
  });

  it('gives the shortest path from an entry point, and the call site', () => {
    const path = reach.pathTo(0)!;
    assert.equal(entryLabel(path.entry), 'export `handle`');
    assert.deepEqual(
      path.steps.map((s) => [label(s.funcIndex), s.via ?? '']),
      [
        ['$handle', ''],
        ['$parse', 'call'],
        ['$log', 'call'],
        ['wasi_snapshot_preview1.sock_send', 'call'],
      ],
    );
    assert.deepEqual(path.site, { caller: 11, offset: 0x176, indirect: false });
    const viaTable = reach.pathTo(4)!;
    assert.deepEqual(
      viaTable.steps.map((s) => [label(s.funcIndex), s.via ?? '']),
      [
        ['$dispatch', ''],
        ['$indirect_target', 'indirect'],
        ['env.via_table', 'call'],
      ],
    );
    assert.equal(reach.pathTo(3), undefined);
  });

  it('lists call sites of an import (direct) and of a function reached indirectly', () => {
    assert.deepEqual(reach.callSitesOf(1), [{ caller: 19, offset: 0x1d0, indirect: false }]);
    assert.deepEqual(reach.callSitesOf(13), [{ caller: 12, offset: 0x180, indirect: true }]);
    assert.deepEqual(reach.callSitesOf(16), [{ caller: 17, offset: 0x1b4, indirect: false }]);
  });

  it('treats any function of the signature as callable through an imported table', async () => {
    const { reach: r, label: l } = await reachOf(`(module
      (import "env" "t" (table 1 funcref))
      (import "env" "secret" (func $secret))
      (type $v (func))
      (func $go (export "go") (call_indirect (type $v) (i32.const 0)))
      (func $hidden (call $secret)))`);
    assert.deepEqual(r.importsReachedFrom(2).map(l), ['env.secret']);
  });

  it('survives a deep chain (no recursion in the walk)', async () => {
    const n = 20000;
    const funcs = Array.from(
      { length: n },
      (_, i) => `(func $f${i} ${i + 1 < n ? `(call $f${i + 1})` : '(call $imp)'})`,
    );
    const { reach: r } = await reachOf(
      `(module (import "env" "imp" (func $imp)) (export "e" (func $f0)) ${funcs.join('\n')})`,
    );
    assert.deepEqual(r.importsReachedFrom(1), [0]);
    assert.equal(r.pathTo(0)!.steps.length, n + 1);
    assert.deepEqual(r.neverCalled(), []);
  });
});

describe('reachability in findings', () => {
  const POLICY = {
    imports: {
      deny: ['wasi_snapshot_preview1.sock_*', 'wasi_snapshot_preview1.fd_write'],
      otherwise: 'allow',
    },
  };

  it('says which export reaches a denied import, and the path, for .wasm and .wat alike', async () => {
    const binary = ofRule(
      await checkBytes(await wat2wasm(TEXT), { policy: policyFrom(POLICY) }),
      'disallowed-import',
    );
    const text = ofRule(await checkText(TEXT, { policy: policyFrom(POLICY) }), 'disallowed-import');
    for (const findings of [binary, text]) {
      assert.deepEqual(
        findings.map((f) => [f.severity, f.message]),
        [
          [
            'error',
            'Import "wasi_snapshot_preview1.sock_send" (func, capability "network") is not allowed: denied by "wasi_snapshot_preview1.sock_*" in imports.deny (wasm-policy.json:4). Reached from export `handle` via `$parse` → `$log`.',
          ],
          [
            'warning',
            'Import "wasi_snapshot_preview1.fd_write" (func, capability "io") is not allowed: denied by "wasi_snapshot_preview1.fd_write" in imports.deny (wasm-policy.json:5). Declared but never called: no export, start function or exported table reaches it, so this is reported one level lower.',
          ],
        ],
      );
      const reach = findings[0].data?.reach as { entries: string[]; flow: Array<{ message: string }> };
      assert.deepEqual(reach.entries, ['export `handle`']);
      assert.deepEqual(
        reach.flow.map((s) => s.message),
        [
          'export `handle`: $handle',
          'calls $parse',
          'calls $log',
          'call site of wasi_snapshot_preview1.sock_send',
        ],
      );
    }
    assert.deepEqual((binary[0].data?.reach as { flow: Array<{ location: unknown }> }).flow[3].location, {
      kind: 'binary',
      offset: 0x176,
      length: 1,
    });
  });

  it('keeps the severity of never-called imports with imports.neverCalled: "keep"', async () => {
    const policy = policyFrom({ imports: { ...POLICY.imports, neverCalled: 'keep' } });
    const findings = ofRule(await checkBytes(await wat2wasm(TEXT), { policy }), 'disallowed-import');
    assert.deepEqual(
      findings.map((f) => f.severity),
      ['error', 'error'],
    );
    assert.match(
      findings[1].message,
      /Declared but never called: no export, start function or exported table reaches it\.$/,
    );
  });

  it('dangerous-import drops to info when nothing calls the bridge', async () => {
    const [finding] = ofRule(await checkBytes(await wat2wasm(TEXT)), 'dangerous-import');
    assert.equal(finding.severity, 'info');
    assert.match(
      finding.message,
      /emscripten_run_script" evaluates a JavaScript string in the host: .*Declared but never called/,
    );
  });
});
