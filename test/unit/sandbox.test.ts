/**
 * The sandbox runner against hostile and well-behaved modules. Every run goes through a real
 * sandbox process; each test checks the outcome, the report and that the process is gone.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SandboxPolicy } from '../../server/src/core/policy/types';
import { DEFAULT_SANDBOX_POLICY } from '../../server/src/core/sandbox/defaults';
import { exitCodeFor, formatReportText, type SandboxReport } from '../../server/src/core/sandbox/report';
import { startSandboxRun, type SandboxRunOptions } from '../../server/src/core/sandbox/runner';
import { processGone, waitUntilGone } from '../support/processes';

const fixtures = path.resolve(__dirname, '../../../test/fixtures');
const hostile = (name: string): string => path.join(fixtures, 'hostile', `${name}.wat`);
const wellBehaved = (name: string): string => path.join(fixtures, 'sandbox', `${name}.wat`);

/** Runs a module and checks the sandbox process no longer exists afterwards. */
async function run(options: SandboxRunOptions): Promise<SandboxReport> {
  const handle = startSandboxRun(options);
  const report = await handle.done;
  assert.ok(handle.pid && processGone(handle.pid), `sandbox process ${handle.pid} is gone`);
  return report;
}

function policy(overrides: Partial<SandboxPolicy> = {}): SandboxPolicy {
  return { ...DEFAULT_SANDBOX_POLICY, timeoutMs: 10_000, ...overrides };
}

