import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'policy');

function run(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('wasm-warden policy', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-policy-'));
    for (const f of ['hello-wasi.wat', 'plugin.wat'])
      fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('init writes a least-privilege policy that check accepts and show applies', () => {
    const init = run(dir, 'policy', 'init', 'hello-wasi.wat');
    assert.equal(init.code, 0, init.stderr);
    const text = fs.readFileSync(path.join(dir, 'wasm-policy.json'), 'utf8');
    assert.match(text, /"wasi_snapshot_preview1\.fd_write", \/\/ io:/);
    assert.equal(run(dir, 'policy', 'check').code, 0);
    const show = run(dir, 'policy', 'show', 'hello-wasi.wat');
    assert.equal(show.code, 0, show.stdout);
    assert.match(
      show.stdout,
      /allow wasi_snapshot_preview1\.path_open \[filesystem\]: allowed by "wasi_snapshot_preview1\.path_open" in imports\.allow \(wasm-policy\.json:\d+\)/,
    );
    const other = run(dir, 'policy', 'show', 'plugin.wat');
    assert.equal(other.code, 1, 'plugin.wat imports what the policy does not allow');
    assert.match(other.stdout, /deny {2}host\.get_time: denied: matched by no pattern or capability/);
  });

  it('init keeps an existing policy unless --force, and prints with -o -', () => {
    fs.writeFileSync(path.join(dir, 'wasm-policy.json'), '{}');
    assert.equal(run(dir, 'policy', 'init', 'plugin.wat').code, 2);
    assert.equal(fs.readFileSync(path.join(dir, 'wasm-policy.json'), 'utf8'), '{}');
    const printed = run(dir, 'policy', 'init', 'plugin.wat', '-o', '-');
    assert.equal(printed.code, 0);
    assert.match(printed.stdout, /"host\.get_time"/);
    assert.equal(run(dir, 'policy', 'init', 'plugin.wat', '--force').code, 0);
    assert.match(fs.readFileSync(path.join(dir, 'wasm-policy.json'), 'utf8'), /"host\.get_time"/);
  });

  it('check prints located problems and exits 1; show fails closed', () => {
    fs.writeFileSync(
      path.join(dir, 'wasm-policy.json'),
      '{\n  "imports": { "allow": ["wasi_snapshot_preview1.fd_wrte"] }\n}\n',
    );
    const check = run(dir, 'policy', 'check');
    assert.equal(check.code, 1);
    assert.match(
      check.stdout,
      /^wasm-policy\.json:2:26 error Unknown WASI function "fd_wrte" in wasi_snapshot_preview1\. Did you mean "fd_write"\?$/m,
    );
    const show = run(dir, 'policy', 'show', 'hello-wasi.wat');
    assert.equal(show.code, 1);
    assert.match(show.stdout, /Policy: BROKEN .*wasm-policy\.json: the strict built-in policy/);
  });

  it('show --policy forces a policy file; usage errors exit 2', () => {
    fs.writeFileSync(path.join(dir, 'ci.json'), '{ "imports": { "otherwise": "allow" } }');
    const show = run(dir, 'policy', 'show', 'plugin.wat', '--policy', 'ci.json', '--json');
    assert.equal(show.code, 0);
    const report = JSON.parse(show.stdout);
    assert.equal(
      report.source.path,
      path.join(fs.realpathSync(dir), 'ci.json').replace(fs.realpathSync(dir), dir),
    );
    assert.equal(run(dir, 'policy').code, 2);
    assert.equal(run(dir, 'policy', 'frobnicate').code, 2);
    assert.equal(run(dir, 'policy', 'init').code, 2);
    assert.equal(run(dir, 'policy', 'check', '--bogus').code, 2);
    assert.equal(run(dir, 'policy', 'check', 'missing.json').code, 2);
  });
});
