import * as assert from 'node:assert/strict';
import { PolicyResolver } from '../../server/src/core/policy/resolver';
import { MemoryFileSystem } from './policyMemoryFs';

const POLICY = '/ws/wasm-policy.json';

/** Resolves a module under a policy with this text: it must fail closed with a located problem. */
function failsClosed(text: string, message: RegExp): void {
  const r = new PolicyResolver(new MemoryFileSystem({ [POLICY]: text }), { roots: ['/ws'] });
  const problems = r.problemsOf(POLICY);
  assert.ok(problems.length >= 1 && problems.length <= 21, `problem count ${problems.length}`);
  assert.equal(problems[0].severity, 'error');
  assert.match(problems[0].message, message);
  assert.equal(problems[0].location.kind, 'text');
  const policy = r.resolve('/ws/m.wasm');
  assert.deepEqual(policy.source, { kind: 'strict-fallback', brokenPath: POLICY });
  assert.equal(policy.checkImport('wasi_snapshot_preview1', 'fd_write').decision, 'deny');
  assert.ok(policy.moduleProblem);
}

describe('policy bad input', () => {
  it('an empty file', () => failsClosed('', /The policy file is empty/));
  it('only whitespace and comments', () => failsClosed('  // nothing\n', /Expected a value|empty/));
  it('a JSON array', () => {
    failsClosed('[{"imports": {}}]', /A policy must be a JSON object \{ … \}; this file is an array/);
  });
  it('a JSON string or null', () => {
    failsClosed('"wasm"', /this file is a string/);
    failsClosed('null', /this file is a null/);
  });
  it('a 10 MB policy', () => {
    const big =
      '{ "rules": {' + Array.from({ length: 400_000 }, (_, i) => `"r${i}": "off"`).join(',') + '} }';
    assert.ok(big.length > 5_000_000);
    failsClosed(big + ' '.repeat(10_000_000 - big.length), /above the limit/);
  });
  it('100,000 levels of nesting, without recursion', () => {
    failsClosed('['.repeat(100_000) + ']'.repeat(100_000), /nests deeper than 64 levels/);
    failsClosed('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), /nests deeper/);
  });
  it('binary garbage', () => {
    const garbage = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919 + 13) % 256)).toString(
      'latin1',
    );
    failsClosed(garbage, /binary data/);
    failsClosed('\u00ff\u00fe{ garbage }}}', /Unexpected|Expected|must be/);
  });
  it('unreadable JSON gives at most 20 syntax problems plus a summary', () => {
    const r = new PolicyResolver(new MemoryFileSystem({ [POLICY]: '{' + ' @'.repeat(500) }), {
      roots: ['/ws'],
    });
    const problems = r.problemsOf(POLICY);
    assert.equal(problems.length, 21);
    assert.match(problems[20].message, /more syntax errors not shown/);
  });
});
