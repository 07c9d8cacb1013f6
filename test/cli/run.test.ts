/**
 * `wasm-warden run` from the built CLI (dist/cli.js): exit codes, streamed output, the text
 * report on stderr, `--json`, and the policy's sandbox limits (preopens relative to the policy).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/lspClient';
import { waitUntilGone } from '../support/processes';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const fixtures = path.join(REPO_ROOT, 'test', 'fixtures');

function run(args: string[], cwd = fixtures): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'run', ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('wasm-warden run', function () {
  this.timeout(60_000);

  it('prints the module output, a report on stderr, and exits with the module code', () => {
    const r = run(['sandbox/exit3.wat']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^bye\nwasm-warden run: .*exit3\.wat\n {2}result: {3}exited with code 3\n/);
    assert.match(
      r.stderr,
      /host calls: wasi_snapshot_preview1\.fd_write ×1, wasi_snapshot_preview1\.proc_exit ×1/,
    );
  });

  it('invokes a function with --invoke and prints the report as JSON with --json', () => {
    const r = run(['sandbox/add.wat', '--json', '--invoke', 'add', '-3', '5']);
    assert.equal(r.code, 0);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.outcome, { kind: 'returned', values: ['2'] });
    assert.deepEqual(report.invoked, { name: 'add', args: ['-3', '5'] });
    assert.deepEqual(report.missingImports, ['env.log']);
  });

  it('exits 124 on the time limit, 125 when the sandbox stops the module, 134 on a trap, 2 on usage errors', () => {
    assert.equal(run(['hostile/infinite-loop.wat', '--timeout', '300']).code, 124);
    const raised = run(['hostile/proc-raise.wat']);
    assert.equal(raised.code, 125);
    assert.match(
      raised.stderr,
      /VIOLATION wasi_snapshot_preview1\.proc_raise\(signal=9\): raising signals is not allowed/,
    );
    assert.equal(run(['hostile/stack-overflow.wat']).code, 134);
    const usage = run(['--timeout']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--timeout needs a value/);
  });

  it('uses the sandbox section of the policy: preopens relative to it, env, and fails closed when it is broken', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-run-cli-'));
    try {
      fs.mkdirSync(path.join(dir, 'data'));
      fs.writeFileSync(path.join(dir, 'data', 'greeting.txt'), 'from the policy preopen\n');
      fs.copyFileSync(path.join(fixtures, 'sandbox', 'readfile.wat'), path.join(dir, 'readfile.wat'));
      fs.copyFileSync(path.join(fixtures, 'hostile', 'environ-secrets.wat'), path.join(dir, 'env.wat'));
      fs.writeFileSync(
        path.join(dir, 'wasm-policy.json'),
        JSON.stringify({
          sandbox: { preopens: [{ host: 'data', guest: '/data', mode: 'ro' }], env: { MODE: 'preview' } },
        }),
      );
      const read = run(['readfile.wat'], dir);
      assert.equal(read.code, 0, read.stderr);
      assert.equal(read.stdout, 'from the policy preopen\n');
      const env = run(['env.wat'], dir);
      assert.equal(env.stdout, 'MODE=preview\0');

      fs.writeFileSync(path.join(dir, 'wasm-policy.json'), '{ "sandbox": ');
      const broken = run(['readfile.wat'], dir);
      assert.equal(broken.code, 2);
      assert.equal(broken.stdout, '');
      assert.match(broken.stderr, /not running: /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('wasm-warden run under a signal', function () {
  this.timeout(60_000);

  /** The children of a process (Linux), polled until one appears or the bound runs out. */
  async function childOf(pid: number): Promise<number | undefined> {
    for (const end = Date.now() + 20_000; Date.now() < end;) {
      try {
        const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
        if (children) return Number(children.split(/\s+/)[0]);
      } catch {
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return undefined;
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to the CLI alone (not its group) ends the sandbox process too`, async function () {
      if (process.platform !== 'linux') this.skip();
      const { spawn } = await import('node:child_process');
      const cli = spawn(process.execPath, [CLI, 'run', 'hostile/infinite-loop.wat', '--timeout', '60000'], {
        cwd: fixtures,
        stdio: 'ignore',
      });
      const exited = new Promise<void>((resolve) => cli.once('exit', () => resolve()));
      const sandbox = await childOf(cli.pid!);
      assert.ok(sandbox, 'the sandbox process started');
      cli.kill(signal);
      await exited;
      assert.ok(await waitUntilGone(sandbox), `sandbox process ${sandbox} outlived the CLI's ${signal}`);
    });
  }
});
