// Sandbox benchmarks (figures in BENCHMARKS.md, "Sandbox"):
// 1. Command to first output for a WASI hello world: the sandbox runner (one forked sandbox
//    process with the memory cap and the permission model) against bare Node + browser_wasi_shim
//    running the same .wasm in one spawned process; and `wasm-warden run` end to end.
// 2. Time from the wall-clock limit to the runaway process being gone, for an infinite loop.
// Needs `npm run build` (dist/) and `npx tsc -p .` (out/). Usage: node bench/sandbox.mjs [RUNS]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import wabtInit from 'wabt';
import { args, repo } from './lib.mjs';

const require = createRequire(import.meta.url);
const { startSandboxRun } = require(path.join(repo, 'out/server/src/core/sandbox/runner.js'));
const { DEFAULT_SANDBOX_POLICY } = require(path.join(repo, 'out/server/src/core/sandbox/defaults.js'));
const runs = Number(args[0]) || 15;
const runner = path.join(repo, 'dist/sandbox-runner.js');

const temp = mkdtempSync(path.join(tmpdir(), 'ww-bench-sandbox-'));
const wabt = await wabtInit();
const compile = (name) => {
  const text = readFileSync(path.join(repo, 'test/fixtures', name), 'utf8');
  const file = path.join(temp, path.basename(name).replace(/\.wat$/, '.wasm'));
  writeFileSync(file, wabt.parseWat(name, text).toBinary({}).buffer);
  return file;
};
const hello = compile('sandbox/hello.wat');
const loop = compile('hostile/infinite-loop.wat');

// The middle value, or the mean of the two middle values of an even count (unlike lib.mjs's median).
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Spawns a command and resolves with the ms until its first stdout byte (and waits for its exit). */
function firstOutput(command, args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first;
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.once('data', () => (first = performance.now() - t0));
    child.on('error', reject);
    child.on('exit', () =>
      first === undefined ? reject(new Error(`${args.join(' ')}: no output`)) : resolve(first),
    );
  });
}

/** The sandbox API as the language server calls it: ms until the first output chunk arrives. */
async function sandboxFirstOutput() {
  const t0 = performance.now();
  let first;
  const report = await startSandboxRun({
    file: hello,
    policy: DEFAULT_SANDBOX_POLICY,
    runnerScript: runner,
    onOutput: () => (first ??= performance.now() - t0),
  }).done;
  if (first === undefined || report.outcome.kind !== 'exit')
    throw new Error(`sandbox run failed: ${JSON.stringify(report.outcome)}`);
  return first;
}

const bareScript = path.join(repo, 'bench/sandbox/bare-wasi.mjs');
const series = { bare: [], sandbox: [], cli: [] };
// Interleaved, after one warm-up each, so machine load affects all three alike.
await firstOutput(process.execPath, [bareScript, hello]);
await sandboxFirstOutput();
for (let i = 0; i < runs; i++) {
  series.bare.push(await firstOutput(process.execPath, [bareScript, hello]));
  series.sandbox.push(await sandboxFirstOutput());
  series.cli.push(await firstOutput(process.execPath, [path.join(repo, 'dist/cli.js'), 'run', hello]));
}

const kills = [];
for (let i = 0; i < Math.min(runs, 10); i++) {
  const report = await startSandboxRun({
    file: loop,
    policy: { ...DEFAULT_SANDBOX_POLICY, timeoutMs: 200 },
    runnerScript: runner,
  }).done;
  if (report.outcome.kind !== 'timeout')
    throw new Error(`expected a timeout, got ${JSON.stringify(report.outcome)}`);
  kills.push(report.outcome.killedAfterMs);
}
rmSync(temp, { recursive: true, force: true });

const bare = median(series.bare);
const f = (x) => x.toFixed(1).padStart(7);
console.log(`WASI hello world, command to first output (median of ${runs}, ms):`);
console.log(`  bare node + browser_wasi_shim  ${f(bare)}`);
console.log(
  `  sandbox runner (API)           ${f(median(series.sandbox))}   ${(median(series.sandbox) / bare).toFixed(2)}x`,
);
console.log(
  `  wasm-warden run (CLI)          ${f(median(series.cli))}   ${(median(series.cli) / bare).toFixed(2)}x`,
);
console.log(
  `Runaway loop, deadline to process gone (ms): median ${f(median(kills))}, max ${f(Math.max(...kills))} (n=${kills.length})`,
);
