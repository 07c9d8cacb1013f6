// Module facts of a ~30 MB real module (@ffmpeg/core 0.12.10's ffmpeg-core.wasm, fetched by
// scripts/fetch-real-world.mjs) against Debian wabt's `wasm-objdump -x` on the same file, side by
// side in one run; plus the lazy function-body scan. Reported as medians of several runs.
//   node bench/facts.mjs [module.wasm] [--runs N] [--wasmparser]
// --wasmparser adds one run of the wasmparser package's BinaryReader decoding every operator, the
// alternative to the hand-written body pass (slow: seconds).
// Two comparisons:
//   process: `node <facts runner> FILE` vs `wasm-objdump -x FILE`, each spawned (start-up, reading
//            the file and printing included for both), timed with hrtime;
//   in-process: readBinaryModule(bytes) on bytes already in memory (first call and warm median),
//            and scanFunctionBodies(bytes) (warm median).
import { execFileSync, spawnSync } from 'node:child_process';
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

// Bundle the facts reader on the fly (same code as dist/, no compile step needed).
const scratch = mkdtempSync(path.join(tmpdir(), 'warden-bench-facts-'));
const entry = path.join(scratch, 'entry.ts');
writeFileSync(
  entry,
  `export { readBinaryModule } from ${JSON.stringify(path.join(root, 'server/src/core/module/binary'))};\n` +
    `export { scanFunctionBodies } from ${JSON.stringify(path.join(root, 'server/src/core/module/code'))};\n`,
);
const bundle = path.join(scratch, 'facts.cjs');
await esbuild.build({
  entryPoints: [entry],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  logLevel: 'warning',
});
// A runner that does what `wasm-warden inspect` does minus formatting: read the file, read facts, print a summary.
const runner = path.join(scratch, 'runner.cjs');
writeFileSync(
  runner,
  `const { readBinaryModule } = require(${JSON.stringify(bundle)});
   const facts = readBinaryModule(require('fs').readFileSync(process.argv[2]));
   process.stdout.write(JSON.stringify({ imports: facts.imports.length, exports: facts.exports.length, functions: facts.functionCount, problems: facts.problems.length }) + '\\n');`,
);
const { readBinaryModule, scanFunctionBodies } = (await import(bundle)).default;

const file = await moduleFile();
const bytes = readFileSync(file);
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeSpawn(command, commandArgs) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  const elapsed = ms(start);
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return elapsed;
}

let objdumpVersion = 'not installed';
try {
  objdumpVersion = execFileSync('wasm-objdump', ['--version']).toString().trim();
} catch {
  // reported below
}

const first = process.hrtime.bigint();
const facts = readBinaryModule(bytes);
const firstCall = ms(first);
const warm = [];
const scans = [];
const nodeProcess = [];
const objdump = [];
for (let i = 0; i < runs; i++) {
  let t = process.hrtime.bigint();
  readBinaryModule(bytes);
  warm.push(ms(t));
  t = process.hrtime.bigint();
  scanFunctionBodies(bytes, { facts, collect: false });
  scans.push(ms(t));
  nodeProcess.push(timeSpawn(process.execPath, [runner, file]));
  if (objdumpVersion !== 'not installed') objdump.push(timeSpawn('wasm-objdump', ['-x', file]));
}
rmSync(scratch, { recursive: true, force: true });

let wasmparserRun;
if (args.includes('--wasmparser')) {
  const { BinaryReader } = (await import('wasmparser')).default;
  const start = process.hrtime.bigint();
  const reader = new BinaryReader();
  reader.setData(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), 0, bytes.length);
  let operators = 0;
  while (reader.read()) {
    if (reader.state === -1) throw reader.error;
    if (reader.state === 30 /* CODE_OPERATOR */) operators++;
  }
  wasmparserRun = { ms: ms(start), operators };
}

const mb = (statSync(file).size / 1024 / 1024).toFixed(1);
console.log(
  `facts: ${path.relative(root, file)} (${mb} MiB, ${facts.functionCount} functions, ${facts.imports.length} imports, ${facts.dataSegments.length} data segments), ${runs} runs, medians`,
);
console.log(`  node ${process.version}, wasm-objdump ${objdumpVersion}`);
console.log(`  process  wasm-warden facts (node start + read + facts): ${median(nodeProcess).toFixed(0)} ms`);
if (objdump.length) {
  console.log(`  process  wasm-objdump -x:                             ${median(objdump).toFixed(0)} ms`);
  console.log(
    `  ratio    wasm-objdump / facts:                         ${(median(objdump) / median(nodeProcess)).toFixed(1)}x`,
  );
}
console.log(
  `  in-process readBinaryModule: first call ${firstCall.toFixed(0)} ms, warm ${median(warm).toFixed(0)} ms`,
);
console.log(`  in-process scanFunctionBodies (lazy body pass): ${median(scans).toFixed(0)} ms`);
if (wasmparserRun) {
  console.log(
    `  in-process wasmparser BinaryReader, every operator (1 run): ${wasmparserRun.ms.toFixed(0)} ms, ${wasmparserRun.operators} operators`,
  );
}
