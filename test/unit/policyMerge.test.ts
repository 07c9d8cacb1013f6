/**
 * Create Policy from Module on a folder that already has a policy: merged, never replaced. The
 * user's extends, deny, rules and comments stay; only imports not yet allowed are added, each
 * commented, dangerous ones marked; imports a deny pattern blocks stay denied.
 */
import * as assert from 'node:assert/strict';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { mergeIntoPolicy } from '../../server/src/core/policy/merge';
import { PolicyResolver } from '../../server/src/core/policy/resolver';
import { compileWatForSandbox } from '../../server/src/core/wat/moduleBytes';
import { MemoryFileSystem } from './policyMemoryFs';

const MODULE = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "env" "emscripten_run_script" (func (param i32)))
  (import "env" "log" (func (param i32))))`;

const BASE = '{ "imports": { "allow": ["wasi_snapshot_preview1.fd_write"] } }\n';
const EXISTING = `{
  // Our plugin policy: reviewed by security.
  "extends": "../base.json",
  "imports": {
    "allow": ["env.log"], // logging is fine
    "deny": ["wasi_snapshot_preview1.sock_*"] /* no sockets, ever */
  },
  "rules": { "debug-info": "off" }
}
`;

describe('policy merge (Create Policy from Module on an existing policy)', () => {
  it('keeps what the user wrote and adds only what is missing, dangerous grants marked', async () => {
    const bytes = await compileWatForSandbox(MODULE, 'm.wat');
    if ('error' in bytes) throw new Error(bytes.error);
    const facts = readBinaryModule(bytes);
    const files = new MemoryFileSystem({ '/ws/base.json': BASE, '/ws/app/wasm-policy.json': EXISTING });
    const before = new PolicyResolver(files, { roots: ['/ws'] }).resolve('/ws/app/m.wasm');

    const merged = mergeIntoPolicy(EXISTING, [{ name: 'm.wasm', facts }], before.checkImport);

    assert.deepEqual(merged.added, ['wasi_snapshot_preview1.path_open', 'env.emscripten_run_script']);
    assert.deepEqual(merged.dangerous, merged.added);
    assert.deepEqual(
      merged.keptDenied.map((d) => d.pattern),
      ['wasi_snapshot_preview1.sock_send'],
    );
    for (const kept of [
      '// Our plugin policy: reviewed by security.',
      '"extends": "../base.json"',
      '"deny": ["wasi_snapshot_preview1.sock_*"] /* no sockets, ever */',
      '"env.log"',
      '// logging is fine',
      '"rules": { "debug-info": "off" }',
    ])
      assert.ok(merged.text.includes(kept), `kept ${kept}:\n${merged.text}`);
    assert.match(
      merged.text,
      /"wasi_snapshot_preview1\.path_open" \/\* DANGEROUS \(grants filesystem access\), review: /,
    );
    assert.match(
      merged.text,
      /"env\.emscripten_run_script" \/\* DANGEROUS \(evaluates a JavaScript string in the host\), review: /,
    );

    // The merged policy is valid, allows what was added, and still denies the socket.
    files.write('/ws/app/wasm-policy.json', merged.text);
    const resolver = new PolicyResolver(files, { roots: ['/ws'] });
    assert.deepEqual(resolver.problemsOf('/ws/app/wasm-policy.json'), []);
    const after = resolver.resolve('/ws/app/m.wasm');
    assert.equal(after.checkImport('wasi_snapshot_preview1', 'path_open').decision, 'allow');
    assert.equal(after.checkImport('env', 'emscripten_run_script').decision, 'allow');
    assert.equal(after.checkImport('wasi_snapshot_preview1', 'sock_send').decision, 'deny');
    assert.equal(after.checkImport('wasi_snapshot_preview1', 'fd_write').decision, 'allow');
    assert.equal(after.rules['debug-info'], 'off');
  });

  it('changes nothing when the policy already allows every import', async () => {
    const bytes = await compileWatForSandbox('(module (import "env" "log" (func (param i32))))', 'm.wat');
    if ('error' in bytes) throw new Error(bytes.error);
    const files = new MemoryFileSystem({
      '/ws/wasm-policy.json': '{ "imports": { "allow": ["env.*"] } } // ok\n',
    });
    const policy = new PolicyResolver(files, { roots: ['/ws'] }).resolve('/ws/m.wasm');
    const text = files.readFile('/ws/wasm-policy.json')!;
    const merged = mergeIntoPolicy(
      text,
      [{ name: 'm.wasm', facts: readBinaryModule(bytes) }],
      policy.checkImport,
    );
    assert.deepEqual([merged.text, merged.added], [text, []]);
  });
});
