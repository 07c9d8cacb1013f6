import * as assert from 'node:assert/strict';
import { componentWrapping } from '../../support/wasmBytes';
import { wat2wasm } from './helpers';
import { ruleTester } from './ruleTester';

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

const MINIFIED = `(module\n${'abcdefgh'
  .split('')
  .map((n) => `  (import "a" "${n}" (func))`)
  .join('\n')}\n  (import "env" "log" (func (param i32))))`;

const SOCK_ACCEPT =
  'Import "wasi_snapshot_preview1.sock_accept" (func, capability "network") is not allowed: denied by "wasi_snapshot_preview1.sock_*" in imports.deny (wasm-policy.json:7). Reached from export `serve`.';
const ENV_LOG =
  'Import "env.log" (func) needs review: not allowed (warning): matched by no pattern or capability, so "otherwise": "warn" decides (wasm-policy.json:9). Declared but never called: no export, start function or exported table reaches it, so this is reported one level lower.';

// A binary import's finding spans its entry, from the byte that holds its module name's length:
// in IMPORTS compiled, sock_accept's entry is at 70 (37 bytes) and env.log's at 107 (10 bytes).
ruleTester('disallowed-import', {
  valid: [
    { name: 'everything is allowed under the default policy', wat: IMPORTS },
    {
      name: "a nested module's internal wiring is not checked (its imports are the component's business)",
      bytes: async () =>
        componentWrapping(
          await wat2wasm('(module (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.connect" (func)))'),
          [],
        ),
      policy: { imports: { capabilities: ['io'], otherwise: 'deny' } },
    },
  ],
  invalid: [
    {
      name: 'a minified namespace (a.a, a.b, …) once, listing its imports; a few imports stay one each',
      wat: MINIFIED,
      policy: { imports: { allow: [] } },
      findings: [
        {
          severity: 'error',
          message:
            '8 imports from "a" are not allowed: denied: matched by no pattern or capability, so "otherwise": "deny" (the default when a policy does not set imports.otherwise) decides (wasm-policy.json). They are: a.a, a.b, a.c, a.d, a.e, a.f, a.g, a.h.',
          // At the first import of the namespace; the quick fix allows all of it.
          where: [21, 6],
          data: { module: 'a', name: '*', kind: 'func', capability: null, decision: 'deny' },
        },
        {
          severity: 'warning',
          message:
            'Import "env.log" (func) is not allowed: denied: matched by no pattern or capability, so "otherwise": "deny" (the default when a policy does not set imports.otherwise) decides (wasm-policy.json). Declared but never called: no export, start function or exported table reaches it, so this is reported one level lower.',
          where: [69, 10],
        },
      ],
    },
    {
      name: 'denied (error) and unmatched-under-warn imports in a binary, with the deciding line',
      bytes: async () => {
        const bytes = await wat2wasm(IMPORTS);
        const at = (offset: number, length: number) =>
          Buffer.from(bytes.subarray(offset, offset + length)).toString();
        assert.equal(bytes[70], 'wasi_snapshot_preview1'.length);
        assert.equal(at(71, 22), 'wasi_snapshot_preview1');
        assert.equal(at(94, 11), 'sock_accept');
        return bytes;
      },
      policy: POLICY,
      findings: [
        {
          severity: 'error',
          message: SOCK_ACCEPT,
          where: [70, 37],
          decidedBy: '"wasi_snapshot_preview1.sock_*"',
          // The quick fix's facts, and the path from the export to the call (SARIF codeFlows).
          data: {
            module: 'wasi_snapshot_preview1',
            name: 'sock_accept',
            kind: 'func',
            capability: 'network',
            decision: 'deny',
            reach: {
              neverCalled: false,
              entries: ['export `serve`'],
              flow: [
                { message: 'export `serve`: func[3]', location: { kind: 'binary', offset: 135, length: 12 } },
                {
                  message: 'call site of wasi_snapshot_preview1.sock_accept',
                  location: { kind: 'binary', offset: 143, length: 1 },
                },
              ],
            },
          },
        },
        { severity: 'info', message: ENV_LOG, where: [107, 10] },
      ],
    },
    {
      name: 'a never-called import under a severity the policy sets keeps it, and says nothing of lowering',
      wat: '(module (import "env" "log" (func (param i32))))',
      policy: { imports: { allow: [] }, rules: { 'disallowed-import': 'warning' } },
      findings: [
        {
          severity: 'warning',
          message:
            'Import "env.log" (func) is not allowed: denied: matched by no pattern or capability, so "otherwise": "deny" (the default when a policy does not set imports.otherwise) decides (wasm-policy.json). Declared but never called: no export, start function or exported table reaches it.',
          where: [18, 10],
        },
      ],
    },
    {
      name: 'text imports at their (import …) range',
      text: IMPORTS,
      policy: POLICY,
      findings: [
        { severity: 'error', message: SOCK_ACCEPT, where: [2, 2, 2, 97] },
        { severity: 'info', message: ENV_LOG, where: [3, 2, 3, 41] },
      ],
    },
    {
      name: 'component imports (WASI 0.2 interfaces) by capability',
      bytes: async () =>
        componentWrapping(await wat2wasm('(module)'), ['wasi:io/streams@0.2.0', 'wasi:sockets/tcp@0.2.0']),
      policy: { imports: { capabilities: ['io'], otherwise: 'deny' } },
      findings: [
        {
          severity: 'error',
          message:
            'Component import "wasi:sockets/tcp@0.2.0" (capability "network") is not allowed: denied: matched by no pattern or capability, so "otherwise": "deny" decides (wasm-policy.json:6).',
          // At the import's name in the component's import section.
          where: [56, 26],
          data: {
            module: 'wasi:sockets/tcp@0.2.0',
            name: '',
            kind: 'instance',
            capability: 'network',
            decision: 'deny',
          },
        },
      ],
    },
  ],
});
