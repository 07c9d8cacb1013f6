/**
 * Runs one module in a separate sandbox process and builds its report. The parent never runs
 * module code: it forks `child.ts` with the policy's memory cap and Node's permission model, keeps
 * the wall-clock limit (SIGKILL), caps output, and assembles what the child streamed back, so a
 * run that is killed still reports what it did up to that point.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SandboxPolicy } from '../policy/types';
import { DEFAULT_SANDBOX_POLICY, maxMemoryPages, REPORT_LIMITS, WASM_PAGE_BYTES } from './defaults';
import { entryPoints } from './entryPoints';
import { childLaunch, defaultRunnerScript } from './isolation';
import type { ChildMessage, StartMessage } from './messages';
import { readModuleBytes } from '../wat/moduleBytes';
import { componentStart, isComponentBytes } from './component/prepare';
import type { HttpRequestSpec } from '../policy/httpSpec';
import type { FuelCounting } from '../metering/instrument';
import {
  emptyReport,
  runTimeMs,
  type SandboxAlert,
  type SandboxOutcome,
  type SandboxReport,
  type SandboxSample,
  type SandboxViolation,
} from './report';

export const DEFAULT_OUTPUT_LIMIT = 1024 * 1024;
/** Time the child gets to start before the run counts as failed (not part of the module's limit). */
const STARTUP_LIMIT_MS = 15_000;

export interface SandboxRunOptions {
  /** The module file (.wasm or .wat). */
  file: string;
  /** Bytes already in hand (e.g. an unsaved editor); otherwise the file is read (and compiled if .wat). */
  bytes?: Uint8Array;
  policy?: SandboxPolicy;
  /** WASI arguments after argv[0] (added after the policy's `args`). */
  args?: string[];
  /** Call an export instead of `_start` (modules without WASI). */
  invoke?: { name: string; args: string[] };
  /** Overrides the policy's timeout. */
  timeoutMs?: number;
  /** Overrides the policy's fuel limit (`sandbox.fuel`). */
  fuel?: number;
  /** Overrides the policy's fuel counting (`sandbox.fuelCounting`). */
  fuelCounting?: FuelCounting;
  /** Count fuel per function and loop (the report's `profile`). */
  profile?: boolean;
  /** A memory alert fired during the run (it is also in the report's `alerts`). */
  onAlert?(alert: SandboxAlert): void;
  /** Copy files written in `rw` preopens back to the host (only when the user confirmed). */
  writeBack?: boolean;
  outputLimit?: number;
  /** Streamed as the run goes (for the CLI and the editor panel). */
  onOutput?(stream: 'stdout' | 'stderr', data: Uint8Array): void;
  onSample?(sample: SandboxSample): void;
  onViolation?(violation: SandboxViolation): void;
  /** For tests and the benchmark: another runner script or Node binary. */
  runnerScript?: string;
  execPath?: string;
  /** Components: requests for a `wasi:http/proxy` handler (instead of the policy's `sandbox.http.requests`). */
  httpRequests?: HttpRequestSpec[];
  /** Components: outgoing requests to endpoints the policy allows may go to the network (the user confirmed). */
  networkConfirmed?: boolean;
  /** Components: where transpiled components are cached (default ~/.cache/wasm-warden/components). */
  componentCacheDir?: string;
  /** Components: progress of the first run's transpile. */
  onProgress?(message: string): void;
}

export interface SandboxRun {
  /** The sandbox process id (undefined until it started, or if it could not start). */
  readonly pid: number | undefined;
  /** Resolves when the run is over and the sandbox process has exited. Never rejects. */
  readonly done: Promise<SandboxReport>;
  /** Stops the run (SIGKILL); the report says `cancelled`. */
  cancel(): void;
}

