// Where `inspect --json` spends its time on one module, phase by phase, each run in a fresh process
// as the CLI runs (so every phase pays its first-run cost), beside `wasm-objdump -x` on the same file
// in the same loop. The phases are those of cli/commands/inspect.ts, in its order: read the file,
// read the facts, the body pass (body-level proposals and the call sites), the engine's validation,
// the call graph and its reachability, and the JSON written to a sink. Median of N runs.
//
//   node scripts/fetch-real-world.mjs    # once (duckdb-wasm goes to .cache/real-world/large/)
//   node bench/inspectPhases.mjs [FILE] [--runs 5]
import { spawnSync } from 'node:child_process';
import { existsSync, openSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  bundleSources,
  median,
  positionalArgument,
  realWorldCache,
  removeFolder,
  runsOption,
  scratchFolder,
  sourcePath,
} from './lib.mjs';

const runs = runsOption(5);
const file = positionalArgument() ?? path.join(realWorldCache, 'large', 'duckdb-wasm-1.32.0.wasm');
if (!existsSync(file)) throw new Error(`${file} is missing: run node scripts/fetch-real-world.mjs`);

const scratch = scratchFolder('inspect-phases');
const { file: bundle } = await bundleSources(scratch, 'phases.cjs', [
  `export { readBinaryModule } from ${sourcePath('server/src/core/module/binary')};`,
  `export { allProposalsNested, CallSiteLog } from ${sourcePath('server/src/core/module/code')};`,
  `export { validateBinary } from ${sourcePath('server/src/core/module/validate')};`,
  `export { reachabilityOf } from ${sourcePath('server/src/core/reach/summary')};`,
  `export { jsonFacts, reachabilityJson, writeFactsJson } from ${sourcePath('server/src/cli/inspect/json')};`,
]);
// One cold run: the phases' wall milliseconds as JSON on stdout.
const runner = path.join(scratch, 'runner.cjs');
writeFileSync(
  runner,
  `const t0 = performance.now();
const p = require(${JSON.stringify(bundle)});
const fs = require('node:fs');
const marks = { load: performance.now() - t0 };
let at = performance.now();
const phase = (name) => { const now = performance.now(); marks[name] = now - at; at = now; };
const bytes = fs.readFileSync(process.argv[2]); phase('read');
const facts = p.readBinaryModule(bytes); phase('facts');
const calls = facts.kind === 'module' ? new p.CallSiteLog() : undefined;
for (const [m, proposals] of p.allProposalsNested(bytes, facts, calls)) m.proposals = proposals;
phase('bodies');
const problems = p.validateBinary(bytes, facts); phase('validate');
const reach = p.reachabilityOf(facts, bytes, calls); phase('reach');
const reachability = reach && p.reachabilityJson(facts, reach, false);
let chars = 0;
p.writeFactsJson(p.jsonFacts(facts, false, { reachability, problems }), (s) => { chars += s.length; }, reachability);
phase('json');
process.stdout.write(JSON.stringify({ ...marks, total: performance.now() - t0, chars }));
`,
);

const devNull = openSync('/dev/null', 'w');
/** One run; `sink`: its stdout goes to /dev/null (objdump's 42 MB of text), as in bench/inspectJson.mjs. */
const timed = (command, commandArgs, sink = false) => {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, commandArgs, {
    encoding: 'utf8',
    stdio: ['ignore', sink ? devNull : 'pipe', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`${command}: ${r.stderr}`);
  return { wall: Number(process.hrtime.bigint() - start) / 1e6, stdout: r.stdout };
};

const phases = [];
const objdump = [];
const bare = [];
for (let run = 0; run < runs; run++) {
  bare.push(timed(process.execPath, ['-e', '']).wall);
  const r = timed(process.execPath, [runner, file]);
  phases.push({ ...JSON.parse(r.stdout), process: r.wall });
  objdump.push(timed('wasm-objdump', ['-x', file], true).wall);
}
removeFolder(scratch);

const names = ['load', 'read', 'facts', 'bodies', 'validate', 'reach', 'json', 'total', 'process'];
console.log(
  `${path.basename(file)}, ${runs} cold runs, median wall ms (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`,
);
for (const name of names) {
  const ms = median(phases.map((p) => p[name]));
  console.log(`  ${name.padEnd(9)} ${ms.toFixed(0).padStart(6)}`);
}
console.log(
  `  bare node -e '' ${median(bare).toFixed(0)} ms; wasm-objdump -x ${median(objdump).toFixed(0)} ms`,
);
