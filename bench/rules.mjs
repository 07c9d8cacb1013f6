// Cost of the security rules on a ~30 MB real module (@ffmpeg/core 0.12.10's ffmpeg-core.wasm,
// fetched by scripts/fetch-real-world.mjs), against reading its facts, in one process run.
//   node bench/rules.mjs [module.wasm] [--runs N]
// Measured (warm medians, bytes already in memory, every measurement once per round):
//   facts      readBinaryModule(bytes): function bodies skipped
//   facts + proposals inside bodies   the complete facts (allProposals decodes every body)
//   check      analyzeModule without engine validation: facts + signature verification + every rule
//   check, table-exposure off   the same without the one rule that decodes every body
//   check, body rules off   the same with cryptominer, table-exposure and unsupported-feature off
//   body scan  scanFunctionBodies over every body (what a body-reading rule would cost undecoded)
//   process    `node runner FILE` reading the file and its facts, against the same plus every rule
//   CLI        `wasm-warden inspect FILE` (complete facts, validated) against `wasm-warden check`
//              (validated, every rule): what the two commands cost a user, start-up included
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  bundleSources,
  elapsedMs,
  median,
  positionalArgument,
  realWorldModule,
  removeFolder,
  repo,
  runsOption,
  scratchFolder,
  sourcePath,
} from './lib.mjs';

const runs = runsOption(5);
const explicit = positionalArgument();

const scratch = scratchFolder('rules');
const src = (p) => sourcePath(path.join('server/src/core', p));
const {
  file: bundle,
  exports: {
    readBinaryModule,
    scanFunctionBodies,
    allProposals,
    analyzeModule,
    PolicyResolver,
    nodeFileSystem,
  },
} = await bundleSources(
  scratch,
  'rules.cjs',
  [
    `export { readBinaryModule } from ${src('module/binary')};`,
    `export { scanFunctionBodies, allProposals } from ${src('module/code')};`,
    `export { analyzeModule } from ${src('analyze')};`,
    `export { PolicyResolver } from ${src('policy/resolver')};`,
    `export { nodeFileSystem } from ${src('policy/fileSystem')};`,
  ],
  {
    // As scripts/build.mjs: jsonc-parser's UMD `main` hides its requires from esbuild.
    mainFields: ['module', 'main'],
    define: { __WASM_WARDEN_VERSION__: '"bench"' },
  },
);

// Process-level runners: what `wasm-warden inspect` and `wasm-warden check` do minus formatting.
const factsRunner = path.join(scratch, 'facts-runner.cjs');
writeFileSync(
  factsRunner,
  `const { readBinaryModule } = require(${JSON.stringify(bundle)});
   const facts = readBinaryModule(require('fs').readFileSync(process.argv[2]));
   process.stdout.write(String(facts.functionCount) + '\\n');`,
);
const checkRunner = path.join(scratch, 'check-runner.cjs');
writeFileSync(
  checkRunner,
  `const { analyzeModule, PolicyResolver, nodeFileSystem } = require(${JSON.stringify(bundle)});
   const file = process.argv[2];
   const policy = new PolicyResolver(nodeFileSystem, { roots: [require('path').dirname(file)] }).resolve(file);
   analyzeModule({ fileName: file, bytes: require('fs').readFileSync(file), policy, validate: false })
     .then((r) => process.stdout.write(String(r.findings.length) + '\\n'));`,
);

/** Prints a line with the median of `times` (ms) and every run; returns the median. */
function report(label, times) {
  const value = median(times);
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `${label.padEnd(44)} ${value.toFixed(0).padStart(7)} ms   (runs: ${sorted.map((t) => t.toFixed(0)).join(', ')})`,
  );
  return value;
}

/** Median wall time of `node ...args`; `check` exits 1 when it finds errors, which is no failure here. */
function spawnMedian(label, args, okStatuses = [0]) {
  const times = [];
  for (let i = 0; i < runs + 1; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (!okStatuses.includes(result.status)) throw new Error(`${label}: ${result.stderr}`);
    if (i > 0) times.push(elapsedMs(start)); // the first run warms the disk cache
  }
  return report(label, times);
}

