import * as assert from 'node:assert/strict';
import { PolicyResolver } from '../../server/src/core/policy/resolver';
import { MemoryFileSystem } from './policyMemoryFs';

function resolver(
  files: Record<string, string>,
  options: ConstructorParameters<typeof PolicyResolver>[1] = { roots: ['/ws'] },
) {
  const fs = new MemoryFileSystem(files);
  return { fs, resolver: new PolicyResolver(fs, options) };
}

describe('policy resolution', () => {
  it('uses the nearest wasm-policy.json up to the workspace root', () => {
    const { resolver: r } = resolver({
      '/wasm-policy.json': '{ "imports": { "otherwise": "allow" } }', // above the root: ignored
      '/ws/wasm-policy.json': '{ "imports": { "allow": ["env.*"] } }',
      '/ws/a/b/wasm-policy.json': '{ "imports": { "allow": ["host.*"] } }',
    });
    assert.equal(r.findPolicyFile('/ws/a/b/c/m.wasm'), '/ws/a/b/wasm-policy.json');
    assert.equal(r.findPolicyFile('/ws/a/m.wasm'), '/ws/wasm-policy.json');
    assert.equal(r.findPolicyFile('/ws/m.wat'), '/ws/wasm-policy.json');
    const inner = r.resolve('/ws/a/b/c/m.wasm');
    assert.deepEqual(inner.source, { kind: 'file', path: '/ws/a/b/wasm-policy.json' });
    assert.equal(inner.checkImport('host', 'f').decision, 'allow');
    assert.equal(
      inner.checkImport('env', 'f').decision,
      'deny',
      'the nearest policy alone decides, not its parents',
    );
  });

  it('falls back to the built-in default when no policy is found', () => {
    const { resolver: r } = resolver({ '/wasm-policy.json': '{}' });
    const policy = r.resolve('/ws/m.wasm');
    assert.deepEqual(policy.source, { kind: 'default' });
    const verdict = policy.checkImport('wasi_snapshot_preview1', 'path_open');
    assert.equal(verdict.decision, 'allow');
    assert.equal(verdict.capability, 'filesystem');
    assert.equal(verdict.decidedBy.file, '<built-in default>');
    assert.equal(policy.memory.requireMaximum, true);
    assert.equal(policy.memory.maxPages, undefined);
    assert.equal(policy.signature.required, false);
    assert.equal(policy.moduleProblem, undefined);
  });

  it('gives every module without a policy file one shared default policy, anew after invalidate', () => {
    // The workspace scan's content cache compares policies by identity: a new object per module
    // made every copy in a folder without a policy a miss.
    const { resolver: r } = resolver({});
    const first = r.resolve('/ws/a/m.wasm');
    assert.equal(r.resolve('/ws/b/c/n.wasm'), first);
    assert.deepEqual(first.source, { kind: 'default' });
    r.invalidate();
    const after = r.resolve('/ws/a/m.wasm');
    assert.notEqual(after, first);
    assert.equal(r.resolve('/ws/b/c/n.wasm'), after);
  });

  it('decides imports: deny beats allow, capabilities, otherwise, with the deciding line', () => {
    const text = [
      '{',
      '  "imports": {',
      '    "allow": ["env.*", "wasi_snapshot_preview1.fd_write"],',
      '    "deny": ["env.emscripten_run_script*"],',
      '    "capabilities": ["clock"],',
      '    "otherwise": "warn"',
      '  }',
      '}',
    ].join('\n');
    const { resolver: r } = resolver({ '/ws/wasm-policy.json': text });
    const p = r.resolve('/ws/m.wasm');
    const denied = p.checkImport('env', 'emscripten_run_script_int');
    assert.equal(denied.decision, 'deny');
    assert.equal(denied.decidedBy.file, '/ws/wasm-policy.json');
    assert.equal(denied.decidedBy.text, '"env.emscripten_run_script*"');
    assert.deepEqual(denied.decidedBy.location, {
      kind: 'text',
      start: { line: 3, character: 13 },
      end: { line: 3, character: 41 },
    });
    assert.match(
      denied.reason,
      /denied by "env\.emscripten_run_script\*" in imports\.deny \(wasm-policy\.json:4\)/,
    );
    assert.equal(p.checkImport('env', 'memcpy').decision, 'allow');
    const write = p.checkImport('wasi_snapshot_preview1', 'fd_write');
    assert.deepEqual(
      [write.decision, write.capability, write.decidedBy.text],
      ['allow', 'io', '"wasi_snapshot_preview1.fd_write"'],
    );
    const clock = p.checkImport('wasi_snapshot_preview1', 'clock_time_get');
    assert.deepEqual([clock.decision, clock.capability, clock.decidedBy.text], ['allow', 'clock', '"clock"']);
    const other = p.checkImport('wasi_snapshot_preview1', 'path_open');
    assert.deepEqual([other.decision, other.decidedBy.text], ['warn', '"otherwise": "warn"']);
  });

  it('denies unmatched imports when a policy file does not set otherwise', () => {
    const { resolver: r } = resolver({ '/ws/wasm-policy.json': '{ "memory": { "maxPages": 4 } }' });
    const verdict = r.resolve('/ws/m.wasm').checkImport('env', 'f');
    assert.equal(verdict.decision, 'deny');
    assert.equal(verdict.decidedBy.file, '/ws/wasm-policy.json');
  });

  it('matches WASI 0.2 interfaces with and without versions, as core or component imports', () => {
    const { resolver: r } = resolver({
      '/ws/wasm-policy.json':
        '{ "imports": { "allow": ["wasi:filesystem/types", "wasi:io/*@0.2.0"], "capabilities": ["random"] } }',
    });
    const p = r.resolve('/ws/c.wasm');
    assert.equal(p.checkImport('wasi:filesystem/types@0.2.0', '').decision, 'allow');
    assert.equal(p.checkImport('', 'wasi:filesystem/types@0.2.3').decision, 'allow');
    assert.equal(p.checkImport('wasi:filesystem/types@0.2.0', '[method]descriptor.read').decision, 'allow');
    assert.equal(p.checkImport('wasi:io/streams@0.2.0', '').decision, 'allow');
    assert.equal(p.checkImport('wasi:io/streams@0.3.0', '').decision, 'deny');
    const random = p.checkImport('wasi:random/random@0.2.0', 'get-random-bytes');
    assert.deepEqual([random.decision, random.capability], ['allow', 'random']);
    assert.equal(p.checkImport('wasi:sockets/tcp@0.2.0', '').capability, 'network');
  });

  it('applies extends chains: base first, lists add up, scalars replaced', () => {
    const { resolver: r } = resolver({
      '/ws/base/root.json':
        '{ "imports": { "deny": ["env.system"], "otherwise": "warn" }, "memory": { "maxPages": 100, "allowShared": false } }',
      '/ws/base/mid.json':
        '{ "extends": "root.json", "imports": { "allow": ["env.*"] }, "memory": { "maxPages": 50 } }',
      '/ws/app/wasm-policy.json':
        '{ "extends": "../base/mid.json", "memory": { "maxBytes": "1MiB" }, "rules": { "debug-info": "off" } }',
    });
    const p = r.resolve('/ws/app/m.wasm');
    assert.deepEqual(p.files, ['/ws/base/root.json', '/ws/base/mid.json', '/ws/app/wasm-policy.json']);
    assert.equal(p.checkImport('env', 'system').decision, 'deny');
    assert.equal(p.checkImport('env', 'f').decision, 'allow');
    assert.equal(p.checkImport('x', 'f').decision, 'warn');
    assert.equal(p.memory.maxPages, 16, '1 MiB is smaller than 50 pages and wins');
    assert.equal(p.memory.maxBytes, 1024 * 1024);
    assert.equal(p.memory.decidedBy.maxPages?.text, '"maxBytes": "1MiB"');
    assert.equal(p.memory.allowShared, false);
    assert.equal(p.memory.decidedBy.allowShared?.file, '/ws/base/root.json');
    assert.deepEqual(p.rules, { 'debug-info': 'off' });
    assert.equal(p.rulesDecidedBy['debug-info'].text, '"debug-info": "off"');
  });

  it('applies overrides whose globs match the module, relative to the policy file', () => {
    const { resolver: r } = resolver({
      '/ws/wasm-policy.json': `{
        "memory": { "maxPages": 1000 },
        "sandbox": { "env": { "A": "1" } },
        "overrides": [
          { "files": ["plugins/**/*.wasm"], "memory": { "maxPages": 256 }, "imports": { "allow": ["host.*"] }, "sandbox": { "env": { "B": "2" } } },
          { "files": ["plugins/legacy/*"], "memory": { "maxPages": 16 } }
        ]
      }`,
    });
    assert.equal(r.resolve('/ws/app.wasm').memory.maxPages, 1000);
    assert.equal(r.resolve('/ws/app.wasm').checkImport('host', 'f').decision, 'deny');
    const plugin = r.resolve('/ws/plugins/x/p.wasm');
    assert.equal(plugin.memory.maxPages, 256);
    assert.equal(plugin.checkImport('host', 'f').decision, 'allow');
    assert.deepEqual(plugin.sandbox.env, { A: '1', B: '2' });
    assert.equal(r.resolve('/ws/plugins/legacy/old.wasm').memory.maxPages, 16);
    assert.equal(r.resolve('/ws/plugins/p.wat').memory.maxPages, 1000);
  });

  it('uses a forced policy path for every module', () => {
    const { resolver: r } = resolver(
      {
        '/ws/wasm-policy.json': '{ "imports": { "otherwise": "allow" } }',
        '/etc/ci-policy.json': '{ "imports": { "otherwise": "deny" } }',
      },
      { roots: ['/ws'], forcedPath: '/etc/ci-policy.json' },
    );
    assert.equal(r.findPolicyFile('/ws/m.wasm'), '/etc/ci-policy.json');
    assert.equal(r.resolve('/ws/m.wasm').checkImport('env', 'f').decision, 'deny');
  });

  it('fails closed on a missing forced policy', () => {
    const { resolver: r } = resolver({}, { forcedPath: '/nope/policy.json' });
    const p = r.resolve('/ws/m.wasm');
    assert.deepEqual(p.source, { kind: 'strict-fallback', brokenPath: '/nope/policy.json' });
    assert.match(p.moduleProblem?.message ?? '', /Policy file not found: \/nope\/policy\.json/);
  });

  it('fails closed on a broken policy with one finding pointing at the break', () => {
    const { resolver: r } = resolver({
      '/ws/wasm-policy.json': '{\n  "imports": { "otherwise": "alow" }\n}',
    });
    const p = r.resolve('/ws/m.wasm');
    assert.deepEqual(p.source, { kind: 'strict-fallback', brokenPath: '/ws/wasm-policy.json' });
    assert.equal(p.checkImport('env', 'f').decision, 'deny');
    assert.equal(p.checkImport('wasi_snapshot_preview1', 'fd_write').decidedBy.file, '<built-in strict>');
    assert.equal(p.memory.allowImported, false);
    assert.equal(p.moduleProblem?.ruleId, 'policy-error');
    assert.equal(p.moduleProblem?.severity, 'error');
    assert.match(
      p.moduleProblem?.message ?? '',
      /broken \(\/ws\/wasm-policy\.json, line 2: imports\.otherwise must be one of/,
    );
    assert.equal(p.moduleProblem?.decidedBy?.file, '/ws/wasm-policy.json');
    assert.deepEqual(p.moduleProblem?.decidedBy?.location, {
      kind: 'text',
      start: { line: 1, character: 28 },
      end: { line: 1, character: 34 },
    });
    assert.equal(p.problems.length, 1);
  });

  it('fails closed on an extends cycle, naming the cycle', () => {
    const { resolver: r } = resolver({
      '/ws/wasm-policy.json': '{ "extends": "a.json" }',
      '/ws/a.json': '{ "extends": "b.json" }',
      '/ws/b.json': '{ "extends": "a.json" }',
    });
    const p = r.resolve('/ws/m.wasm');
    assert.equal(p.source.kind, 'strict-fallback');
    const [cycle] = r.problemsOf('/ws/b.json');
    assert.match(
      cycle.message,
      /"extends" makes a cycle: b\.json → a\.json → b\.json\. A policy cannot extend itself\./,
    );
    assert.equal(cycle.decidedBy?.text, '"a.json"');
  });

  it('warnings alone do not break a policy', () => {
    const { resolver: r } = resolver({
      '/ws/wasm-policy.json': '{ "imports": { "allow": ["fd_write", "env.*"] } }',
    });
    const p = r.resolve('/ws/m.wasm');
    assert.equal(p.source.kind, 'file');
    assert.equal(p.problems.length, 1);
    assert.equal(p.problems[0].severity, 'warning');
  });

  it('resolves sandbox settings with host paths relative to the policy', () => {
    const { resolver: r } = resolver({
      '/ws/app/wasm-policy.json':
        '{ "sandbox": { "timeoutMs": 200, "maxMemory": "32MiB", "preopens": [{ "host": "../data", "guest": "/d", "mode": "rw" }, { "host": "x", "guest": "/x" }], "clock": "fixed" }, "signature": { "trustedKeys": ["k.pub"] } }',
      '/ws/data/f': '',
      '/ws/app/x/f': '',
      '/ws/app/k.pub': '',
    });
    const p = r.resolve('/ws/app/m.wasm');
    assert.equal(p.sandbox.timeoutMs, 200);
    assert.equal(p.sandbox.maxMemory, 32 * 1024 * 1024);
    assert.deepEqual(p.sandbox.preopens, [
      { host: '/ws/data', guest: '/d', mode: 'rw' },
      { host: '/ws/app/x', guest: '/x', mode: 'ro' },
    ]);
    assert.equal(p.sandbox.clock, 'fixed');
    assert.equal(p.sandbox.random, 'real');
    assert.deepEqual(p.sandbox.alerts, { memoryPercent: 90, slowMs: 1000 });
    assert.deepEqual(p.signature.trustedKeys, ['/ws/app/k.pub']);
  });

  it('re-checks key files after invalidate of the key file', () => {
    const { fs, resolver: r } = resolver({
      '/ws/wasm-policy.json': '{ "signature": { "trustedKeys": ["k.pub"] } }',
    });
    assert.equal(r.resolve('/ws/m.wasm').source.kind, 'strict-fallback');
    fs.write('/ws/k.pub', 'key');
    r.invalidate('/ws/k.pub');
    assert.equal(r.resolve('/ws/m.wasm').source.kind, 'file');
    assert.deepEqual(r.problemsOf('/ws/wasm-policy.json'), []);
  });

  it('caches reads and re-reads after invalidate', () => {
    const { fs, resolver: r } = resolver({
      '/ws/wasm-policy.json': '{ "imports": { "otherwise": "allow" } }',
    });
    assert.equal(r.resolve('/ws/a.wasm').checkImport('env', 'f').decision, 'allow');
    r.resolve('/ws/b.wasm');
    assert.equal(fs.reads, 1);
    fs.write('/ws/wasm-policy.json', '{ "imports": { "otherwise": "deny" } }');
    assert.equal(r.resolve('/ws/a.wasm').checkImport('env', 'f').decision, 'allow', 'still cached');
    r.invalidate('/ws/wasm-policy.json');
    assert.equal(r.resolve('/ws/a.wasm').checkImport('env', 'f').decision, 'deny');
    fs.write('/ws/sub/wasm-policy.json', '{ "imports": { "otherwise": "warn" } }');
    r.invalidate('/ws/sub/wasm-policy.json');
    assert.equal(
      r.resolve('/ws/sub/a.wasm').checkImport('env', 'f').decision,
      'warn',
      'a new policy file is discovered',
    );
    fs.delete('/ws/sub/wasm-policy.json');
    r.invalidate('/ws/sub/wasm-policy.json');
    assert.equal(r.resolve('/ws/sub/a.wasm').source.kind, 'file');
    assert.equal(r.findPolicyFile('/ws/sub/a.wasm'), '/ws/wasm-policy.json');
  });
});
