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
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  args,
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

// The facts reader, bundled on the fly.
const scratch = scratchFolder('facts');
const {
  file: bundle,
  exports: { readBinaryModule, scanFunctionBodies },
} = await bundleSources(scratch, 'facts.cjs', [
  `export { readBinaryModule } from ${sourcePath('server/src/core/module/binary')};`,
  `export { scanFunctionBodies } from ${sourcePath('server/src/core/module/code')};`,
]);
// A runner that does what `wasm-warden inspect` does minus formatting: read the file, read facts, print a summary.
const runner = path.join(scratch, 'runner.cjs');
writeFileSync(
  runner,
  `const { readBinaryModule } = require(${JSON.stringify(bundle)});
   const facts = readBinaryModule(require('fs').readFileSync(process.argv[2]));
   process.stdout.write(JSON.stringify({ imports: facts.imports.length, exports: facts.exports.length, functions: facts.functionCount, problems: facts.problems.length }) + '\\n');`,
);
const file = explicit ? path.resolve(explicit) : await realWorldModule('ffmpeg-core');
const bytes = readFileSync(file);

function timeSpawn(command, commandArgs) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  const elapsed = elapsedMs(start);
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
const firstCall = elapsedMs(first);
const warm = [];
const scans = [];
const nodeProcess = [];
const objdump = [];
for (let i = 0; i < runs; i++) {
  let t = process.hrtime.bigint();
  readBinaryModule(bytes);
  warm.push(elapsedMs(t));
  t = process.hrtime.bigint();
  scanFunctionBodies(bytes, { facts, collect: false });
  scans.push(elapsedMs(t));
  nodeProcess.push(timeSpawn(process.execPath, [runner, file]));
  if (objdumpVersion !== 'not installed') objdump.push(timeSpawn('wasm-objdump', ['-x', file]));
}
removeFolder(scratch);

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
  wasmparserRun = { ms: elapsedMs(start), operators };
}

const mb = (statSync(file).size / 1024 / 1024).toFixed(1);
console.log(
  `facts: ${path.relative(repo, file)} (${mb} MiB, ${facts.functionCount} functions, ${facts.imports.length} imports, ${facts.dataSegments.length} data segments), ${runs} runs, medians`,
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
