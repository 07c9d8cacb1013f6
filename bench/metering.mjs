// Fuel metering (core/metering), side by side in one process:
// 1. the run-time cost: a C workload compiled here (Debian clang + wasi-libc, bench/metering/cpu.c)
//    run under Node's WASI unmetered and metered, alternating, median of the runs;
// 2. the rewrite's speed on the ~30 MB real module (ffmpeg-core.wasm from .cache/real-world), beside
//    the project's own body scan (`scanFunctionBodies`) and V8's `WebAssembly.validate` on the same
//    bytes, as references for the machine's speed at that moment.
//
//   node scripts/fetch-real-world.mjs   # once, for part 2
//   node bench/metering.mjs [--runs 5]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WASI } from 'node:wasi';
import {
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

/* global WebAssembly */
const runs = runsOption(5);
const folder = scratchFolder('metering');
try {
  const { exports: lib } = await bundleSources(folder, 'metering.cjs', [
    `export { instrumentModule } from ${sourcePath('server/src/core/metering/instrument.ts')};`,
    `export { scanFunctionBodies } from ${sourcePath('server/src/core/module/code.ts')};`,
  ]);

  // 1. Run-time overhead.
  const wasmFile = path.join(folder, 'cpu.wasm');
  const cc = spawnSync(
    'clang',
    [
      '--target=wasm32-wasi',
      '-O2',
      '-nodefaultlibs',
      path.join(repo, 'bench/metering/cpu.c'),
      '-lc',
      '-o',
      wasmFile,
    ],
    { encoding: 'utf8' },
  );
  if (cc.status !== 0) throw new Error(`clang failed: ${cc.stderr}`);
  const plain = new WebAssembly.Module(fs.readFileSync(wasmFile));
  const result = lib.instrumentModule(fs.readFileSync(wasmFile));
  if (!result.ok) throw new Error(result.message);
  const metered = new WebAssembly.Module(result.bytes);
  const out = path.join(folder, 'out.txt');
  let fuelUsed = 0n;
  const runOnce = (module, meter) => {
    const fd = fs.openSync(out, 'w');
    const wasi = new WASI({ version: 'preview1', stdout: fd });
    const imports = { wasi_snapshot_preview1: wasi.wasiImport };
    let fuel;
    if (meter) {
      fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, 1n << 62n);
      const threshold = new WebAssembly.Global({ value: 'i64', mutable: true }, (1n << 62n) - 4_000_000n);
      // The same hook the sandbox installs: called every 4 M units, moves the threshold.
      imports['wasm-warden:meter'] = {
        fuel,
        threshold,
        sample: () => ((threshold.value = fuel.value - 4_000_000n), 0),
      };
    }
    const instance = new WebAssembly.Instance(module, imports);
    const ms = timeMs(() => wasi.start(instance));
    fs.closeSync(fd);
    if (fuel) fuelUsed = (1n << 62n) - fuel.value;
    return { ms, text: fs.readFileSync(out, 'utf8') };
  };
  const series = { plain: [], metered: [] };
  const outputs = new Set();
  for (let i = 0; i < runs + 1; i++) {
    const a = runOnce(plain, false);
    const b = runOnce(metered, true);
    outputs.add(a.text).add(b.text);
    if (i === 0) continue; // the first pair warms up
    series.plain.push(a.ms);
    series.metered.push(b.ms);
  }
  if (outputs.size !== 1) throw new Error(`outputs differ: ${[...outputs].join(' | ')}`);
  const p = median(series.plain);
  const m = median(series.metered);
  console.log(
    `C workload (bench/metering/cpu.c, ${fs.statSync(wasmFile).size} bytes), ${runs} runs each, alternating:`,
  );
  console.log(`  output (identical both ways): ${[...outputs][0].trim()}`);
  console.log(
    `  unmetered ${p.toFixed(0)} ms, metered ${m.toFixed(0)} ms: ${(m / p).toFixed(2)}x; fuel ${fuelUsed}`,
  );

  // 2. Rewrite speed on a large real module.
  const big = path.join(realWorldCache, 'ffmpeg-core-0.12.10.wasm');
  if (!fs.existsSync(big)) {
    console.log(
      'ffmpeg-core.wasm not in .cache/real-world: run node scripts/fetch-real-world.mjs for part 2',
    );
  } else {
    const bytes = fs.readFileSync(big);
    const t = { instrument: [], scan: [], validate: [] };
    let size = 0;
    for (let i = 0; i < runs; i++) {
      t.instrument.push(timeMs(() => (size = lib.instrumentModule(bytes).bytes.length)));
      t.scan.push(timeMs(() => lib.scanFunctionBodies(bytes)));
      t.validate.push(timeMs(() => WebAssembly.validate(bytes)));
    }
    const [i, s, v] = [median(t.instrument), median(t.scan), median(t.validate)];
    console.log(
      `ffmpeg-core.wasm (${(bytes.length / 1e6).toFixed(1)} MB -> ${(size / 1e6).toFixed(1)} MB metered), medians of ${runs}:`,
    );
    console.log(
      `  instrumentModule ${i.toFixed(0)} ms; scanFunctionBodies ${s.toFixed(0)} ms (${(i / s).toFixed(1)}x); WebAssembly.validate ${v.toFixed(0)} ms (${(i / v).toFixed(1)}x)`,
    );
  }
} finally {
  removeFolder(folder);
}