class Capture {
  readonly chunks: Buffer[] = [];
  kept = 0;
  constructor(private readonly limit: number) {}
  add(data: Uint8Array): Uint8Array {
    const room = this.limit - this.kept;
    if (room <= 0) return new Uint8Array(0);
    const part = data.byteLength > room ? data.subarray(0, room) : data;
    this.chunks.push(Buffer.from(part));
    this.kept += part.byteLength;
    return part;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export function startSandboxRun(options: SandboxRunOptions): SandboxRun {
  const basePolicy = options.policy ?? DEFAULT_SANDBOX_POLICY;
  const policy = {
    ...basePolicy,
    ...(options.fuel !== undefined && { fuel: options.fuel }),
    ...(options.fuelCounting !== undefined && { fuelCounting: options.fuelCounting }),
  };
  const timeoutMs = options.timeoutMs ?? policy.timeoutMs;
  const outputLimit = options.outputLimit ?? DEFAULT_OUTPUT_LIMIT;
  const began = performance.now();
  const file = path.resolve(options.file);
  let child: ChildProcess | undefined;
  let cancelled = false;
  let cancelHook: (() => void) | undefined;
  /** When the memory alert first fired during the run (samples arrive from inside metered loops). */
  let firstMemoryAlertMs: number | undefined;

  const report = emptyReport(
    file,
    { kind: 'error', message: 'not started' },
    { invoked: options.invoke, memoryLimitBytes: maxMemoryPages(policy) * WASM_PAGE_BYTES },
  );

  const done = (async (): Promise<SandboxReport> => {
    const loaded = options.bytes ?? (await readModuleBytes(file));
    if (!(loaded instanceof Uint8Array)) {
      report.outcome = { kind: 'error', message: loaded.error };
      return finish(report, began, policy, outputLimit, firstMemoryAlertMs);
    }
    if (cancelled) {
      report.outcome = { kind: 'cancelled' };
      return finish(report, began, policy, outputLimit, firstMemoryAlertMs);
    }
    const bytes: Uint8Array = loaded;
    const prepared = isComponentBytes(bytes) ? await componentStart(bytes, policy, options) : undefined;
    if (prepared && 'error' in prepared) {
      report.outcome = { kind: 'error', message: prepared.error };
      return finish(report, began, policy, outputLimit, firstMemoryAlertMs);
    }
    const component = prepared;
    if (component) {
      report.mode = 'component';
      report.component = component.summary;
    }
    const runnerScript = options.runnerScript ?? defaultRunnerScript();
    let attempt = await runChild(true);
    if (attempt === 'permission-flag-rejected') {
      // An embedded Node (e.g. an older Electron) without the permission model: run without it, and say so.
      attempt = await runChild(false);
    }
    return finish(report, began, policy, outputLimit, firstMemoryAlertMs);

    function runChild(usePermissions: boolean): Promise<'ok' | 'permission-flag-rejected'> {
      const launch = childLaunch(runnerScript, policy, {
        writeBack: !!options.writeBack,
        usePermissions,
        execPath: options.execPath,
        allowWorker: !!component?.start.networkConfirmed,
      });
      const stdout = new Capture(outputLimit);
      const stderr = new Capture(outputLimit);
      const diagnostics = new Capture(64 * 1024);
      let finished: Extract<ChildMessage, { type: 'done' }> | undefined;
      let ready = false;
      let deadline = 0;
      let timedOut = false;
      const latestCalls: Record<string, number> = {};
      return new Promise((resolve) => {
        const proc = fork(runnerScript, [], {
          execPath: launch.execPath,
          execArgv: launch.execArgv,
          env: launch.env,
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
          serialization: 'advanced',
        });
        child = proc;
        trackUntilExit(proc);
        proc.stdout?.on('data', (d: Buffer) => diagnostics.add(d));
        proc.stderr?.on('data', (d: Buffer) => diagnostics.add(d));
        const kill = (): void => {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
        };
        cancelHook = kill;
        if (cancelled) kill();
        let limitTimer: NodeJS.Timeout | undefined;
        const startupTimer = setTimeout(kill, STARTUP_LIMIT_MS);
        proc.on('message', (message: ChildMessage) => {
          switch (message.type) {
            case 'ready':
              ready = true;
              deadline = performance.now() + timeoutMs;
              clearTimeout(startupTimer);
              limitTimer = setTimeout(() => {
                timedOut = true;
                kill();
              }, timeoutMs);
              break;
            case 'output': {
              const capture = message.stream === 'stdout' ? stdout : stderr;
              const kept = capture.add(message.data);
              if (kept.byteLength) options.onOutput?.(message.stream, kept);
              break;
            }
            case 'sample':
              if (report.samples.length >= REPORT_LIMITS.samples)
                report.samples = report.samples.filter((_, i) => i % 2 === 0);
              report.samples.push(message.sample);
              report.peakMemoryBytes = Math.max(report.peakMemoryBytes, message.sample.memoryBytes);
              if (firstMemoryAlertMs === undefined && memoryAlertFires(report, policy)) {
                firstMemoryAlertMs = message.sample.atMs;
                const [alert] = alertsFor(report, policy, Infinity);
                if (alert) options.onAlert?.({ ...alert, atMs: firstMemoryAlertMs });
              }
              Object.assign(latestCalls, message.hostCalls);
              options.onSample?.(message.sample);
              break;
            case 'violation':
              if (report.violations.length < REPORT_LIMITS.violations)
                report.violations.push(message.violation);
              options.onViolation?.(message.violation);
              break;
            case 'done':
              finished = message;
              clearTimeout(limitTimer);
              // The child exits by itself; make sure it does.
              setTimeout(kill, 1000).unref();
              break;
          }
        });
        proc.send({
          type: 'start',
          bytes,
          programName: path.basename(file),
          policy,
          args: options.args ?? [],
          invoke: options.invoke && { ...options.invoke, signature: signatureOf(bytes, options.invoke.name) },
          writeBack: !!options.writeBack,
          outputLimit,
          profile: !!options.profile,
          component: component?.start,
        } satisfies StartMessage);
        proc.on('error', (error) => diagnostics.add(Buffer.from(`\n${error.message}`)));
        proc.on('exit', (code, signal) => {
          clearTimeout(startupTimer);
          clearTimeout(limitTimer);
          const diag = diagnostics.text();
          if (
            !ready &&
            usePermissions &&
            !cancelled &&
            /permission/i.test(diag) &&
            /bad option|not allowed|unknown/i.test(diag)
          ) {
            resolve('permission-flag-rejected');
            return;
          }
          report.notes.push(...launch.notes);
          report.stdout = { text: stdout.text(), totalBytes: stdout.kept, truncated: false };
          report.stderr = { text: stderr.text(), totalBytes: stderr.kept, truncated: false };
          report.hostCalls = { ...latestCalls };
          if (finished) {
            report.outcome = finished.outcome;
            report.moduleMs = finished.moduleMs;
            if (finished.fuel) report.fuel = finished.fuel;
            if (finished.profile) report.profile = finished.profile;
            report.peakMemoryBytes = Math.max(report.peakMemoryBytes, finished.peakMemoryBytes);
            report.hostCalls = finished.hostCalls;
            report.missingImports = finished.missingImports;
            report.writtenFiles = finished.writtenFiles;
            report.notes.push(...finished.notes);
            if (finished.http) report.http = finished.http;
            for (const stream of ['stdout', 'stderr'] as const) {
              report[stream].totalBytes = finished.outputTotals[stream];
              report[stream].truncated = finished.outputTotals[stream] > outputLimit;
            }
          } else if (cancelled) {
            report.outcome = { kind: 'cancelled' };
          } else if (timedOut) {
            report.outcome = {
              kind: 'timeout',
              limitMs: timeoutMs,
              killedAfterMs: performance.now() - deadline,
            };
            // The child is gone: the fuel used is known as of its last sample.
            const last = report.samples.at(-1);
            if (last?.fuel !== undefined) report.fuel = { consumed: last.fuel, atLastSample: true };
          } else {
            const how = signal ? `signal ${signal}` : `exit code ${code}`;
            report.outcome = {
              kind: 'error',
              message: `the sandbox process ended unexpectedly (${how})${diag.trim() ? `: ${diag.trim().slice(0, 2000)}` : ''}`,
            };
          }
          resolve('ok');
        });
      });
    }
  })().catch((error: unknown): SandboxReport => {
    report.outcome = { kind: 'error', message: `sandbox failed: ${String(error)}` };
    return finish(report, began, policy, outputLimit, firstMemoryAlertMs);
  });

  return {
    get pid() {
      return child?.pid;
    },
    done,
    cancel() {
      cancelled = true;
      cancelHook?.();
    },
  };
}

/** An export's parameter and result types, read from the bytes (no code runs). */
function signatureOf(bytes: Uint8Array, name: string): { params: string[]; results: string[] } | undefined {
  const fn = entryPoints(bytes).functions.find((f) => f.name === name);
  return fn && { params: fn.params, results: fn.results };
}

/**
 * Sandbox processes still running. If the process that started them exits (the language server
 * shutting down, the CLI failing), they are killed too: a module stuck in a loop cannot notice
 * that its parent is gone, and its time limit lived in the parent. A signal that ends the parent
 * (SIGTERM, SIGINT, SIGHUP sent to it alone, not its group) skips `exit` hooks, so while children
 * live the signals are caught as well: the children are killed, then the signal takes its course.
 */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
const FATAL_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

const killLive = (): void => live.forEach((p) => p.kill('SIGKILL'));

function onFatalSignal(signal: NodeJS.Signals): void {
  killLive();
  removeSignalHooks();
  // Nobody else listens: the signal's default action (ending this process) was ours to keep.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function removeSignalHooks(): void {
  for (const signal of FATAL_SIGNALS) process.removeListener(signal, onFatalSignal);
}

function trackUntilExit(proc: ChildProcess): void {
  if (live.size === 0) for (const signal of FATAL_SIGNALS) process.on(signal, onFatalSignal);
  live.add(proc);
  proc.once('exit', () => {
    live.delete(proc);
    if (live.size === 0) removeSignalHooks();
  });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', killLive);
  }
}

function finish(
  report: SandboxReport,
  began: number,
  policy: SandboxPolicy,
  outputLimit: number,
  memoryAlertAtMs: number | undefined,
): SandboxReport {
  report.durationMs = performance.now() - began;
  report.alerts = alertsFor(report, policy, outputLimit).map((a) =>
    a.kind === 'memory' && memoryAlertAtMs !== undefined ? { ...a, atMs: memoryAlertAtMs } : a,
  );
  return report;
}

function memoryAlertFires(report: SandboxReport, policy: SandboxPolicy): boolean {
  const percent = report.memoryLimitBytes ? (report.peakMemoryBytes / report.memoryLimitBytes) * 100 : 0;
  return report.peakMemoryBytes > 0 && percent >= policy.alerts.memoryPercent;
}

/** Alerts from the policy's thresholds (`alerts.memoryPercent` of the cap, `alerts.slowMs`) and output caps. */
export function alertsFor(report: SandboxReport, policy: SandboxPolicy, outputLimit: number): SandboxAlert[] {
  const alerts: SandboxAlert[] = [];
  const percent = report.memoryLimitBytes ? (report.peakMemoryBytes / report.memoryLimitBytes) * 100 : 0;
  if (memoryAlertFires(report, policy)) {
    alerts.push({
      kind: 'memory',
      message: `memory reached ${percent.toFixed(0)}% of the ${report.memoryLimitBytes}-byte limit (alert at ${policy.alerts.memoryPercent}%)`,
    });
  }
  const time = runTimeMs(report);
  if (time > policy.alerts.slowMs)
    alerts.push({
      kind: 'slow',
      message: `the run took ${time.toFixed(0)} ms (alert above ${policy.alerts.slowMs} ms)`,
    });
  for (const stream of ['stdout', 'stderr'] as const) {
    if (report[stream].truncated)
      alerts.push({
        kind: 'output',
        message: `${stream} was cut at ${outputLimit} bytes of ${report[stream].totalBytes} written`,
      });
  }
  return alerts;
}

/** Runs to the end (convenience for the CLI and tests). */
export function runSandbox(options: SandboxRunOptions): Promise<SandboxReport> {
  return startSandboxRun(options).done;
}

export type { SandboxOutcome };
