// What fuel metering costs V8's optimizing compiler, measured apart from everything else a run
// does. A fresh run of a large program spends most of its CPU in TurboFan compiling its hot
// functions on background threads (BENCHMARKS.md, "Fuel metering, round 3"), and timing whole runs
// on a shared machine swings by ±30%. Here the functions TurboFan compiled in an unmetered run of
// each workload are compiled again, the same functions unmetered and metered, one after another on
// one thread, each variant in a fresh process, alternating: the CPU time of that is steadier.
//
//   node bench/meteringCompile.mjs [--runs 5] [--no-yosys] [--modes exact,bound]
//
// --modes: the metered variants beside the unmetered one, in the order they alternate: `exact` and
// `bound` (the fuel countings of docs/metering.md), `bound-local` (bound counting with the counter
// in a local, written back around calls, as exact counting keeps it), `bound-global` (the counter
// always in the global; `bound` keeps it in a local in bodies without calls).
//
// Workloads as in bench/metering.mjs (the C program compiled here and Yosys from npm). Node 20.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  args,
  bundleSources,
  median,
  option,
  removeFolder,
  repo,
  runsOption,
  scratchFolder,
  sourcePath,
} from './lib.mjs';
import { compileC, meteringModes, prepareYosys } from './metering/workloads.mjs';

/* global WebAssembly */
const runs = runsOption(5);
const modes = meteringModes(option('--modes', 'exact,bound'));
/** The bundled project sources: the rewriter, and the reader and writer `withExports` uses. */
let lib;
const folder = scratchFolder('metering-compile');
try {
  ({ exports: lib } = await bundleSources(folder, 'metering.cjs', [
    `export { instrumentModule } from ${sourcePath('server/src/core/metering/instrument.ts')};`,
    `export { CORE_SECTION_ORDER } from ${sourcePath('server/src/core/module/coreModule.ts')};`,
    `export { ByteReader } from ${sourcePath('server/src/core/module/byteReader.ts')};`,
    `export { ByteWriter } from ${sourcePath('server/src/core/metering/byteWriter.ts')};`,
  ]));
  const workloads = [compileC(folder)];
  const yosys = args.includes('--no-yosys') ? null : await prepareYosys(folder);
  if (yosys) workloads.push(yosys.workload);

  for (const w of workloads) {
    const bytes = fs.readFileSync(w.file);
    const plainFile = path.join(folder, `${w.name}.wasm`);
    fs.writeFileSync(plainFile, bytes);
    const hot = optimizedInRun(plainFile, w.config);
    // The meter adds one imported function (`sample`) after the module's own imports, so every
    // defined function's index moves up by one in the metered module.
    const names = hot.map((index) => `warden-bench-hot-${index}`);
    const variants = { unmetered: withExports(bytes, hot, names, 0) };
    for (const [mode, options] of Object.entries(modes)) {
      const result = lib.instrumentModule(bytes, options);
      if (!result.ok) throw new Error(result.message);
      variants[mode] = withExports(result.bytes, hot, names, 1);
    }
    const files = {};
    for (const [variant, module] of Object.entries(variants)) {
      files[variant] = path.join(folder, `${w.name}.${variant}.hot.wasm`);
      fs.writeFileSync(files[variant], module);
    }
    const cpu = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
    for (let i = 0; i < runs; i++)
      for (const variant of Object.keys(variants)) {
        const child = spawnSync(
          process.execPath,
          ['--allow-natives-syntax', path.join(repo, 'bench/metering/tierUp.mjs'), files[variant], ...names],
          { encoding: 'utf8', maxBuffer: 1 << 24 },
        );
        if (child.status !== 0)
          throw new Error(`${w.name} ${variant}: ${child.signal ?? ''} ${child.stderr}`);
        cpu[variant].push(JSON.parse(child.stdout).cpuMs);
      }
    const m = (v) => median(cpu[v]);
    const least = (v) => Math.min(...cpu[v]);
    console.log(
      `${w.title}: the ${hot.length} functions TurboFan compiled in an unmetered run, ${runs} runs each:`,
    );
    console.log(
      `  TurboFan CPU, median [fastest]: unmetered ${m('unmetered').toFixed(0)} [${least('unmetered').toFixed(0)}] ms`,
    );
    for (const mode of Object.keys(modes))
      console.log(
        `  ${mode}: ${m(mode).toFixed(0)} [${least(mode).toFixed(0)}] ms: ${(m(mode) / m('unmetered')).toFixed(2)}x [${(least(mode) / least('unmetered')).toFixed(2)}x]`,
      );
  }
} finally {
  removeFolder(folder);
}

/** Indices of the functions V8 compiled with TurboFan during a run of `file` (cold and warm). */
function optimizedInRun(file, config) {
  const child = spawnSync(
    process.execPath,
    [
      '--trace-wasm-compilation-times',
      path.join(repo, 'bench/metering/runWorkload.mjs'),
      file,
      'plain',
      JSON.stringify(config),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (child.status !== 0) throw new Error(`${file}: ${child.stderr}`);
  const hot = new Set();
  for (const match of child.stdout.matchAll(/^Compiled function \S+#(\d+) using TurboFan/gm))
    hot.add(Number(match[1]));
  return [...hot].sort((a, b) => a - b);
}

/** `bytes` with the functions `indices` (+ `shift`) exported as `names`, beside the module's own exports. */
function withExports(bytes, indices, names, shift) {
  const { ByteReader, ByteWriter, CORE_SECTION_ORDER } = lib;
  const added = new ByteWriter();
  indices.forEach((index, i) => {
    added.name(names[i]);
    added.u8(0); // function
    added.u32(index + shift);
  });
  const out = new ByteWriter(bytes.length + added.length + 16);
  out.bytes(bytes.subarray(0, 8));
  const exportSection = (own, count) => {
    const body = new ByteWriter(own.length + added.length + 8);
    body.u32(count + indices.length);
    body.bytes(own);
    body.append(added);
    out.u8(7);
    out.u32(body.length);
    out.append(body);
  };
  const r = new ByteReader(bytes, 8);
  let written = false;
  while (!r.atEnd()) {
    const start = r.pos;
    const id = r.u8();
    const end = r.varU32() + r.pos;
    if (id === 7) {
      const count = r.varU32();
      exportSection(bytes.subarray(r.pos, end), count);
      written = true;
    } else {
      // Without an export section of its own, the new one goes before the first later section.
      if (!written && id !== 0 && CORE_SECTION_ORDER[id] > CORE_SECTION_ORDER[7]) {
        exportSection(new Uint8Array(0), 0);
        written = true;
      }
      out.bytes(bytes.subarray(start, end));
    }
    r.pos = end;
  }
  if (!written) exportSection(new Uint8Array(0), 0);
  const module = out.toBytes();
  if (!WebAssembly.validate(module)) throw new Error('the module with the added exports does not validate');
  return module;
}
