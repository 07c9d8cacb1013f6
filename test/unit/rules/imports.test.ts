import * as assert from 'node:assert/strict';
import { readBinaryModule } from '../../../server/src/core/module/binary';
import type { ModuleFacts } from '../../../server/src/core/module/model';
import { findRule } from '../../../server/src/core/rules/registry';
import { runRules } from '../../../server/src/core/rules/runner';
import { byteSpan } from '../../../server/src/core/location';
import { checkText, checkWat, ofRule, policyFrom, wat2wasm, where } from './helpers';

const POLICY = {
  imports: {
    allow: ['wasi_snapshot_preview1.fd_write'],
    deny: ['wasi_snapshot_preview1.sock_*'],
    otherwise: 'warn',
  },
};

const IMPORTS = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
  (import "env" "log" (func (param i32)))
  (func (export "serve") (drop (call $accept (i32.const 0) (i32.const 0) (i32.const 0))))
)`;

describe('rules: disallowed-import', () => {
  it('reports a minified namespace (a.a, a.b, …) once, listing its imports; a few imports stay one each', async () => {
    const names = 'abcdefgh'.split('');
    const minified = `(module\n${names.map((n) => `  (import "a" "${n}" (func))`).join('\n')}\n  (import "env" "log" (func (param i32))))`;
    const analysis = await checkWat(minified, { policy: policyFrom({ imports: { allow: [] } }) });
    const findings = ofRule(analysis, 'disallowed-import');
    assert.equal(findings.length, 2);
    const [group, single] = findings;
    assert.equal(
      group.message,
      '8 imports from "a" are not allowed: denied: matched by no pattern or capability, so "otherwise": "deny" (the default when a policy does not set imports.otherwise) decides (wasm-policy.json). They are: a.a, a.b, a.c, a.d, a.e, a.f, a.g, a.h.',
    );
    assert.deepEqual(where(group), where(analysis.facts[0].imports[0]));
    assert.equal((group.data as { name: string }).name, '*');
    assert.match(single.message, /^Import "env\.log"/);
  });

  it('reports denied (error) and unmatched-under-warn (warning) imports in a binary, with the deciding line', async () => {
    const analysis = await checkWat(IMPORTS, { policy: policyFrom(POLICY) });
    const findings = ofRule(analysis, 'disallowed-import');
    assert.deepEqual(
      findings.map((f) => [f.severity, f.message, where(f)]),
      [
        [
          'error',
          'Import "wasi_snapshot_preview1.sock_accept" (func, capability "network") is not allowed: denied by "wasi_snapshot_preview1.sock_*" in imports.deny (wasm-policy.json:7). Reached from export `serve`.',
          where(analysis.facts[0].imports[1]),
        ],
        [
          'info',
          'Import "env.log" (func) needs review: not allowed (warning): matched by no pattern or capability, so "otherwise": "warn" decides (wasm-policy.json:9). Declared but never called: no export, start function or exported table reaches it, so this is reported one level lower.',
          where(analysis.facts[0].imports[2]),
        ],
      ],
    );
    assert.equal(findings[0].decidedBy?.text, '"wasi_snapshot_preview1.sock_*"');
    const { reach, ...fix } = findings[0].data as Record<string, unknown>;
    assert.deepEqual(fix, {
      module: 'wasi_snapshot_preview1',
      name: 'sock_accept',
      kind: 'func',
      capability: 'network',
      decision: 'deny',
    });
    assert.deepEqual((reach as { entries: string[] }).entries, ['export `serve`']);
  });

  it('locates a binary import at its entry: the module name length byte starts it', async () => {
    const bytes = await wat2wasm(IMPORTS);
    const [finding] = ofRule(await checkWat(IMPORTS, { policy: policyFrom(POLICY) }), 'disallowed-import');
    assert.equal(finding.location.kind, 'binary');
    const offset = (finding.location as { offset: number }).offset;
    const moduleName = 'wasi_snapshot_preview1';
    assert.equal(bytes[offset], moduleName.length);
    assert.equal(
      Buffer.from(bytes.subarray(offset + 1, offset + 1 + moduleName.length)).toString(),
      moduleName,
    );
    assert.equal(
      Buffer.from(
        bytes.subarray(offset + 2 + moduleName.length, offset + 2 + moduleName.length + 11),
      ).toString(),
      'sock_accept',
    );
  });

  it('reports text imports at their (import …) range', async () => {
    const findings = ofRule(await checkText(IMPORTS, { policy: policyFrom(POLICY) }), 'disallowed-import');
    assert.deepEqual(findings.map(where), [
      [2, 2, 2, 97],
      [3, 2, 3, 41],
    ]);
  });

  it('allows everything under the default policy', async () => {
    assert.equal(ofRule(await checkWat(IMPORTS), 'disallowed-import').length, 0);
  });

  it("checks component imports (WASI 0.2 interfaces) but not a nested module's internal wiring", () => {
    const policy = policyFrom({ imports: { capabilities: ['io'], otherwise: 'deny' } });
    const inner: ModuleFacts = { ...readBinaryModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])) };
    inner.imports = [
      {
        module: 'wasi:sockets/tcp@0.2.0',
        name: '[method]tcp-socket.connect',
        kind: 'func',
        type: { kind: 'func', signature: null },
        index: 0,
        location: byteSpan(40, 10),
      },
    ];
    const component: ModuleFacts = {
      ...inner,
      kind: 'component',
      imports: [],
      components: {
        imports: [
          { name: 'wasi:io/streams@0.2.0', location: byteSpan(10, 5), kind: 'instance' },
          { name: 'wasi:sockets/tcp@0.2.0', location: byteSpan(15, 5), kind: 'instance' },
        ],
        exports: [],
      },
      modules: [inner],
    };
    const rule = findRule('disallowed-import')!;
    const outer = runRules({ facts: component, policy, rules: [rule] });
    assert.deepEqual(
      outer.map((f) => [f.severity, where(f), f.data?.capability]),
      [['error', [15, 5], 'network']],
    );
    assert.match(
      outer[0].message,
      /^Component import "wasi:sockets\/tcp@0\.2\.0" \(capability "network"\) is not allowed: /,
    );
    assert.equal(runRules({ facts: inner, policy, rules: [rule], nested: true }).length, 0);
  });
});

describe('rules: dangerous-import', () => {
  const bridges: Array<[string, string, string]> = [
    ['env', 'emscripten_run_script', 'evaluates a JavaScript string in the host'],
    ['env', 'emscripten_run_script_int', 'evaluates a JavaScript string in the host'],
    ['env', '_emscripten_run_script_string', 'evaluates a JavaScript string in the host'],
    ['wbg', '__wbg_eval_1a2b3c4d5e6f7a8b', 'calls JavaScript eval() through wasm-bindgen'],
    ['env', 'eval', 'evaluates a string as code in the host'],
    ['env', 'system', 'runs a shell command'],
    ['env', 'popen', 'runs a shell command'],
    ['env', 'execve', 'replaces or spawns a process'],
    ['env', 'execvp', 'replaces or spawns a process'],
    ['env', '__syscall_fork', 'replaces or spawns a process'],
    ['env', 'dlopen', 'loads and links code at run time'],
    ['env', '_dlsym_js', 'loads and links code at run time'],
  ];
  for (const [module, name, what] of bridges) {
    it(`flags ${module}.${name}`, async () => {
      const analysis = await checkWat(
        `(module (import "${module}" "${name}" (func $f)) (func (export "run") (call $f)))`,
      );
      const findings = ofRule(analysis, 'dangerous-import');
      assert.deepEqual(
        findings.map((f) => [f.severity, f.message, where(f)]),
        [
          [
            'warning',
            `Import "${module}.${name}" ${what}: anything that reaches it runs outside the sandbox. Reached from export \`run\`.`,
            where(analysis.facts[0].imports[0]),
          ],
        ],
      );
    });
  }

  const harmless = [
    '__wbg_newnoargs_105ed471475aaf50', // wasm-bindgen's global-object lookup
    '__wbindgen_throw',
    'evaluate_polynomial',
    'system_time',
    'executor_poll',
    'fd_write',
    'emscripten_memcpy_js',
    'dlerror',
  ];
  for (const name of harmless) {
    it(`leaves ${name} alone`, async () => {
      assert.equal(
        ofRule(await checkWat(`(module (import "env" "${name}" (func)))`), 'dangerous-import').length,
        0,
      );
    });
  }

  it('ignores non-function imports with a dangerous-looking name', async () => {
    assert.equal(
      ofRule(await checkWat('(module (import "env" "system" (global i32)))'), 'dangerous-import').length,
      0,
    );
  });

  it('reports in text at the import, and can be raised to error', async () => {
    const text = '(module\n  (import "env" "emscripten_run_script" (func (param i32))))';
    const [finding] = ofRule(
      await checkText(text, { overrides: { 'dangerous-import': 'error' } }),
      'dangerous-import',
    );
    assert.equal(finding.severity, 'error');
    assert.deepEqual(where(finding), [1, 2, 1, 59]);
  });
});