/** A temporary folder the test owns, with a listing to compare afterwards. */
function tempDir(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-sandbox-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

function listing(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}

const violationCalls = (r: SandboxReport): string[] => r.violations.map((v) => v.call);

/** The sandbox fixture files with size and mtime: hostile runs must not change any of them. */
function fixturesSnapshot(): string[] {
  return ['hostile', 'sandbox'].flatMap((dir) =>
    fs
      .readdirSync(path.join(fixtures, dir), { recursive: true })
      .map(String)
      .sort()
      .map((f) => {
        const st = fs.lstatSync(path.join(fixtures, dir, f));
        return `${dir}/${f} ${st.size} ${st.mtimeMs}`;
      }),
  );
}

describe('sandbox: hostile modules', function () {
  this.timeout(30_000);
  const cleanup: string[] = [];
  let fixturesBefore: string[];
  before(() => (fixturesBefore = fixturesSnapshot()));
  after(() => {
    cleanup.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    assert.deepEqual(fixturesSnapshot(), fixturesBefore, 'no fixture file was touched');
  });

  it('kills an infinite loop at the time limit', async () => {
    const r = await run({ file: hostile('infinite-loop'), policy: policy({ timeoutMs: 300 }) });
    assert.equal(r.outcome.kind, 'timeout');
    assert.equal(r.outcome.kind === 'timeout' ? r.outcome.limitMs : 0, 300);
    assert.equal(exitCodeFor(r.outcome), 124);
  });

  it('kills a loop in the start function (instantiation is inside the sandbox too)', async () => {
    const r = await run({ file: hostile('start-loop'), policy: policy({ timeoutMs: 300 }) });
    assert.equal(r.outcome.kind, 'timeout');
  });

  it('reports a stack overflow as a trap with the wasm stack', async () => {
    const r = await run({ file: hostile('stack-overflow'), policy: policy() });
    assert.equal(r.outcome.kind, 'trap');
    assert.match(r.outcome.kind === 'trap' ? r.outcome.message : '', /call stack/);
    assert.match(r.outcome.kind === 'trap' ? (r.outcome.stack ?? '') : '', /wasm-function/);
    assert.equal(exitCodeFor(r.outcome), 134);
  });

  it('caps memory.grow at the policy limit and raises the memory alert', async () => {
    const r = await run({
      file: hostile('memory-grow-bomb'),
      policy: policy({ maxMemory: 4 * 1024 * 1024 }),
    });
    // The bomb traps (unreachable) once memory.grow returns -1 at the cap.
    assert.equal(r.outcome.kind, 'trap');
    assert.equal(r.memoryLimitBytes, 4 * 1024 * 1024);
    assert.equal(r.peakMemoryBytes, 4 * 1024 * 1024);
    // (A `slow` alert may join it on a loaded machine; the memory one must be there.)
    assert.ok(
      r.alerts.some(
        (a) => a.kind === 'memory' && a.message.startsWith('memory reached 100% of the 4194304-byte limit'),
      ),
      JSON.stringify(r.alerts),
    );
  });

  it('stops a module whose initial memory is above the limit', async () => {
    const r = await run({
      file: hostile('huge-initial-memory'),
      policy: policy({ maxMemory: 16 * 1024 * 1024 }),
    });
    assert.equal(r.outcome.kind, 'stopped');
    assert.match(r.outcome.kind === 'stopped' ? r.outcome.reason : '', /memory limit/);
    assert.equal(exitCodeFor(r.outcome), 125);
  });

  for (const [fixture, tried, reason] of [
    ['path-open-parent', '../../etc/passwd', /climbs out/],
    ['path-open-absolute', '/etc/passwd', /absolute paths/],
  ] as const) {
    it(`denies path_open of ${tried} and records the path`, async () => {
      const dir = tempDir({ 'inside.txt': 'x' });
      cleanup.push(dir);
      const r = await run({
        file: hostile(fixture),
        policy: policy({ preopens: [{ host: dir, guest: '/data', mode: 'ro' }] }),
      });
      assert.deepEqual(r.outcome, { kind: 'exit', code: 76 }, 'the module got ENOTCAPABLE and kept running');
      assert.equal(r.violations.length, 1);
      assert.equal(r.violations[0].call, 'wasi_snapshot_preview1.path_open');
      assert.equal(r.violations[0].args.path, tried);
      assert.match(r.violations[0].reason, reason);
      assert.deepEqual(listing(dir), ['inside.txt']);
    });
  }

  it('refuses a symlink that leads out of a preopen', async () => {
    const outside = tempDir({ passwd: 'SECRET-OUTSIDE' });
    const dir = tempDir();
    cleanup.push(outside, dir);
    fs.symlinkSync(outside, path.join(dir, 'escape'));
    const r = await run({
      file: hostile('path-open-symlink'),
      policy: policy({ preopens: [{ host: dir, guest: '/data', mode: 'ro' }] }),
    });
    assert.deepEqual(r.outcome, { kind: 'exit', code: 76 });
    assert.equal(r.violations.length, 1);
    assert.equal(r.violations[0].args.path, 'escape/passwd');
    assert.match(r.violations[0].reason, /symlink/);
    assert.ok(!r.stdout.text.includes('SECRET-OUTSIDE'));
    assert.equal(fs.readFileSync(path.join(outside, 'passwd'), 'utf8'), 'SECRET-OUTSIDE');
  });

  it('denies writes to a read-only preopen and leaves the host folder untouched', async () => {
    const dir = tempDir({ 'keep.txt': 'original' });
    cleanup.push(dir);
    const r = await run({
      file: hostile('write-readonly'),
      policy: policy({ preopens: [{ host: dir, guest: '/data', mode: 'ro' }] }),
    });
    assert.deepEqual(r.outcome, { kind: 'exit', code: 69 }, 'path_open answered EROFS');
    assert.deepEqual(violationCalls(r), [
      'wasi_snapshot_preview1.path_open',
      'wasi_snapshot_preview1.fd_write',
    ]);
    assert.equal(r.violations[0].args.path, 'pwned.txt');
    assert.deepEqual(listing(dir), ['keep.txt']);
    assert.equal(fs.readFileSync(path.join(dir, 'keep.txt'), 'utf8'), 'original');
  });

  it('keeps rw preopen writes in memory unless write-back was confirmed', async () => {
    const dir = tempDir();
    cleanup.push(dir);
    const rw = policy({ preopens: [{ host: dir, guest: '/data', mode: 'rw' }] });
    const kept = await run({ file: hostile('write-readonly'), policy: rw });
    assert.deepEqual(kept.outcome, { kind: 'exit', code: 0 });
    assert.deepEqual(kept.writtenFiles, [
      { host: path.join(fs.realpathSync(dir), 'pwned.txt'), bytes: 0, writtenBack: false },
    ]);
    assert.deepEqual(listing(dir), []);
    const written = await run({ file: hostile('write-readonly'), policy: rw, writeBack: true });
    assert.equal(written.writtenFiles[0]?.writtenBack, true);
    assert.deepEqual(listing(dir), ['pwned.txt']);
  });

  it('denies socket calls as violations and lets the module continue', async () => {
    const r = await run({ file: hostile('sockets'), policy: policy() });
    assert.deepEqual(r.outcome, { kind: 'exit', code: 0 });
    assert.equal(r.stdout.text, 'still here\n');
    assert.deepEqual(violationCalls(r), [
      'wasi_snapshot_preview1.sock_accept',
      'wasi_snapshot_preview1.sock_send',
      'wasi_snapshot_preview1.sock_recv',
    ]);
  });

  it('shows the module only the environment the policy lists', async () => {
    const secret = `ww-secret-${process.pid}-${Date.now()}`;
    process.env.WASM_WARDEN_TEST_SECRET = secret;
    try {
      const r = await run({
        file: hostile('environ-secrets'),
        policy: policy({ env: { GREETING: 'hello' } }),
      });
      assert.deepEqual(r.outcome, { kind: 'exit', code: 0 });
      assert.equal(r.stdout.text, 'GREETING=hello\0');
      assert.ok(!JSON.stringify(r).includes(secret));
    } finally {
      delete process.env.WASM_WARDEN_TEST_SECRET;
    }
  });

  it('keeps the report bounded when a module floods violations', async () => {
    const r = await run({ file: hostile('violation-flood'), policy: policy() });
    assert.deepEqual(r.outcome, { kind: 'exit', code: 0 });
    assert.equal(r.hostCalls['wasi_snapshot_preview1.sock_send'], 100_000);
    assert.equal(r.violations.length, 500);
    assert.ok(
      r.notes.includes('100000 violations in all; the first 500 are listed'),
      JSON.stringify(r.notes),
    );
  });

  it('stops a module that calls proc_raise', async () => {
    const r = await run({ file: hostile('proc-raise'), policy: policy() });
    assert.equal(r.outcome.kind, 'stopped');
    assert.equal(exitCodeFor(r.outcome), 125);
    assert.deepEqual(
      r.violations.map((v) => [v.call, v.args.signal]),
      [['wasi_snapshot_preview1.proc_raise', 9]],
    );
    assert.equal(r.stdout.text, '', 'nothing ran after the raise');
  });

  it('caps 100 MiB of stdout at the output limit and counts the rest', async () => {
    const r = await run({ file: hostile('stdout-flood'), policy: policy() });
    assert.deepEqual(r.outcome, { kind: 'exit', code: 0 });
    assert.equal(Buffer.byteLength(r.stdout.text), 1024 * 1024);
    assert.equal(r.stdout.totalBytes, 100 * 1024 * 1024);
    assert.equal(r.stdout.truncated, true);
    assert.equal(r.hostCalls['wasi_snapshot_preview1.fd_write'], 1600);
    assert.ok(r.alerts.some((a) => a.kind === 'output'));
  });

  it('kills a runaway sandbox process when the process that started it exits', async () => {
    const runner = path.resolve(__dirname, '../../server/src/core/sandbox/runner.js');
    // A parent that starts a 60 s run of an infinite loop, prints the sandbox pid, and exits.
    const script = `const { startSandboxRun } = require(${JSON.stringify(runner)});
      const run = startSandboxRun({ file: ${JSON.stringify(hostile('infinite-loop'))}, onSample: () => { console.log(run.pid); process.exit(0); } });`;
    const { execFileSync } = await import('node:child_process');
    const pid = Number(
      execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 }).trim(),
    );
    assert.ok(pid > 0);
    // The parent's exit hook sent SIGKILL; the kernel takes it from there, in its own time.
    assert.ok(await waitUntilGone(pid), `sandbox process ${pid} outlived its parent`);
  });

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`kills the sandbox process when ${signal} is sent to the process that started it alone`, async () => {
      const runner = path.resolve(__dirname, '../../server/src/core/sandbox/runner.js');
      // A parent that starts a 60 s run of an infinite loop, prints the sandbox pid, and waits.
      const script = `const { startSandboxRun } = require(${JSON.stringify(runner)});
        let said = false;
        const run = startSandboxRun({ file: ${JSON.stringify(hostile('infinite-loop'))}, timeoutMs: 60000,
          onSample: () => { if (!said) { said = true; console.log(run.pid); } } });`;
      const { spawn } = await import('node:child_process');
      const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        parent.once('exit', (_, sig) => resolve(sig)),
      );
      const pid = await new Promise<number>((resolve) =>
        parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
      );
      assert.ok(pid > 0 && !processGone(pid), 'the sandbox runs');
      process.kill(parent.pid!, signal);
      assert.equal(await exited, signal, 'the parent still ends by the signal');
      assert.ok(await waitUntilGone(pid), `sandbox process ${pid} outlived its parent's ${signal}`);
    });
  }

  it('stops a run on cancel', async () => {
    const handle = startSandboxRun({ file: hostile('infinite-loop'), policy: policy({ timeoutMs: 20_000 }) });
    await new Promise<void>((resolve) => setTimeout(resolve, 300));
    handle.cancel();
    const r = await handle.done;
    assert.equal(r.outcome.kind, 'cancelled');
    assert.ok(handle.pid && processGone(handle.pid));
  });
});

