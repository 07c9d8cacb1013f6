// Fuel metering (core/metering), side by side in one run:
// 1. the run-time cost on CPU-heavy programs: a C workload compiled here (Debian clang + wasi-libc,
//    bench/metering/cpu.c) and Yosys (`read_verilog; techmap; stat` on a 48-bit multiply-add,
//    yosys.core.wasm from the npm package @yowasp/yosys, run under Node's WASI with its share files),
//    each run unmetered and metered, alternating, every run in a fresh process
//    (bench/metering/runWorkload.mjs): "cold" is the first run in that process (baseline code, then
//    tier-up, as a sandbox run is), "warm" a second run of the same compiled module, "steady" the
//    median of runs 4 to 6 (with --steady: optimized code, as most of a long run); wall times and
//    the process's CPU times (less inflated by other work on a shared machine), medians and the
//    fastest run. The clock the programs read is fixed; the outputs must be identical and the fuel
//    the same on every run;
// 2. the rewrite's speed on ~30 MB real modules (ffmpeg-core.wasm from .cache/real-world, and
//    yosys.core.wasm), beside the project's own body scan (`scanFunctionBodies`) and V8's
//    `WebAssembly.validate` on the same bytes, as references for the machine's speed at that moment;
//    and the first call in a fresh process, as a sandbox run pays it (V8 has not optimized the
//    rewriter yet).
//
//   node scripts/fetch-real-world.mjs   # once, for ffmpeg-core in part 2
//   node bench/metering.mjs [--runs 5] [--no-yosys] [--no-ruby] [--no-rewrite] [--steady] [--modes exact,bound]
// --modes: the metered variants, each run alternating with the unmetered one (see
// bench/meteringCompile.mjs); the rewrite's speed (part 2, skipped with --no-rewrite) is measured
// for each mode.
// Yosys and Ruby (@ruby/3.4-wasm-wasi, made a command by runWorkload.mjs) are fetched with
// `npm pack` into the system's temporary folder (warden-bench-yosys-VERSION,
// warden-bench-ruby-VERSION), kept there for the next run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  args,
  bundleSources,
  median,
  option,
  realWorldCache,
  removeFolder,
  repo,
  runsOption,
  scratchFolder,
  sourcePath,
  timeMs,
} from './lib.mjs';
import { compileC, meteringModes, prepareRuby, prepareYosys } from './metering/workloads.mjs';

