import * as assert from 'node:assert/strict';
import type { Finding } from '../../server/src/core/findings';
import { PolicyResolver } from '../../server/src/core/policy/resolver';
import { MemoryFileSystem } from './policyMemoryFs';

const POLICY = '/ws/wasm-policy.json';

/** Problems of a policy text, as `line:col-line:col severity message`. */
function problems(text: string, extra: Record<string, string> = {}, knownRules?: string[]): Finding[] {
  const fs = new MemoryFileSystem({ [POLICY]: text, ...extra });
  return new PolicyResolver(fs, { roots: ['/ws'], knownRules }).problemsOf(POLICY);
}

/** The one problem of a text, and the exact source text at its range. */
function only(
  text: string,
  extra: Record<string, string> = {},
  knownRules?: string[],
): { finding: Finding; at: string } {
  const found = problems(text, extra, knownRules);
  assert.equal(found.length, 1, `expected one problem, got ${JSON.stringify(found.map((f) => f.message))}`);
  const loc = found[0].location;
  assert.equal(loc.kind, 'text');
  const lines = text.split('\n');
  const at =
    loc.start.line === loc.end.line
      ? lines[loc.start.line].slice(loc.start.character, loc.end.character)
      : `${lines[loc.start.line].slice(loc.start.character)}…`;
  return { finding: found[0], at };
}

