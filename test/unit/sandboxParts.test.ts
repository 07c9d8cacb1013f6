/**
 * The sandbox's pure parts: argument conversion, guest path checks, exit codes, alerts, launch
 * flags, the report text; and the fallback when a runtime rejects the permission flag.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseRunArgs } from '../../server/src/cli/commands/run';
import { UsageError } from '../../server/src/cli/command';
import { DEFAULT_SANDBOX_POLICY, maxMemoryPages } from '../../server/src/core/sandbox/defaults';
import { formatWasmResults, parseWasmArgs } from '../../server/src/core/sandbox/invokeArgs';
import { childLaunch, permissionFlag, readablePaths } from '../../server/src/core/sandbox/isolation';
import { checkGuestPath, isWithin } from '../../server/src/core/sandbox/pathCheck';
import { exitCodeFor, formatReportText, type SandboxReport } from '../../server/src/core/sandbox/report';
import { alertsFor, runSandbox } from '../../server/src/core/sandbox/runner';

const fixtures = path.resolve(__dirname, '../../../test/fixtures');

function report(overrides: Partial<SandboxReport> = {}): SandboxReport {
  return {
    file: '/m.wasm',
    mode: 'wasi',
    outcome: { kind: 'exit', code: 0 },
    stdout: { text: '', totalBytes: 0, truncated: false },
    stderr: { text: '', totalBytes: 0, truncated: false },
    durationMs: 10,
    moduleMs: 5,
    peakMemoryBytes: 0,
    memoryLimitBytes: 1 << 20,
    hostCalls: {},
    samples: [],
    violations: [],
    missingImports: [],
    alerts: [],
    writtenFiles: [],
    notes: [],
    ...overrides,
  };
}

describe('sandbox parts', () => {
  describe('parseWasmArgs', () => {
    it('converts by parameter type, i64 as BigInt, with wrap-around for unsigned i32 text', () => {
      assert.deepEqual(
        parseWasmArgs(['i32', 'i64', 'f32', 'f64'], ['-5', '9007199254740993', '1.5', 'inf']),
        [-5, 9007199254740993n, 1.5, Infinity],
      );
      assert.deepEqual(parseWasmArgs(['i32'], ['0xffffffff']), [-1]);
      assert.ok(Number.isNaN((parseWasmArgs(['f64'], ['nan']) as number[])[0]));
    });
    it('says which argument is wrong', () => {
      assert.deepEqual(parseWasmArgs(['i32', 'i32'], ['1']), {
        error: 'expects 2 arguments (i32, i32), got 1',
      });
      assert.deepEqual(parseWasmArgs(['i32'], ['1.5']), {
        error: 'argument 1 (i32) "1.5" is not an integer',
      });
      assert.deepEqual(parseWasmArgs(['i32'], ['4294967296']), {
        error: 'argument 1 (i32) "4294967296" does not fit in 32 bits',
      });
      assert.deepEqual(parseWasmArgs(['f32'], ['abc']), { error: 'argument 1 (f32) "abc" is not a number' });
      assert.deepEqual(parseWasmArgs(['externref'], ['x']), {
        error:
          'argument 1 (externref) "x": parameters of type externref cannot be given from the command line',
      });
    });
    it('formats results', () => {
      assert.deepEqual(formatWasmResults(42, 1), ['42']);
      assert.deepEqual(formatWasmResults([1, 2n], 2), ['1', '2']);
      assert.deepEqual(formatWasmResults(undefined, 0), []);
    });
  });

  describe('checkGuestPath', () => {
    it('normalises paths inside the preopen', () => {
      assert.deepEqual(checkGuestPath('a/./b/../c'), { relative: 'a/c' });
      assert.deepEqual(checkGuestPath('.'), { relative: '' });
    });
    it('refuses absolute paths, escapes and NUL bytes', () => {
      assert.match(checkGuestPath('/etc/passwd').reason ?? '', /absolute/);
      assert.match(checkGuestPath('a/../../etc/passwd').reason ?? '', /climbs out/);
      assert.match(checkGuestPath('a\0b').reason ?? '', /NUL/);
    });
    it('knows what is inside a link path', () => {
      assert.ok(isWithin('escape/passwd', 'escape'));
      assert.ok(isWithin('escape', 'escape'));
      assert.ok(!isWithin('escaped', 'escape'));
    });
  });

  describe('exit codes and alerts', () => {
    it('maps outcomes to CLI exit codes', () => {
      assert.equal(exitCodeFor({ kind: 'exit', code: 3 }), 3);
      assert.equal(exitCodeFor({ kind: 'returned', values: [] }), 0);
      assert.equal(exitCodeFor({ kind: 'timeout', limitMs: 1, killedAfterMs: 0 }), 124);
      assert.equal(exitCodeFor({ kind: 'stopped', reason: 'x' }), 125);
      assert.equal(exitCodeFor({ kind: 'trap', message: 'x' }), 134);
      assert.equal(exitCodeFor({ kind: 'error', message: 'x' }), 2);
    });
    it('raises memory and slow alerts from the policy thresholds, not below them', () => {
      const policy = { ...DEFAULT_SANDBOX_POLICY, alerts: { memoryPercent: 50, slowMs: 100 } };
      assert.deepEqual(
        alertsFor(report({ peakMemoryBytes: (1 << 20) / 2 - 1, moduleMs: 100 }), policy, 1024),
        [],
      );
      assert.deepEqual(
        alertsFor(report({ peakMemoryBytes: (1 << 20) / 2, moduleMs: 101 }), policy, 1024).map((a) => a.kind),
        ['memory', 'slow'],
      );
    });
  });

  describe('launch', () => {
    it('caps wasm memory in pages and reads only the runner and the preopens', () => {
      const policy = {
        ...DEFAULT_SANDBOX_POLICY,
        maxMemory: 10 * 65536 + 5,
        preopens: [{ host: '/srv/data', guest: '/data', mode: 'ro' as const }],
      };
      assert.equal(maxMemoryPages(policy), 10);
      const launch = childLaunch('/x/dist/sandbox-runner.js', policy, {
        writeBack: false,
        usePermissions: true,
      });
      assert.deepEqual(launch.execArgv, [
        '--wasm-max-mem-pages=10',
        '--experimental-wasm-type-reflection',
        '--no-warnings',
        permissionFlag(process.version),
        '--allow-fs-read=/x/dist/sandbox-runner.js',
        '--allow-fs-read=/srv/data',
      ]);
      assert.deepEqual(launch.env, {});
      assert.deepEqual(readablePaths('/x/dist/sandbox-runner.js', { ...DEFAULT_SANDBOX_POLICY }), [
        '/x/dist/sandbox-runner.js',
      ]);
    });
    it('allows writes only to rw preopens, and only with write-back', () => {
      const policy = {
        ...DEFAULT_SANDBOX_POLICY,
        preopens: [
          { host: '/a', guest: '/a', mode: 'rw' as const },
          { host: '/b', guest: '/b', mode: 'ro' as const },
        ],
      };
      assert.ok(
        !childLaunch('/x/sandbox-runner.js', policy, {
          writeBack: false,
          usePermissions: true,
        }).execArgv.some((a) => a.startsWith('--allow-fs-write')),
      );
      assert.deepEqual(
        childLaunch('/x/sandbox-runner.js', policy, {
          writeBack: true,
          usePermissions: true,
        }).execArgv.filter((a) => a.startsWith('--allow-fs-write')),
        ['--allow-fs-write=/a'],
      );
    });
    it('names the permission flag by Node version', () => {
      assert.equal(permissionFlag('v20.20.2'), '--experimental-permission');
      assert.equal(permissionFlag('v22.12.0'), '--experimental-permission');
      assert.equal(permissionFlag('v22.13.0'), '--permission');
      assert.equal(permissionFlag('v24.0.0'), '--permission');
    });
    it('runs without the permission model, and says so, when the runtime rejects the flag', async function () {
      this.timeout(30_000);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-node-'));
      try {
        // A "node" that, like a runtime built without the permission model, rejects the flag.
        const fake = path.join(dir, 'node-without-permissions');
        fs.writeFileSync(
          fake,
          `#!/bin/sh\nfor a in "$@"; do case "$a" in --experimental-permission|--permission) echo "node: bad option: $a" >&2; exit 9;; esac; done\nexec "${process.execPath}" "$@"\n`,
          { mode: 0o755 },
        );
        const r = await runSandbox({ file: path.join(fixtures, 'sandbox', 'hello.wat'), execPath: fake });
        assert.deepEqual(r.outcome, { kind: 'exit', code: 0 });
        assert.equal(r.stdout.text, 'hello, sandbox\n');
        assert.ok(
          r.notes.some((n) => /permission model is not available/.test(n)),
          JSON.stringify(r.notes),
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('wasm-warden run arguments', () => {
    it('parses options, --invoke arguments (negative numbers too) and WASI arguments after --', () => {
      assert.deepEqual(
        parseRunArgs(['m.wasm', '--json', '--timeout', '200', '--invoke', 'add', '-3', '4', '--write-back']),
        {
          file: 'm.wasm',
          json: true,
          timeoutMs: 200,
          invoke: { name: 'add', args: ['-3', '4'] },
          writeBack: true,
          args: [],
        },
      );
      assert.deepEqual(parseRunArgs(['m.wasm', '--policy', 'p.json', '--', '--flag', 'x']), {
        file: 'm.wasm',
        policy: 'p.json',
        json: false,
        writeBack: false,
        args: ['--flag', 'x'],
      });
    });
    it('rejects bad usage', () => {
      assert.throws(
        () => parseRunArgs([]),
        (e: Error) => e instanceof UsageError && e.message === 'missing FILE',
      );
      assert.throws(() => parseRunArgs(['m.wasm', '--timeout', 'soon']), /--timeout needs a positive number/);
      assert.throws(() => parseRunArgs(['m.wasm', '--bogus']), /unknown option --bogus/);
      assert.throws(() => parseRunArgs(['m.wasm', '--invoke', 'f', '--', 'x']), /with --invoke/);
    });
  });

  it('formats a report for people', () => {
    const text = formatReportText(
      report({
        outcome: { kind: 'exit', code: 76 },
        hostCalls: { 'wasi_snapshot_preview1.path_open': 1 },
        violations: [
          {
            call: 'wasi_snapshot_preview1.path_open',
            args: { fd: 3, path: '../../etc/passwd' },
            reason: 'the path climbs out',
            atMs: 1,
          },
        ],
      }),
    );
    assert.match(text, /result: {3}exited with code 76/);
    assert.match(text, /host calls: wasi_snapshot_preview1\.path_open ×1/);
    assert.match(
      text,
      /VIOLATION wasi_snapshot_preview1\.path_open\(fd=3 path="\.\.\/\.\.\/etc\/passwd"\): the path climbs out/,
    );
  });
});
