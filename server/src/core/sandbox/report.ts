/**
 * What a sandboxed run did: the JSON the runner produces, the CLI prints with `--json` and the
 * editor shows in its report panel. Plain data only, so it crosses process and LSP boundaries.
 */

/** What the report says about a component run. */
export interface ComponentRunSummary {
  /** SHA-256 of the component's bytes (the transpile cache key). */
  digest: string;
  world: 'command' | 'http-proxy' | 'other';
  /** The transpile of this run, or 0 when the cache answered. */
  transpileMs: number;
  cached: boolean;
}

/** How the run ended. */
export type SandboxOutcome =
  /** A WASI module called `proc_exit` or returned from `_start` (code 0). */
  | { kind: 'exit'; code: number }
  /** An invoked export returned (non-WASI modules). */
  | { kind: 'returned'; values: string[] }
  /** The module trapped (unreachable, out of bounds, stack overflow, a missing import...). */
  | { kind: 'trap'; message: string; stack?: string }
  /** The wall-clock limit ran out and the runner process was killed. */
  | {
      kind: 'timeout';
      limitMs: number;
      /** From the deadline to the process being gone, in ms. */ killedAfterMs: number;
    }
  /** The sandbox stopped the module: a denied call that cannot continue (e.g. `proc_raise`) or a limit at instantiation. */
  | { kind: 'stopped'; reason: string }
  /** The module used up `sandbox.fuel` (or `--fuel`): the same point on every machine. */
  | { kind: 'fuel-exhausted'; limit: number }
  /** The user stopped the run. */
  | { kind: 'cancelled' }
  /** The module could not be run at all (unreadable file, invalid binary, runner failure). */
  | { kind: 'error'; message: string };

export interface SandboxViolation {
  /** The host function (or `load` for problems found while preparing preopens). */
  call: string;
  /** The call's arguments as the module gave them (paths decoded, numbers as text). */
  args: Record<string, string | number>;
  /** Why it was denied, in one sentence. */
  reason: string;
  /** Milliseconds since the module started. */
  atMs: number;
}

export interface SandboxAlert {
  kind: 'memory' | 'slow' | 'output';
  message: string;
  /** When it first fired, in ms since the module started (memory alerts fire during the run). */
  atMs?: number;
}

/** One point of the time series the report chart draws. */
export interface SandboxSample {
  atMs: number;
  /** Sum of byteLength over the module's memories. */
  memoryBytes: number;
  /** Host calls made so far (all functions). */
  hostCalls: number;
  /** Fuel used so far, when the run is metered. */
  fuel?: number;
}

/** Where the fuel went (`--profile`): top functions by their own fuel, and the busiest loops. */
export interface FuelProfile {
  /** Fuel charged inside functions of the module (all of them, not only the listed ones). */
  totalSelf: number;
  /** Functions called at least once. */
  calledFunctions: number;
  /**
   * By own fuel, highest first; `offset` is the body's byte offset in the .wasm file. `inclusive`
   * is the fuel of the function with its callees (recursion counted once, at the outermost call).
   */
  functions: Array<{
    index: number;
    name: string;
    offset: number;
    self: number;
    inclusive: number;
    calls: number;
    /** In a component: the core module the function is in (index and offset are in that module). */
    core?: string;
  }>;
  /** By iterations, highest first; `offset` is the loop instruction's byte offset. */
  loops: Array<{
    functionIndex: number;
    functionName: string;
    offset: number;
    iterations: number;
    core?: string;
  }>;
}

/** Work the run did, in fuel units (docs/metering.md); absent when the module could not be metered. */
export interface FuelReport {
  consumed: number;
  /** The limit in force, if any. */
  limit?: number;
  /** The run was killed (time limit): `consumed` is as of the last sample, a lower bound. */
  atLastSample?: boolean;
  /** `sandbox.fuelCounting: "bound"`: charged ahead, at least the exact count (absent: exact; a policy without the field counts bound). */
  counting?: 'bound';
}

export interface CapturedStream {
  /** The first `limit` bytes, decoded as UTF-8. */
  text: string;
  /** Bytes the module wrote in total (also beyond the cap). */
  totalBytes: number;
  truncated: boolean;
}