/* global WebAssembly */
const runs = runsOption(5);
const modes = meteringModes(option('--modes', 'exact,bound'));
const steady = args.includes('--steady');
const folder = scratchFolder('metering');
try {
  const { file: bundle, exports: lib } = await bundleSources(folder, 'metering.cjs', [
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
    const files = { plain: path.join(folder, `${w.name}.wasm`) };
    fs.copyFileSync(w.file, files.plain);
    const sizes = {};
    for (const [mode, options] of Object.entries(modes)) {
      const result = lib.instrumentModule(fs.readFileSync(w.file), options);
      if (!result.ok) throw new Error(result.message);
      files[mode] = path.join(folder, `${w.name}.${mode}.wasm`);
      fs.writeFileSync(files[mode], result.bytes);
      sizes[mode] = result.bytes.length;
    }
    const series = Object.fromEntries(Object.keys(files).map((v) => [v, []]));
    const fuel = Object.fromEntries(Object.keys(modes).map((v) => [v, new Set()]));
    const outputs = new Set();
    const started = new Date().toISOString().slice(11, 16);
    const loads = [os.loadavg()[0]];
    let lastLine = '';
    for (let i = 0; i < runs + 1; i++)
      for (const [variant, file] of Object.entries(files)) {
        const runOnce = () =>
          spawnSync(
            process.execPath,
            [
              path.join(repo, 'bench/metering/runWorkload.mjs'),
              file,
              variant === 'plain' ? 'plain' : 'metered',
              JSON.stringify(w.config),
              steady ? '4' : '0',
            ],
            { encoding: 'utf8', maxBuffer: 1 << 24 },
          );
        let child = runOnce();
        // Node 20 crashes now and then on Ruby, metered or not (SIGSEGV, SIGTRAP, SIGABRT in the
        // engine): up to two more tries, each said.
        for (let retry = 0; retry < 2 && child.signal; retry++) {
          console.log(`  (${w.name} ${variant}: the process died of ${child.signal}; run again)`);
          child = runOnce();
        }
        if (child.status !== 0)
          throw new Error(`${w.name} ${variant}: ${child.signal ?? ''} ${child.stderr}`);
        const r = JSON.parse(child.stdout);
        if (r.exitCode !== 0 || !r.sameTwice) throw new Error(`${w.name} ${variant}: ${child.stdout}`);
        outputs.add(r.output);
        lastLine = r.lastLine;
        if (r.fuel) fuel[variant].add(r.fuel).add(r.fuelTwice);
        if (i > 0) series[variant].push(r); // the first round warms the file cache up
      }
    loads.push(os.loadavg()[0]);
    if (outputs.size !== 1) throw new Error(`${w.name}: outputs differ between unmetered and metered runs`);
    for (const mode of Object.keys(modes))
      if (fuel[mode].size !== 1)
        throw new Error(`${w.name} ${mode}: fuel differs between runs: ${[...fuel[mode]].join(', ')}`);
    const m = (variant, key) => median(series[variant].map((r) => r[key]));
    const least = (variant, key) => Math.min(...series[variant].map((r) => r[key]));
    console.log(
      `${w.title}, ${runs} runs each, alternating, each in a fresh process (from ${started} UTC, load ${loads.map((l) => l.toFixed(1)).join(' -> ')}):`,
    );
    console.log(`  output identical metered and unmetered (${[...outputs][0]}): ${lastLine}`);
    const exactFuel = fuel.exact ? BigInt([...fuel.exact][0]) : null;
    for (const mode of Object.keys(modes)) {
      const units = BigInt([...fuel[mode]][0]);
      const ratio = exactFuel ? `, ${(Number(units) / Number(exactFuel)).toFixed(3)}x exact` : '';
      console.log(
        `  ${mode}: fuel ${units.toLocaleString('en')} units on every run${ratio}; module ${(sizes[mode] / 1e6).toFixed(2)} MB`,
      );
    }
    // Medians, and the fastest run of each (the least disturbed by other work on a shared machine).
    const label = {
      coldMs: 'cold wall',
      warmMs: 'warm wall',
      steadyMs: 'steady wall',
      coldCpuMs: 'cold CPU',
      warmCpuMs: 'warm CPU',
      steadyCpuMs: 'steady CPU',
    };
    const keys = ['coldMs', 'warmMs', 'coldCpuMs', 'warmCpuMs'];
    if (steady) keys.push('steadyMs', 'steadyCpuMs');
    for (const key of keys)
      console.log(
        `  ${label[key]}, median [fastest]: unmetered ${m('plain', key).toFixed(0)} [${least('plain', key).toFixed(0)}] ms; ` +
          Object.keys(modes)
            .map(
              (mode) =>
                `${mode} ${m(mode, key).toFixed(0)} [${least(mode, key).toFixed(0)}] ms ${(m(mode, key) / m('plain', key)).toFixed(2)}x [${(least(mode, key) / least('plain', key)).toFixed(2)}x]`,
            )
            .join('; '),
      );
  }

  // 2. Rewrite speed on large real modules.
  const large = args.includes('--no-rewrite') ? [] : [path.join(realWorldCache, 'ffmpeg-core-0.12.10.wasm')];
  if (yosys && large.length) large.push(yosys.workload.file);
  if (ruby && large.length) large.push(ruby.file);
  for (const file of large) {
    if (!fs.existsSync(file)) {
      console.log(`${path.basename(file)} not there: run node scripts/fetch-real-world.mjs for part 2`);
      continue;
    }
    const bytes = fs.readFileSync(file);
    const t = { scan: [], validate: [] };
    const first = {};
    const size = {};
    for (const mode of Object.keys(modes)) {
      t[mode] = [];
      first[mode] = [];
    }
    for (let i = 0; i < runs; i++) {
      for (const [mode, options] of Object.entries(modes)) {
        t[mode].push(timeMs(() => (size[mode] = lib.instrumentModule(bytes, options).bytes.length)));
        first[mode].push(firstRewrite(bundle, file, options));
      }
      t.scan.push(timeMs(() => lib.scanFunctionBodies(bytes)));
      t.validate.push(timeMs(() => WebAssembly.validate(bytes)));
    }
    const [s, v] = [median(t.scan), median(t.validate)];
    console.log(
      `${path.basename(file)} (${(bytes.length / 1e6).toFixed(1)} MB), medians of ${runs}, load ${os.loadavg()[0].toFixed(1)}:`,
    );
    for (const mode of Object.keys(modes)) {
      const i = median(t[mode]);
      console.log(
        `  instrumentModule ${mode} (-> ${(size[mode] / 1e6).toFixed(1)} MB) ${i.toFixed(0)} ms [${t[mode].map((x) => x.toFixed(0)).join(' ')}]; scanFunctionBodies ${s.toFixed(0)} ms (${(i / s).toFixed(1)}x); WebAssembly.validate ${v.toFixed(0)} ms (${(i / v).toFixed(1)}x)`,
      );
      console.log(
        `    first call in a fresh process (what a sandbox run pays) ${median(first[mode]).toFixed(0)} ms [${first[mode].map((x) => x.toFixed(0)).join(' ')}]`,
      );
    }
  }
} finally {
  removeFolder(folder);
}

/** One `instrumentModule` call in a new Node process (V8 has not optimized the rewriter yet), in ms. */
function firstRewrite(bundle, file, options) {
  const script = `const lib = require(${JSON.stringify(bundle)}); const bytes = require('fs').readFileSync(${JSON.stringify(file)});
    const t = performance.now(); lib.instrumentModule(bytes, ${JSON.stringify(options)}); console.log(performance.now() - t);`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the fresh rewrite failed: ${run.stderr}`);
  return Number(run.stdout.trim());
}
