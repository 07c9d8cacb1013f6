// Fuel metering (core/metering), side by side in one run:
// 1. the run-time cost on CPU-heavy programs: a C workload compiled here (Debian clang + wasi-libc,
//    bench/metering/cpu.c) and Yosys (`read_verilog; techmap; stat` on a 48-bit multiply-add,
//    yosys.core.wasm from the npm package @yowasp/yosys, run under Node's WASI with its share files),
//    each run unmetered and metered, alternating, every run in a fresh process
//    (bench/metering/runWorkload.mjs): "cold" is the first run in that process (baseline code, then
//    tier-up, as a sandbox run is), "warm" a second run of the same compiled module; wall times and
//    the process's CPU times (less inflated by other work on a shared machine), medians and the
//    fastest run. The clock the programs read is fixed; the outputs must be identical and the fuel
//    the same on every run;
// 2. the rewrite's speed on ~30 MB real modules (ffmpeg-core.wasm from .cache/real-world, and
//    yosys.core.wasm), beside the project's own body scan (`scanFunctionBodies`) and V8's
//    `WebAssembly.validate` on the same bytes, as references for the machine's speed at that moment.
//
//   node scripts/fetch-real-world.mjs   # once, for ffmpeg-core in part 2
//   node bench/metering.mjs [--runs 5] [--no-yosys] [--no-ruby]
// Yosys and Ruby (@ruby/3.4-wasm-wasi, made a command by runWorkload.mjs) are fetched with
// `npm pack` into the system's temporary folder (warden-bench-yosys-VERSION,
// warden-bench-ruby-VERSION), kept there for the next run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  args,
  bundleSources,
  median,
  realWorldCache,
  removeFolder,
  repo,
  runsOption,
  scratchFolder,
  sourcePath,
  timeMs,
} from './lib.mjs';
import { compileC, prepareRuby, prepareYosys } from './metering/workloads.mjs';

/* global WebAssembly */
const runs = runsOption(5);
const folder = scratchFolder('metering');
try {
  const { exports: lib } = await bundleSources(folder, 'metering.cjs', [
    `export { instrumentModule } from ${sourcePath('server/src/core/metering/instrument.ts')};`,
    `export { scanFunctionBodies } from ${sourcePath('server/src/core/module/code.ts')};`,
  ]);

  const workloads = [compileC(folder)];
  const yosys = args.includes('--no-yosys') ? null : await prepareYosys(folder);
  if (yosys) workloads.push(yosys.workload);
  const ruby = args.includes('--no-ruby') ? null : prepareRuby();
  if (ruby) workloads.push(ruby);

  // 1. Run-time overhead.
  for (const w of workloads) {
    const plain = path.join(folder, `${w.name}.wasm`);
    const metered = path.join(folder, `${w.name}.metered.wasm`);
    fs.copyFileSync(w.file, plain);
    const result = lib.instrumentModule(fs.readFileSync(w.file));
    if (!result.ok) throw new Error(result.message);
    fs.writeFileSync(metered, result.bytes);
    const series = { plain: [], metered: [] };
    const outputs = new Set();
    const fuel = new Set();
    let lastLine = '';
    for (let i = 0; i < runs + 1; i++)
      for (const [variant, file] of [
        ['plain', plain],
        ['metered', metered],
      ]) {
        const child = spawnSync(
          process.execPath,
          [path.join(repo, 'bench/metering/runWorkload.mjs'), file, variant, JSON.stringify(w.config)],
          { encoding: 'utf8', maxBuffer: 1 << 24 },
        );
        if (child.status !== 0) throw new Error(`${w.name} ${variant}: ${child.stderr}`);
        const r = JSON.parse(child.stdout);
        if (r.exitCode !== 0 || !r.sameTwice) throw new Error(`${w.name} ${variant}: ${child.stdout}`);
        outputs.add(r.output);
        lastLine = r.lastLine;
        if (r.fuel) fuel.add(r.fuel).add(r.fuelTwice);
        if (i > 0) series[variant].push(r); // the first pair warms the file cache up
      }
    if (outputs.size !== 1) throw new Error(`${w.name}: outputs differ between unmetered and metered runs`);
    if (fuel.size !== 1) throw new Error(`${w.name}: fuel differs between runs: ${[...fuel].join(', ')}`);
    const m = (variant, key) => median(series[variant].map((r) => r[key]));
    const least = (variant, key) => Math.min(...series[variant].map((r) => r[key]));
    console.log(`${w.title}, ${runs} runs each, alternating, each in a fresh process:`);
    console.log(`  output identical metered and unmetered (${[...outputs][0]}): ${lastLine}`);
    console.log(`  fuel ${[...fuel][0]} units on every metered run`);
    // Medians, and the fastest run of each (the least disturbed by other work on a shared machine).
    const label = { coldMs: 'cold', warmMs: 'warm', coldCpuMs: 'cold CPU', warmCpuMs: 'warm CPU' };
    for (const key of ['coldMs', 'warmMs', 'coldCpuMs', 'warmCpuMs'])
      console.log(
        `  ${label[key]}: median unmetered ${m('plain', key).toFixed(0)} ms, metered ${m('metered', key).toFixed(0)} ms: ${(m('metered', key) / m('plain', key)).toFixed(2)}x; fastest ${least('plain', key).toFixed(0)} / ${least('metered', key).toFixed(0)} ms: ${(least('metered', key) / least('plain', key)).toFixed(2)}x`,
      );
  }

  // 2. Rewrite speed on large real modules.
  const large = [path.join(realWorldCache, 'ffmpeg-core-0.12.10.wasm')];
  if (yosys) large.push(yosys.workload.file);
  if (ruby) large.push(ruby.file);
  for (const file of large) {
    if (!fs.existsSync(file)) {
      console.log(`${path.basename(file)} not there: run node scripts/fetch-real-world.mjs for part 2`);
      continue;
    }
    const bytes = fs.readFileSync(file);
    const t = { instrument: [], scan: [], validate: [] };
    let size = 0;
    for (let i = 0; i < runs; i++) {
      t.instrument.push(timeMs(() => (size = lib.instrumentModule(bytes).bytes.length)));
      t.scan.push(timeMs(() => lib.scanFunctionBodies(bytes)));
      t.validate.push(timeMs(() => WebAssembly.validate(bytes)));
    }
    const [i, s, v] = [median(t.instrument), median(t.scan), median(t.validate)];
    console.log(
      `${path.basename(file)} (${(bytes.length / 1e6).toFixed(1)} MB -> ${(size / 1e6).toFixed(1)} MB metered), medians of ${runs}:`,
    );
    console.log(
      `  instrumentModule ${i.toFixed(0)} ms [${t.instrument.map((x) => x.toFixed(0)).join(' ')}]; scanFunctionBodies ${s.toFixed(0)} ms (${(i / s).toFixed(1)}x); WebAssembly.validate ${v.toFixed(0)} ms (${(i / v).toFixed(1)}x)`,
    );
  }
} finally {
  removeFolder(folder);
}