import type { HttpExchange } from './component/httpTypes';

export interface SandboxReport {
  /** The module file that ran (absolute path). */
  file: string;
  mode: 'wasi' | 'invoke' | 'component';
  /** Components: how it ran (world, digest, transpile). */
  component?: ComponentRunSummary;
  /** Components: HTTP requests sent to the handler and made by it, in order. */
  http?: HttpExchange[];
  /** The export called in invoke mode, with its arguments. */
  invoked?: { name: string; args: string[] };
  outcome: SandboxOutcome;
  stdout: CapturedStream;
  stderr: CapturedStream;
  /** Wall time from starting the runner process to the end of the run, in ms. */
  durationMs: number;
  /** Time spent in the module itself (instantiate + run), in ms, when the runner could tell. */
  moduleMs?: number;
  /** Largest memory size seen, in bytes. */
  peakMemoryBytes: number;
  fuel?: FuelReport;
  profile?: FuelProfile;
  /** The memory cap the runner was given, in bytes. */
  memoryLimitBytes: number;
  /** Host calls per function name, e.g. `wasi_snapshot_preview1.fd_write` → 3. */
  hostCalls: Record<string, number>;
  samples: SandboxSample[];
  violations: SandboxViolation[];
  /** Imports the preview does not provide (they trap when called). */
  missingImports: string[];
  alerts: SandboxAlert[];
  /** Files written in rw preopens (kept in memory unless the run was told to write them back). */
  writtenFiles: { host: string; bytes: number; writtenBack: boolean }[];
  /** Notes about the sandbox itself (e.g. what isolation was available). */
  notes: string[];
}

/**
 * The report of a run before anything ran: `outcome` and empty output, counts and lists. The runner
 * starts from it; an error before the run (no file, broken policy, unreadable module) is one.
 */
export function emptyReport(
  file: string,
  outcome: SandboxOutcome,
  run: { invoked?: SandboxReport['invoked']; memoryLimitBytes?: number } = {},
): SandboxReport {
  return {
    file,
    mode: run.invoked ? 'invoke' : 'wasi',
    ...(run.invoked && { invoked: run.invoked }),
    outcome,
    stdout: { text: '', totalBytes: 0, truncated: false },
    stderr: { text: '', totalBytes: 0, truncated: false },
    durationMs: 0,
    peakMemoryBytes: 0,
    memoryLimitBytes: run.memoryLimitBytes ?? 0,
    hostCalls: {},
    samples: [],
    violations: [],
    missingImports: [],
    alerts: [],
    writtenFiles: [],
    notes: [],
  };
}

/** Exit code of `wasm-warden run` when the module used up its fuel (beside 124 timeout, 125 stopped). */
export const FUEL_EXHAUSTED_EXIT_CODE = 123;

/** Exit code of `wasm-warden run` for a report: the module's, 123 fuel, 124 timeout, 125 stopped by the sandbox. */
export function exitCodeFor(outcome: SandboxOutcome): number {
  switch (outcome.kind) {
    case 'exit':
      return outcome.code;
    case 'returned':
      return 0;
    case 'trap':
      // Like wasmtime: 128 + SIGABRT, so a trap is not mistaken for an exit code the module chose.
      return 134;
    case 'timeout':
      return 124;
    case 'fuel-exhausted':
      return FUEL_EXHAUSTED_EXIT_CODE;
    case 'stopped':
    case 'cancelled':
      return 125;
    case 'error':
      return 2;
  }
}