const file = explicit ? path.resolve(explicit) : await realWorldModule('ffmpeg-core');
const bytes = new Uint8Array(readFileSync(file));
// No wasm-policy.json above the cache: the built-in default policy, as for an ungoverned module.
const policy = new PolicyResolver(nodeFileSystem, { roots: [path.dirname(file)] }).resolve(file);
const BODY_RULES_OFF = { cryptominer: 'off', 'table-exposure': 'off', 'unsupported-feature': 'off' };

/**
 * Runs every measurement once to warm up, then `runs` rounds of all of them in turn, so that
 * the machine's noise and the JIT's warm-up fall on every figure alike.
 */
async function roundRobin(measurements) {
  const times = measurements.map(() => []);
  const last = [];
  for (let round = 0; round <= runs; round++) {
    for (const [i, { fn }] of measurements.entries()) {
      const start = process.hrtime.bigint();
      last[i] = await fn();
      if (round > 0) times[i].push(elapsedMs(start));
    }
  }
  return measurements.map(({ label }, i) => ({ value: report(label, times[i]), last: last[i] }));
}

console.log(
  `module: ${path.basename(file)}, ${(statSync(file).size / 1048576).toFixed(1)} MiB; Node ${process.versions.node}; ${runs} runs`,
);
const factsOnly = readBinaryModule(bytes);
const [facts, factsWithCode, check, noTable, light, scan] = await roundRobin([
  { label: 'facts (readBinaryModule)', fn: () => readBinaryModule(bytes) },
  {
    label: 'facts + proposals inside bodies',
    fn: () => allProposals(bytes, readBinaryModule(bytes)),
  },
  {
    label: 'check: facts + every rule (no validation)',
    fn: () => analyzeModule({ fileName: file, bytes, policy, validate: false }),
  },
  {
    label: 'check: table-exposure off',
    fn: () =>
      analyzeModule({
        fileName: file,
        bytes,
        policy,
        validate: false,
        ruleOverrides: { 'table-exposure': 'off' },
      }),
  },
  {
    label: 'check: body-reading rules off',
    fn: () =>
      analyzeModule({ fileName: file, bytes, policy, validate: false, ruleOverrides: BODY_RULES_OFF }),
  },
  {
    label: 'body scan (scanFunctionBodies, all bodies)',
    fn: () => scanFunctionBodies(bytes, { facts: factsOnly }),
  },
]);
const factsProcess = spawnMedian('process: node + read + facts', [factsRunner, file]);
const checkProcess = spawnMedian('process: node + read + check (every rule)', [checkRunner, file]);
// The commands a user runs: `inspect` prints the complete facts (body-level proposals included,
// validated by V8), `check` validates and runs every rule.
const cli = path.join(repo, 'dist', 'cli.js');
const cliRun = existsSync(cli);
const inspectCli = cliRun ? spawnMedian('CLI: wasm-warden inspect FILE', [cli, 'inspect', file]) : 0;
const checkCli = cliRun
  ? spawnMedian('CLI: wasm-warden check --threads 1 FILE', [cli, 'check', '--threads', '1', file], [0, 1])
  : 0;
console.log('');
if (cliRun) console.log(`CLI check / CLI inspect            ${(checkCli / inspectCli).toFixed(2)}x`);
else console.log('(run `npm run build` to time the CLI commands too)');
console.log(`process check / process facts      ${(checkProcess / factsProcess).toFixed(2)}x`);
console.log(`check / facts                      ${(check.value / facts.value).toFixed(2)}x`);
console.log(`check (table-exposure off) / facts ${(noTable.value / facts.value).toFixed(2)}x`);
console.log(`check (body rules off) / facts     ${(light.value / facts.value).toFixed(2)}x`);
console.log(`body scan / facts                  ${(scan.value / facts.value).toFixed(2)}x`);
console.log(`check / (facts + body proposals)   ${(check.value / factsWithCode.value).toFixed(2)}x`);
console.log(`rules alone (check - facts)        ${(check.value - facts.value).toFixed(0)} ms`);
console.log(
  `findings: ${check.last.findings.length} (${[...new Set(check.last.findings.map((f) => f.ruleId))].join(', ')})`,
);
removeFolder(scratch);