describe('policy validation', () => {
  it('accepts the sketch from POLICY.md without problems', () => {
    const text = `{
      // comments are fine
      "imports": { "allow": ["wasi_snapshot_preview1.fd_write", "env.*"], "deny": ["env.emscripten_run_script*"],
                   "capabilities": ["clock", "random", "io"], "otherwise": "deny" },
      "memory": { "maxPages": 1600, "requireMaximum": true, "allowShared": false, "allowMemory64": false, "allowImported": true },
      "signature": { "required": true, "trustedKeys": ["keys/release.pub"], "allowPartial": false },
      "sandbox": { "timeoutMs": 5000, "maxMemory": "100MiB", "preopens": [{ "host": "./fixtures", "guest": "/data", "mode": "ro" }],
                   "env": { "LANG": "C" }, "args": [], "network": { "allow": ["api.example.com:443"] },
                   "alerts": { "memoryPercent": 90, "slowMs": 1000 }, "clock": "fixed", "random": "real" },
      "rules": { "start-function": "warning", "debug-info": "off" },
      "runtime": { "name": "wasmtime", "features": ["simd", "bulk-memory"] },
      "overrides": [ { "files": ["plugins/**/*.wasm"], "memory": { "maxPages": 256 } } ],
    }`;
    assert.deepEqual(problems(text, { '/ws/keys/release.pub': 'key', '/ws/fixtures/a.txt': 'x' }), []);
  });

  it('flags an unknown key with "did you mean", on the key', () => {
    const { finding, at } = only('{\n  "memory": { "maxPage": 16 }\n}');
    assert.equal(at, '"maxPage"');
    assert.equal(finding.severity, 'error');
    assert.match(finding.message, /Unknown key "maxPage" in "memory"\. Did you mean "maxPages"\?/);
    assert.deepEqual(finding.location, {
      kind: 'text',
      start: { line: 1, character: 14 },
      end: { line: 1, character: 23 },
    });
  });

  it('flags an unknown top-level key', () => {
    const { finding, at } = only('{ "improts": {} }');
    assert.equal(at, '"improts"');
    assert.match(finding.message, /Did you mean "imports"\?/);
  });

  it('flags wrong types on the value', () => {
    const { finding, at } = only('{ "memory": { "maxPages": "16" } }');
    assert.equal(at, '"16"');
    assert.equal(finding.message, 'memory.maxPages must be a whole number; found the string "16".');
    assert.match(
      only('{ "memory": { "allowShared": 1 } }').finding.message,
      /memory\.allowShared must be true or false; found the number 1/,
    );
    assert.match(
      only('{ "imports": { "allow": "env.*" } }').finding.message,
      /imports\.allow must be an array/,
    );
    assert.match(only('{ "memory": { "maxPages": 1.5 } }').finding.message, /whole number/);
  });

  it('flags values outside an enum, with a suggestion', () => {
    const { finding, at } = only('{ "imports": { "otherwise": "denied" } }');
    assert.equal(at, '"denied"');
    assert.match(
      finding.message,
      /must be one of "allow", "warn", "deny"; found the string "denied"\. Did you mean "deny"\?/,
    );
    const cap = only('{ "imports": { "capabilities": ["io", "filesytem"] } }');
    assert.equal(cap.at, '"filesytem"');
    assert.match(cap.finding.message, /Did you mean "filesystem"\?/);
  });

  it('flags bad sizes', () => {
    const unit = only('{ "memory": { "maxBytes": "100MBs" } }');
    assert.equal(unit.at, '"100MBs"');
    assert.match(unit.finding.message, /memory\.maxBytes: Unknown size unit "MBs"/);
    assert.match(only('{ "sandbox": { "maxMemory": "lots" } }').finding.message, /"lots" is not a size/);
    assert.match(only('{ "sandbox": { "maxMemory": -5 } }').finding.message, /at least 0/);
    assert.deepEqual(
      problems('{ "memory": { "maxBytes": "64KiB" }, "sandbox": { "maxMemory": 1048576 } }'),
      [],
    );
  });

  it('flags unknown WASI function names with the closest one', () => {
    const { finding, at } = only('{ "imports": { "allow": ["wasi_snapshot_preview1.fd_wrte"] } }');
    assert.equal(at, '"wasi_snapshot_preview1.fd_wrte"');
    assert.equal(finding.severity, 'error');
    assert.equal(
      finding.message,
      'Unknown WASI function "fd_wrte" in wasi_snapshot_preview1. Did you mean "fd_write"?',
    );
    assert.match(
      only('{ "imports": { "deny": ["wasi_unstable.sock_accept"] } }').finding.message,
      /Unknown WASI function "sock_accept" in wasi_unstable/,
    );
    assert.match(
      only('{ "imports": { "allow": ["wasi_snapshot_preveiw1.fd_write"] } }').finding.message,
      /Did you mean "wasi_snapshot_preview1"\?/,
    );
    assert.match(
      only('{ "imports": { "allow": ["wasi:filesystem/typs"] } }').finding.message,
      /Unknown WASI 0\.2 interface "wasi:filesystem\/typs"\. Did you mean "wasi:filesystem\/types"\?/,
    );
    assert.deepEqual(
      problems(
        '{ "imports": { "allow": ["wasi:filesystem/types@0.2.0", "wasi:clocks/*", "wasi_snapshot_preview1.path_*"] } }',
      ),
      [],
    );
  });

  it('flags patterns that can never match', () => {
    const bare = only('{ "imports": { "allow": ["fd_write"] } }');
    assert.equal(bare.finding.severity, 'warning');
    assert.equal(
      bare.finding.message,
      '"fd_write" can never match: patterns are module.name, such as "wasi_snapshot_preview1.fd_write" or "fd_write.*".',
    );
    assert.match(only('{ "imports": { "allow": ["myFunc"] } }').finding.message, /such as "env\.myFunc"/);
    // A bare kebab-case name is a component's plain import name.
    assert.deepEqual(problems('{ "imports": { "allow": ["export-type", "wit"] } }'), []);
    const glob = only('{ "imports": { "deny": ["wasi_snapshot_preview1.fs_*"] } }');
    assert.equal(glob.at, '"wasi_snapshot_preview1.fs_*"');
    assert.match(glob.finding.message, /can never match: no wasi_snapshot_preview1 function fits "fs_\*"/);
    assert.match(only('{ "imports": { "allow": ["env. foo"] } }').finding.message, /contains spaces/);
  });

  it('flags a pattern both allowed and denied, on the allow entry', () => {
    const same = only('{ "imports": { "allow": ["env.a", "env.b"], "deny": ["env.b"] } }');
    assert.equal(same.at, '"env.b"');
    assert.equal(same.finding.location.kind === 'text' && same.finding.location.start.character, 34);
    assert.match(same.finding.message, /"env\.b" is also denied in imports\.deny; deny beats allow/);
    const covered = only('{ "imports": { "allow": ["env.run_script"], "deny": ["env.run_*"] } }');
    assert.match(covered.finding.message, /also denied by "env\.run_\*"/);
  });

  it('flags key files that do not exist, relative to the policy', () => {
    const { finding, at } = only('{ "signature": { "trustedKeys": ["keys/a.pub", "keys/missing.pub"] } }', {
      '/ws/keys/a.pub': 'k',
    });
    assert.equal(at, '"keys/missing.pub"');
    assert.equal(finding.severity, 'error');
    assert.match(finding.message, /Key file not found: \/ws\/keys\/missing\.pub/);
  });

  it('warns about preopened folders that do not exist', () => {
    const { finding, at } = only('{ "sandbox": { "preopens": [{ "host": "data", "guest": "/d" }] } }');
    assert.equal(at, '"data"');
    assert.equal(finding.severity, 'warning');
  });

  it('flags missing required keys, duplicate keys and unknown rule ids', () => {
    assert.match(only('{ "overrides": [{ "memory": {} }] }').finding.message, /overrides\[0\] needs "files"/);
    const dup = only('{ "memory": {}, "memory": {} }');
    assert.match(dup.finding.message, /"memory" appears twice/);
    const rule = only('{ "rules": { "start-functon": "off" } }', {}, ['start-function', 'debug-info']);
    assert.equal(rule.at, '"start-functon"');
    assert.match(rule.finding.message, /Unknown rule "start-functon"\. Did you mean "start-function"\?/);
  });

  it('reports a broken extends at the extends value', () => {
    const missing = only('{ "extends": "../base.json" }');
    assert.equal(missing.at, '"../base.json"');
    assert.match(missing.finding.message, /The policy this extends was not found: \/base\.json/);
    const broken = only('{ "extends": "base.json" }', {
      '/ws/base.json': '{ "memory": { "maxPages": "x" } }',
    });
    assert.equal(broken.at, '"base.json"');
    assert.match(
      broken.finding.message,
      /The policy this extends is broken: base\.json line 1: memory\.maxPages must be a whole number/,
    );
    const cycle = only('{ "extends": "a.json" }', { '/ws/a.json': '{ "extends": "wasm-policy.json" }' });
    assert.equal(cycle.at, '"a.json"');
    assert.match(cycle.finding.message, /cycle|broken/);
    const self = only('{ "extends": "./wasm-policy.json" }');
    assert.match(self.finding.message, /"extends" makes a cycle: wasm-policy\.json → wasm-policy\.json/);
  });

  it('accepts a byte-order mark and keeps ranges exact after it', () => {
    const { at } = only('\ufeff{ "memory": { "maxPage": 16 } }');
    assert.equal(at, '"maxPage"');
  });

  it('reports syntax errors at their place', () => {
    const found = problems('{\n  "memory": { "maxPages": 16 \n}');
    assert.ok(found.length >= 1);
    assert.equal(found[0].severity, 'error');
    assert.match(found[0].message, /Expected "}"|Expected a comma/);
  });
});