export function describeOutcome(outcome: SandboxOutcome): string {
  switch (outcome.kind) {
    case 'exit':
      return `exited with code ${outcome.code}`;
    case 'returned':
      return outcome.values.length ? `returned ${outcome.values.join(', ')}` : 'returned';
    case 'trap':
      return `trapped: ${outcome.message}`;
    case 'timeout':
      return `killed after the ${outcome.limitMs} ms time limit`;
    case 'stopped':
      return `stopped by the sandbox: ${outcome.reason}`;
    case 'fuel-exhausted':
      return `ran out of fuel (limit ${outcome.limit} units)`;
    case 'cancelled':
      return 'stopped by the user';
    case 'error':
      return `could not run: ${outcome.message}`;
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** A short human summary (CLI stderr, the editor's Output channel). */
/** How long a run took, as its report and its slow alert quote it: the module's time when known. */
export function runTimeMs(report: SandboxReport): number {
  return report.moduleMs ?? report.durationMs;
}

/** The fuel a run used, as the report and the report panel say it ("1200 units of 5000"). */
export function describeFuel(fuel: FuelReport): string {
  const limit = fuel.limit !== undefined ? ` of ${fuel.limit}` : '';
  const counting = fuel.counting === 'bound' ? ' (bound counting)' : '';
  return `${fuel.atLastSample ? 'at least ' : ''}${fuel.consumed} units${limit}${counting}`;
}

export function formatReportText(report: SandboxReport): string {
  const lines: string[] = [];
  lines.push(`wasm-warden run: ${report.file}`);
  const call = report.invoked ? ` (${report.invoked.name}(${report.invoked.args.join(', ')}))` : '';
  lines.push(`  result:   ${describeOutcome(report.outcome)}${call}`);
  if (report.outcome.kind === 'trap' && report.outcome.stack) {
    for (const frame of report.outcome.stack
      .split('\n')
      .filter((l) => l.trim().startsWith('at '))
      .slice(0, 8)) {
      lines.push(`            ${frame.trim()}`);
    }
  }
  // The same figure the slow alert judges (the module's own time when known), then the total.
  const time = runTimeMs(report).toFixed(0);
  lines.push(
    report.moduleMs === undefined
      ? `  time:     ${time} ms`
      : `  time:     ${time} ms in the module (${report.durationMs.toFixed(0)} ms with the sandbox process)`,
  );
  if (report.fuel) lines.push(`  fuel:     ${describeFuel(report.fuel)}`);
  lines.push(
    `  memory:   peak ${formatBytes(report.peakMemoryBytes)} of ${formatBytes(report.memoryLimitBytes)}`,
  );
  const calls = Object.entries(report.hostCalls).sort((a, b) => b[1] - a[1]);
  lines.push(`  host calls: ${calls.length ? calls.map(([n, c]) => `${n} ×${c}`).join(', ') : 'none'}`);
  for (const stream of ['stdout', 'stderr'] as const) {
    const s = report[stream];
    if (s.truncated)
      lines.push(
        `  ${stream}:   truncated: ${formatBytes(s.totalBytes)} written, first ${formatBytes(Buffer.byteLength(s.text))} kept`,
      );
  }
  if (report.component)
    lines.push(
      `  component: ${report.component.world}, ${report.component.cached ? 'transpiled earlier (cached)' : `transpiled in ${report.component.transpileMs.toFixed(0)} ms`}`,
    );
  for (const x of report.http ?? []) {
    const answer = x.response
      ? `${x.response.status} (${formatBytes(x.response.bodyBytes)})`
      : `no response: ${x.error}`;
    const by = x.answeredBy ? ` [${x.answeredBy}]` : '';
    lines.push(
      `  http ${x.direction === 'incoming' ? '→' : '←'} ${x.method} ${x.url}: ${answer}${by}, ${x.ms.toFixed(0)} ms`,
    );
  }
  for (const m of report.missingImports) lines.push(`  missing import: ${m} (traps if called)`);
  for (const v of report.violations) {
    const args = Object.entries(v.args)
      .map(([k, val]) => `${k}=${JSON.stringify(val)}`)
      .join(' ');
    lines.push(`  VIOLATION ${v.call}(${args}): ${v.reason}`);
  }
  for (const a of report.alerts) lines.push(`  ALERT ${a.kind}: ${a.message}`);
  for (const w of report.writtenFiles)
    lines.push(
      `  wrote ${w.host} (${formatBytes(w.bytes)})${w.writtenBack ? '' : ' — kept in memory, not written back'}`,
    );
  for (const n of report.notes) lines.push(`  note: ${n}`);
  return lines.join('\n') + '\n';
}