describe('sandbox: well-behaved modules', function () {
  this.timeout(30_000);

  it('runs a WASI hello world', async () => {
    const r = await run({ file: wellBehaved('hello'), policy: policy() });
    assert.deepEqual(r.outcome, { kind: 'exit', code: 0 });
    assert.equal(r.stdout.text, 'hello, sandbox\n');
    assert.deepEqual(r.hostCalls, { 'wasi_snapshot_preview1.fd_write': 1 });
    assert.deepEqual(r.violations, []);
    assert.equal(r.peakMemoryBytes, 65536);
    assert.ok(r.samples.length >= 1);
  });

  it('reads a file from a preopen', async () => {
    const r = await run({
      file: wellBehaved('readfile'),
      policy: policy({
        preopens: [{ host: path.join(fixtures, 'sandbox', 'preopen'), guest: '/data', mode: 'ro' }],
      }),
    });
    assert.deepEqual(r.outcome, { kind: 'exit', code: 0 });
    assert.equal(r.stdout.text, 'hello from the preopen\n');
    assert.deepEqual(r.hostCalls, {
      'wasi_snapshot_preview1.path_open': 1,
      'wasi_snapshot_preview1.fd_read': 1,
      'wasi_snapshot_preview1.fd_write': 1,
    });
  });

  it('passes argv[0], the policy args, then the user args', async () => {
    const r = await run({
      file: wellBehaved('args'),
      policy: policy({ args: ['--from-policy'] }),
      args: ['a b', 'c'],
    });
    assert.deepEqual(r.outcome, { kind: 'exit', code: 0 });
    assert.equal(r.stdout.text, 'args.wat\0--from-policy\0a b\0c\0');
    assert.deepEqual(r.hostCalls, {
      'wasi_snapshot_preview1.args_sizes_get': 1,
      'wasi_snapshot_preview1.args_get': 1,
      'wasi_snapshot_preview1.fd_write': 1,
    });
  });

  it('reports the exit code of proc_exit and stderr', async () => {
    const r = await run({ file: wellBehaved('exit3'), policy: policy() });
    assert.deepEqual(r.outcome, { kind: 'exit', code: 3 });
    assert.equal(exitCodeFor(r.outcome), 3);
    assert.equal(r.stderr.text, 'bye\n');
    assert.deepEqual(r.hostCalls, {
      'wasi_snapshot_preview1.fd_write': 1,
      'wasi_snapshot_preview1.proc_exit': 1,
    });
  });

  it('invokes add(i32, i32) of a module without WASI', async () => {
    const r = await run({
      file: wellBehaved('add'),
      policy: policy(),
      invoke: { name: 'add', args: ['2', '40'] },
    });
    assert.deepEqual(r.outcome, { kind: 'returned', values: ['42'] });
    assert.deepEqual(r.hostCalls, {});
    assert.deepEqual(r.missingImports, ['env.log']);
  });

  it('traps when the module calls an import the preview does not provide', async () => {
    const r = await run({
      file: wellBehaved('add'),
      policy: policy(),
      invoke: { name: 'callsLog', args: [] },
    });
    assert.equal(r.outcome.kind, 'trap');
    assert.equal(
      r.outcome.kind === 'trap' ? r.outcome.message : '',
      'import env.log is not provided in the preview',
    );
    assert.deepEqual(r.hostCalls, { 'env.log': 1 });
  });

  /** Runs clock-random.wat and returns its 24 raw output bytes as realtime, monotonic, random. */
  async function clockAndRandom(
    clock: 'real' | 'fixed',
    random: 'real' | 'fixed',
  ): Promise<{ realtime: bigint; monotonic: bigint; random: string }> {
    const chunks: Buffer[] = [];
    const r = await run({
      file: wellBehaved('clock-random'),
      policy: policy({ clock, random }),
      onOutput: (_, data) => chunks.push(Buffer.from(data)),
    });
    assert.deepEqual(r.outcome, { kind: 'exit', code: 0 });
    const out = Buffer.concat(chunks);
    assert.equal(out.length, 24);
    return {
      realtime: out.readBigUInt64LE(0),
      monotonic: out.readBigUInt64LE(8),
      random: out.subarray(16).toString('hex'),
    };
  }

  it('gives fixed clocks and deterministic random bytes when the policy says "fixed"', async () => {
    const a = await clockAndRandom('fixed', 'fixed');
    const b = await clockAndRandom('fixed', 'fixed');
    assert.equal(a.realtime, 1_704_067_200_000_000_000n);
    assert.equal(a.monotonic, 1000n);
    assert.deepEqual(a, b);
  });

  it('gives the real clock and real random bytes when the policy says "real"', async () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const a = await clockAndRandom('real', 'real');
    const b = await clockAndRandom('real', 'real');
    assert.ok(
      a.realtime >= before - 1_000_000_000n && a.realtime <= BigInt(Date.now()) * 1_000_000n,
      String(a.realtime),
    );
    assert.notEqual(a.random, b.random);
  });

  it('explains a wrong argument count and a missing _start', async () => {
    const wrong = await run({
      file: wellBehaved('add'),
      policy: policy(),
      invoke: { name: 'add', args: ['1'] },
    });
    assert.deepEqual(wrong.outcome, { kind: 'error', message: 'add expects 2 arguments (i32, i32), got 1' });
    // With a profile too: the meter's own reader exports are not offered.
    for (const profile of [false, true]) {
      const noStart = await run({ file: wellBehaved('add'), policy: policy(), profile });
      assert.deepEqual(noStart.outcome, {
        kind: 'error',
        message: 'the module has no _start export; choose a function to invoke (add, callsLog)',
      });
    }
  });

  it('reports a .wat that does not compile, with its position, without starting a process', async () => {
    const dir = tempDir({ 'bad.wat': '(module (func (export "_start") i32.add))' });
    try {
      const handle = startSandboxRun({ file: path.join(dir, 'bad.wat'), policy: policy() });
      const r = await handle.done;
      assert.equal(handle.pid, undefined);
      assert.equal(r.outcome.kind, 'error');
      assert.match(
        r.outcome.kind === 'error' ? r.outcome.message : '',
        /bad\.wat:1:33: type mismatch in i32\.add/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports an unreadable file without starting a process', async () => {
    const handle = startSandboxRun({
      file: path.join(fixtures, 'sandbox', 'missing.wasm'),
      policy: policy(),
    });
    const r = await handle.done;
    assert.equal(handle.pid, undefined);
    assert.equal(r.outcome.kind, 'error');
    assert.match(r.outcome.kind === 'error' ? r.outcome.message : '', /cannot read .*missing\.wasm: ENOENT/);
  });

  for (const random of ['real', 'fixed'] as const) {
    it(`answers random_get into a buffer past the end of memory with EFAULT (random: ${random})`, async () => {
      const chunks: Buffer[] = [];
      const r = await run({
        file: wellBehaved('random-fault'),
        policy: policy({ random }),
        onOutput: (_, data) => chunks.push(Buffer.from(data)),
      });
      assert.deepEqual(r.outcome, { kind: 'exit', code: 0 });
      // past the end, at 0xfffffff8, and ending exactly at the end (fine)
      assert.deepEqual([...Buffer.concat(chunks)], [21, 21, 0]);
    });
  }

  it('calls _initialize of a WASI reactor before the export it invokes', async () => {
    const r = await run({
      file: wellBehaved('reactor'),
      policy: policy(),
      invoke: { name: 'answer', args: [] },
    });
    assert.deepEqual(r.outcome, { kind: 'returned', values: ['42'] });
    const init = await run({
      file: wellBehaved('reactor'),
      policy: policy(),
      invoke: { name: '_initialize', args: [] },
    });
    assert.deepEqual(init.outcome, { kind: 'returned', values: [] }, '_initialize itself runs once');
  });

  it('runs bytes with the component preamble as a component (never "expected version")', async () => {
    const handle = startSandboxRun({
      file: 'component.wasm',
      bytes: Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00),
      policy: policy(),
    });
    const r = await handle.done;
    assert.equal(r.mode, 'component', JSON.stringify(r.outcome));
    assert.doesNotMatch(JSON.stringify(r.outcome), /expected version/);
  });

  it('quotes one duration in the text report and its slow alert', async () => {
    const r = await run({
      file: wellBehaved('hello'),
      policy: policy({ alerts: { memoryPercent: 90, slowMs: 0 } }),
    });
    assert.ok(r.moduleMs !== undefined, 'the runner timed the module itself');
    const slow = r.alerts.find((a) => a.kind === 'slow');
    assert.ok(slow, JSON.stringify(r.alerts));
    const alerted = /took (\d+) ms/.exec(slow.message)![1];
    const text = formatReportText(r);
    assert.match(text, new RegExp(`time: +${alerted} ms`), text);
  });
});
