import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'reach');

function run(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const REACHABILITY = {
  exports: [
    { name: 'handle', imports: ['wasi_snapshot_preview1.sock_send'] },
    { name: 'dispatch', imports: ['env.via_table'] },
    { name: 'even', imports: ['env.via_recursion'] },
  ],
  neverCalled: [
    'wasi_snapshot_preview1.fd_write',
    'env.emscripten_run_script',
    'env.never_used',
    'env.dead_indirect',
  ],
};

describe('wasm-warden and reachability', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-reach-'));
    for (const f of ['reach.wat', 'reach.wasm']) fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('inspect --json reports what each export reaches and what nothing calls, the same for .wat and .wasm', () => {
    for (const file of ['reach.wasm', 'reach.wat']) {
      const r = run(dir, 'inspect', '--json', '--reach', file);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).reachability, REACHABILITY, file);
    }
  });

  it('inspect lists what each export reaches only with --reach (per-function detail)', () => {
    const json = run(dir, 'inspect', '--json', 'reach.wasm');
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).reachability, { neverCalled: REACHABILITY.neverCalled });
    const text = run(dir, 'inspect', 'reach.wasm');
    assert.match(
      text.stdout,
      /^reachability: --reach lists the imports each of the 3 exported functions reaches$/m,
    );
    assert.doesNotMatch(text.stdout, /handle →/);
    assert.match(
      run(dir, 'inspect', '--reach', 'reach.wasm').stdout,
      /^ {2}handle → wasi_snapshot_preview1\.sock_send$/m,
    );
  });

  it('policy init grants what is called and comments out what nothing calls', () => {
    const r = run(dir, 'policy', 'init', '-o', '-', 'reach.wasm');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^ {6}"wasi_snapshot_preview1\.sock_send", \/\/ DANGEROUS \(grants network access\), review: network:/m,
    );
    assert.match(r.stdout, /^ {6}\/\/ "env\.never_used", \/\/ declared but never called: not granted/m);
    assert.doesNotMatch(r.stdout, /^ {6}"env\.never_used"/m);
  });

  it('check --format sarif carries the path from the export to the call site as codeFlows', () => {
    fs.writeFileSync(
      path.join(dir, 'wasm-policy.json'),
      '{ "imports": { "deny": ["wasi_snapshot_preview1.sock_*"], "otherwise": "allow" } }',
    );
    fs.rmSync(path.join(dir, 'reach.wat'));
    const r = run(dir, 'check', '--format', 'sarif', '.');
    const [result] = JSON.parse(r.stdout).runs[0].results.filter(
      (x: { ruleId: string }) => x.ruleId === 'disallowed-import',
    );
    assert.match(result.message.text, /Reached from export `handle` via `\$parse` → `\$log`\.$/);
    const steps = result.codeFlows[0].threadFlows[0].locations.map(
      (l: {
        location: { message: { text: string }; physicalLocation: { region: { byteOffset: number } } };
      }) => [l.location.message.text, l.location.physicalLocation.region.byteOffset],
    );
    assert.deepEqual(
      steps.map((s: unknown[]) => s[0]),
      [
        'export `handle`: $handle',
        'calls $parse',
        'calls $log',
        'call site of wasi_snapshot_preview1.sock_send',
      ],
    );
    assert.equal(steps[3][1], 0x176); // wasm-objdump -d: 000176: 10 00 | call 0 <sock_send>
  });
});
