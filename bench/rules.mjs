// Cost of the security rules on a ~30 MB real module (@ffmpeg/core 0.12.10's ffmpeg-core.wasm,
// fetched by scripts/fetch-real-world.mjs), against reading its facts, in one process run.
//   node bench/rules.mjs [module.wasm] [--runs N]
// Measured (warm medians, bytes already in memory):
//   facts      readBinaryModule(bytes)
//   check      analyzeModule without engine validation: facts + signature verification + every rule
//   check, table-exposure off   the same without the one rule that decodes every body
//   check, body rules off   the same with cryptominer, table-exposure and unsupported-feature off
//   body scan  scanFunctionBodies over every body (what a body-reading rule would cost undecoded)
//   full       analyzeModule with V8 validation (for reference; validation is not a rule)
//   process    `node runner FILE` reading the file and its facts, against the same plus every rule
//              (what `wasm-warden inspect` and `wasm-warden check` cost a user, start-up included)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const explicit = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs');

async function moduleFile() {
  if (explicit) return path.resolve(explicit);
  const { REAL_WORLD_MODULES, fetchOne } = await import(
    pathToFileURL(path.join(root, 'scripts/fetch-real-world.mjs')).href
  );
  return fetchOne(
    REAL_WORLD_MODULES.find((m) => m.id === 'ffmpeg-core'),
    (m) => console.error(m),
  );
}

// Bundle the sources on the fly (the same code dist/ ships, no compile step needed).
const scratch = mkdtempSync(path.join(tmpdir(), 'warden-bench-rules-'));
const src = (p) => JSON.stringify(path.join(root, 'server/src/core', p));
const entry = path.join(scratch, 'entry.ts');
writeFileSync(
  entry,
  [
    `export { readBinaryModule } from ${src('module/binary')};`,
    `export { scanFunctionBodies } from ${src('module/code')};`,
    `export { analyzeModule } from ${src('analyze')};`,
    `export { PolicyResolver } from ${src('policy/resolver')};`,
    `export { nodeFileSystem } from ${src('policy/fileSystem')};`,
  ].join('\n'),
);
const bundle = path.join(scratch, 'rules.cjs');
await esbuild.build({
  entryPoints: [entry],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  logLevel: 'warning',
  // As scripts/build.mjs: jsonc-parser's UMD `main` hides its requires from esbuild.
  mainFields: ['module', 'main'],
  define: { __WASM_WARDEN_VERSION__: '"bench"' },
});
const { readBinaryModule, scanFunctionBodies, analyzeModule, PolicyResolver, nodeFileSystem } = (
  await import(bundle)
).default;

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

function spawnMedian(label, script, target) {
  const times = [];
  for (let i = 0; i < runs + 1; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [script, target], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${label}: ${result.stderr}`);
    if (i > 0) times.push(Number(process.hrtime.bigint() - start) / 1e6); // the first run warms the disk cache
  }
  times.sort((a, b) => a - b);
  const value = times[Math.floor(times.length / 2)];
  console.log(
    `${label.padEnd(44)} ${value.toFixed(0).padStart(7)} ms   (runs: ${times.map((t) => t.toFixed(0)).join(', ')})`,
  );
  return value;
}

const file = await moduleFile();
const bytes = new Uint8Array(readFileSync(file));
// No wasm-policy.json above the cache: the built-in default policy, as for an ungoverned module.
const policy = new PolicyResolver(nodeFileSystem, { roots: [path.dirname(file)] }).resolve(file);
const BODY_RULES_OFF = { cryptominer: 'off', 'table-exposure': 'off', 'unsupported-feature': 'off' };

async function median(label, fn) {
  await fn(); // warm-up
  const times = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    last = await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const value = times[Math.floor(times.length / 2)];
  console.log(
    `${label.padEnd(44)} ${value.toFixed(0).padStart(7)} ms   (runs: ${times.map((t) => t.toFixed(0)).join(', ')})`,
  );
  return { value, last };
}

console.log(
  `module: ${path.basename(file)}, ${(statSync(file).size / 1048576).toFixed(1)} MiB; Node ${process.versions.node}; ${runs} runs`,
);
const facts = await median('facts (readBinaryModule)', () => readBinaryModule(bytes));
const check = await median('check: facts + every rule (no validation)', () =>
  analyzeModule({ fileName: file, bytes, policy, validate: false }),
);
const noTable = await median('check: table-exposure off', () =>
  analyzeModule({
    fileName: file,
    bytes,
    policy,
    validate: false,
    ruleOverrides: { 'table-exposure': 'off' },
  }),
);
const light = await median('check: body-reading rules off', () =>
  analyzeModule({ fileName: file, bytes, policy, validate: false, ruleOverrides: BODY_RULES_OFF }),
);
const scan = await median('body scan (scanFunctionBodies, all bodies)', () =>
  scanFunctionBodies(bytes, { facts: facts.last }),
);
const full = await median('full analyzeModule (with V8 validation)', () =>
  analyzeModule({ fileName: file, bytes, policy }),
);
const factsProcess = spawnMedian('process: node + read + facts', factsRunner, file);
const checkProcess = spawnMedian('process: node + read + check (every rule)', checkRunner, file);
console.log('');
console.log(`process check / process facts      ${(checkProcess / factsProcess).toFixed(2)}x`);
console.log(`check / facts                      ${(check.value / facts.value).toFixed(2)}x`);
console.log(`check (table-exposure off) / facts ${(noTable.value / facts.value).toFixed(2)}x`);
console.log(`check (body rules off) / facts     ${(light.value / facts.value).toFixed(2)}x`);
console.log(`body scan / facts                  ${(scan.value / facts.value).toFixed(2)}x`);
console.log(`rules alone (check - facts)        ${(check.value - facts.value).toFixed(0)} ms`);
console.log(
  `findings: ${check.last.findings.length} (${[...new Set(check.last.findings.map((f) => f.ruleId))].join(', ')})`,
);
void full;
rmSync(scratch, { recursive: true, force: true });
