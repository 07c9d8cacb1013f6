import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { detectAbis, findAbiFunction } from '../../server/src/core/wasi/hostAbis';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { reachabilityOf } from '../../server/src/core/reach/summary';
import { findWasiFunction } from '../../server/src/core/wasi/catalogue';
import { checkWat, ofRule, policyFrom } from './rules/helpers';

const ROOT = resolve(__dirname, '..', '..', '..');

describe('host ABIs beside WASI', () => {
  it('explains and groups the functions of each ABI', () => {
    const cases: Array<[string, string, string, string | undefined]> = [
      ['extism:host/env', 'http_request', 'extism', 'network'],
      ['env', 'extism_http_request', 'extism', 'network'],
      ['extism:host/env', 'config_get', 'extism', 'environment'],
      ['extism:host/env', 'var_set', 'extism', undefined],
      ['env', 'proxy_http_call', 'proxy-wasm', 'network'],
      ['env', 'proxy_log', 'proxy-wasm', 'io'],
      ['env', '__syscall_openat', 'emscripten', 'filesystem'],
      ['env', '__syscall_connect', 'emscripten', 'network'],
      ['env', 'invoke_vii', 'emscripten', undefined],
      ['env', 'emscripten_run_script', 'emscripten', undefined],
      ['wbg', '__wbg_fetch_1a2b3c4d', 'wasm-bindgen', 'network'],
      ['__wbindgen_placeholder__', '__wbindgen_throw', 'wasm-bindgen', undefined],
      ['gojs', 'runtime.wasmWrite', 'go', 'io'],
      ['gojs', 'syscall/js.valueCall', 'go', undefined],
      ['env', 'abort', 'assemblyscript', 'process'],
      ['env', 'seed', 'assemblyscript', 'random'],
    ];
    for (const [module, name, abi, capability] of cases) {
      const fn = findAbiFunction(module, name);
      assert.equal(fn?.abi, abi, `${module}.${name}`);
      assert.equal(fn?.capability, capability, `${module}.${name}`);
      assert.ok(fn.description.length > 10);
    }
    assert.equal(findAbiFunction('env', 'log'), undefined, 'a common name is claimed by no ABI');
    assert.equal(findAbiFunction('my_host', 'http_request'), undefined);
  });

  it('lets capabilities: ["network"] cover Extism http_request and proxy-wasm proxy_http_call', async () => {
    const policy = policyFrom({ imports: { capabilities: ['network'], otherwise: 'deny' } });
    for (const [module, name] of [
      ['extism:host/env', 'http_request'],
      ['env', 'proxy_http_call'],
      ['wasi_snapshot_preview1', 'sock_send'],
    ]) {
      assert.equal(policy.checkImport(module, name).decision, 'allow', `${module}.${name}`);
      assert.equal(policy.checkImport(module, name).capability, 'network');
    }
    assert.equal(policy.checkImport('extism:host/env', 'config_get').decision, 'deny');
    const analysis = await checkWat(
      `(module
      (import "extism:host/env" "http_request" (func (param i64 i64) (result i64)))
      (import "extism:host/env" "var_get" (func (param i64) (result i64))))`,
      { policy },
    );
    assert.deepEqual(
      ofRule(analysis, 'disallowed-import').map((f) => f.data?.name),
      ['var_get'],
    );
  });

  it('detects the ABI of a crafted AssemblyScript, Extism and proxy-wasm module', () => {
    const f = (module: string, name: string) => ({ module, name, kind: 'func' });
    assert.deepEqual(
      detectAbis([f('env', 'abort'), f('env', 'trace'), f('env', 'seed')]).map((a) => a.abi),
      ['assemblyscript'],
    );
    assert.deepEqual(
      detectAbis([f('extism:host/env', 'input_length'), f('extism:host/env', 'output_set')]).map(
        (a) => a.abi,
      ),
      ['extism'],
    );
    assert.deepEqual(
      detectAbis([f('env', 'proxy_log'), f('env', 'proxy_get_property')]).map((a) => a.abi),
      ['proxy-wasm'],
    );
    assert.deepEqual(detectAbis([f('env', 'log')]), []);
  });
});

describe('host ABIs and reachability on real modules', function () {
  this.timeout(600_000);
  let paths: Record<string, string>;
  before(async () => {
    const script = pathToFileURL(join(ROOT, 'scripts', 'fetch-real-world.mjs')).href;
    const { REAL_WORLD_MODULES, fetchOne } = (await import(script)) as {
      REAL_WORLD_MODULES: Array<{ id: string }>;
      fetchOne: (entry: { id: string }) => string;
    };
    const wanted = ['sql.js', 'esbuild-wasm', 'brotli-wasm', 'web-tree-sitter'];
    paths = Object.fromEntries(
      REAL_WORLD_MODULES.filter((m) => wanted.includes(m.id)).map((m) => [m.id, fetchOne(m)]),
    );
  });

  const expected: Record<string, string> = {
    'sql.js': 'emscripten-minified',
    'esbuild-wasm': 'go',
    'brotli-wasm': 'wasm-bindgen',
    'web-tree-sitter': 'emscripten',
  };
  for (const [id, abi] of Object.entries(expected)) {
    it(`${id}: detects ${abi}`, () => {
      const facts = readBinaryModule(readFileSync(paths[id]));
      assert.equal(detectAbis(facts.imports)[0]?.abi, abi);
    });
  }

  it('explains every import of the Go, wasm-bindgen and Emscripten modules (WASI or ABI)', () => {
    for (const id of ['esbuild-wasm', 'brotli-wasm', 'web-tree-sitter']) {
      const facts = readBinaryModule(readFileSync(paths[id]));
      const unexplained = facts.imports
        .filter((i) => i.kind === 'func')
        .filter((i) => !findWasiFunction(i.module, i.name) && !findAbiFunction(i.module, i.name))
        .map((i) => `${i.module}.${i.name}`);
      // web-tree-sitter's own callbacks are its JS library's, not Emscripten's.
      assert.deepEqual(
        unexplained.filter((n) => !n.startsWith('env.tree_sitter_')),
        [],
        id,
      );
    }
  });

  it('finds the same direct call sites of imports as wasm-objdump -d', () => {
    for (const id of ['brotli-wasm', 'sql.js', 'web-tree-sitter']) {
      const bytes = readFileSync(paths[id]);
      const facts = readBinaryModule(bytes);
      const reach = reachabilityOf(facts, bytes)!;
      const dump = execFileSync('wasm-objdump', ['-d', paths[id]], {
        maxBuffer: 512 * 1024 * 1024,
      }).toString();
      const byCallee = new Map<number, number[]>();
      for (const m of dump.matchAll(/^ ([0-9a-f]+): [0-9a-f ]+\|\s*(?:return_)?call (\d+)\b/gm)) {
        const list = byCallee.get(Number(m[2])) ?? [];
        list.push(parseInt(m[1], 16));
        byCallee.set(Number(m[2]), list);
      }
      const imports = facts.functions.filter((f) => f.imported).map((f) => f.index);
      assert.ok(imports.length > 3);
      for (const index of imports) {
        const ours = reach.callSitesOf(index, false).map((s) => s.offset);
        assert.deepEqual(ours, byCallee.get(index) ?? [], `${id} import ${index}`);
      }
    }
  });
});
