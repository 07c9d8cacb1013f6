/**
 * `wasm-warden run FILE`: runs a module in the sandbox with the limits of its policy and reports
 * what it did. Exit code: the module's own, 123 out of fuel, 124 time limit, 125 stopped by the sandbox, 134 trap,
 * 2 usage, I/O or policy errors.
 */
import * as path from 'node:path';
import { UsageError, type CliCommand, type CliIo } from '../command';
import { nodeFileSystem } from '../../core/policy/fileSystem';
import { PolicyResolver } from '../../core/policy/resolver';
import type { SandboxPolicy } from '../../core/policy/types';
import { exitCodeFor, formatReportText } from '../../core/sandbox/report';
import { runSandbox } from '../../core/sandbox/runner';
import { formatProfileText } from '../../core/sandbox/profileText';
import type { FuelCounting } from '../../core/metering/instrument';

const HELP = `Usage: wasm-warden run FILE [--policy P] [--json] [--timeout MS] [--fuel N] [--profile]
                        [--fuel-counting exact|bound] [--write-back] [--invoke NAME ARGS...]
                        [-- ARGS...]

Runs a WebAssembly module (.wasm, or .wat compiled first) in a sandbox process with the limits of
its wasm-policy.json "sandbox" section: time, memory, preopened folders, environment. Prints the
module's stdout and stderr, then a short report on stderr: result, time, peak memory, host calls,
denied calls (violations) and alerts.

  FILE                 the module to run
  --policy P           use this policy file instead of the nearest wasm-policy.json
  --json               print the report as JSON on stdout (module output is inside it)
  --timeout MS         wall-clock limit in milliseconds (default: the policy's sandbox.timeoutMs)
  --fuel N             stop after N units of work (default: the policy's sandbox.fuel, else no
                       limit); fuel is counted on every run and the same on every machine
  --fuel-counting C    "exact" (every instruction run) or "bound" (charged ahead at function
                       entries, loops and handlers: cheaper, at least the exact count); default:
                       the policy's sandbox.fuelCounting, else bound
  --profile            print where the fuel went: top functions by their own fuel, calls, loops
                       (in the JSON report with --json)
  --write-back         copy files the module wrote in "rw" preopens back to disk (default: they
                       stay in the sandbox's in-memory copy and are only listed)
  --invoke NAME ARGS   call the exported function NAME with ARGS (for modules without WASI
                       _start); numbers are converted to the function's parameter types
  -- ARGS              arguments for a WASI module (after the policy's sandbox.args)

Exit codes: the module's exit code (0 when an invoked function returns), 123 the module ran out
of fuel, 124 the time limit was reached, 125 the sandbox stopped the module (a denied call such as
proc_raise, a memory limit at instantiation), 134 the module trapped, 2 usage, I/O or policy
errors.
`;

interface RunArgs {
  file: string;
  policy?: string;
  json: boolean;
  timeoutMs?: number;
  fuel?: number;
  fuelCounting?: FuelCounting;
  profile?: boolean;
  writeBack: boolean;
  invoke?: { name: string; args: string[] };
  args: string[];
}

export function parseRunArgs(argv: string[]): RunArgs {
  const parsed: Partial<RunArgs> & { json: boolean; writeBack: boolean; args: string[] } = {
    json: false,
    writeBack: false,
    args: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v === '--') throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--') {
      parsed.args = argv.slice(i + 1);
      break;
    } else if (arg === '--json') parsed.json = true;
    else if (arg === '--write-back') parsed.writeBack = true;
    else if (arg === '--profile') parsed.profile = true;
    else if (arg === '--fuel') {
      const text = value();
      const units = Number(text);
      if (!/^\d+$/.test(text) || units <= 0 || !Number.isSafeInteger(units))
        throw new UsageError(`--fuel needs a positive whole number of units (got "${text}")`);
      parsed.fuel = units;
    } else if (arg === '--fuel-counting') {
      const text = value();
      if (text !== 'exact' && text !== 'bound')
        throw new UsageError(`--fuel-counting is "exact" or "bound" (got "${text}")`);
      parsed.fuelCounting = text;
    } else if (arg === '--policy') parsed.policy = value();
    else if (arg === '--timeout') {
      const text = value();
      const ms = Number(text);
      if (!/^\d+$/.test(text) || ms <= 0)
        throw new UsageError(`--timeout needs a positive number of milliseconds (got "${text}")`);
      parsed.timeoutMs = ms;
    } else if (arg === '--invoke') {
      const name = value();
      const args: string[] = [];
      // Everything up to the next long option is an argument (so negative numbers work).
      while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) args.push(argv[++i]);
      parsed.invoke = { name, args };
    } else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else if (parsed.file === undefined) parsed.file = arg;
    else
      throw new UsageError(
        `only one FILE can be run (got ${parsed.file} and ${arg}); module arguments go after --`,
      );
  }
  if (parsed.file === undefined) throw new UsageError('missing FILE');
  if (parsed.invoke && parsed.args.length)
    throw new UsageError(
      'arguments after -- are for WASI modules; with --invoke give them after the function name',
    );
  return parsed as RunArgs;
}

/** The sandbox section of the module's policy, or a message when the policy is broken (fail closed). */
function sandboxPolicyFor(
  file: string,
  policyPath: string | undefined,
  cwd: string,
): SandboxPolicy | { error: string } {
  const resolver = new PolicyResolver(nodeFileSystem, {
    forcedPath: policyPath ? path.resolve(cwd, policyPath) : undefined,
    roots: [],
  });
  const policy = resolver.resolve(file);
  if (policy.source.kind === 'strict-fallback' || policy.moduleProblem) {
    const problem =
      policy.moduleProblem?.message ??
      `the policy ${policy.source.kind === 'strict-fallback' ? policy.source.brokenPath : ''} is broken`;
    return { error: `not running: ${problem}` };
  }
  return policy.sandbox;
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run a module in the sandbox and report what it did',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseRunArgs(argv);
    const file = path.resolve(io.cwd, args.file);
    const policy = sandboxPolicyFor(file, args.policy, io.cwd);
    if ('error' in policy) {
      io.stderr(`wasm-warden run: ${policy.error}\n`);
      return 2;
    }
    const decoder = { stdout: new TextDecoder(), stderr: new TextDecoder() };
    const report = await runSandbox({
      file,
      policy,
      args: args.args,
      invoke: args.invoke,
      timeoutMs: args.timeoutMs,
      fuel: args.fuel,
      fuelCounting: args.fuelCounting,
      profile: args.profile,
      writeBack: args.writeBack,
      // Components: on the command line the policy's sandbox.network.allow is the consent.
      networkConfirmed: true,
      onProgress: (message) => io.stderr(`wasm-warden run: ${message}\n`),
      onOutput: args.json
        ? undefined
        : (stream, data) => io[stream](decoder[stream].decode(data, { stream: true })),
    });
    if (args.json) io.stdout(JSON.stringify(report, null, 2) + '\n');
    else {
      io.stderr(
        (report.stdout.text.endsWith('\n') || !report.stdout.text ? '' : '\n') + formatReportText(report),
      );
      if (report.profile) io.stderr(formatProfileText(report.profile));
    }
    return exitCodeFor(report.outcome);
  },
};
