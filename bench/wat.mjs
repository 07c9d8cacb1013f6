// Reading a 5 MB .wat: `readWatModules` (lexer, s-expression tree, module facts with text spans) on
//  - a generated 5 MiB module in the shape wasm2wat writes (flat instructions, imports, exports,
//    data segments), always available;
//  - a real module turned into text by Debian wabt's `wasm2wat` (brotli-wasm, 1 MB binary → 7.2 MiB
//    of text), when wasm2wat is installed and the module is fetched.
// Prints medians of wall time and of process CPU time (user + system, garbage collector threads
// included) over --runs runs after one warm-up run. Usage: node bench/wat.mjs [--runs N] [FILE.wat]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  bundleSources,
  measureCpu,
  median,
  positionalArgument,
  realWorldModule,
  removeFolder,
  runsOption,
  scratchFolder,
  sourcePath,
} from './lib.mjs';

const runs = runsOption(7);
const explicit = positionalArgument();

const scratch = scratchFolder('wat');
process.on('exit', () => removeFolder(scratch));

const {
  exports: { readWatModules, readBinaryModule },
} = await bundleSources(scratch, 'wat.cjs', [
  `export { readWatModules } from ${sourcePath('server/src/core/wat/reader')};`,
  `export { readBinaryModule } from ${sourcePath('server/src/core/module/binary')};`,
]);

/** A deterministic module of about `bytes` characters in wasm2wat's style. */
function generatedWat(bytes) {
  const parts = ['(module\n', '  (type (;0;) (func (param i32 i32) (result i32)))\n'];
  for (let i = 0; i < 50; i++) parts.push(`  (import "env" "host_${i}" (func (;${i};) (type 0)))\n`);
  parts.push('  (memory (;0;) 256 4096)\n  (export "memory" (memory 0))\n');
  let size = parts.reduce((n, p) => n + p.length, 0);
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const ops = ['i32.add', 'i32.sub', 'i32.mul', 'i32.and', 'i32.or', 'i32.xor', 'i32.shl', 'i32.eq'];
  for (let f = 50; size < bytes - 4096; f++) {
    const body = [`  (func (;${f};) (type 0) (param i32 i32) (result i32)\n    (local i32 i64)\n`];
    const lines = 20 + (next() % 60);
    for (let l = 0; l < lines; l++) {
      const pick = next() % 6;
      if (pick === 0)
        body.push(`    local.get ${next() % 4 === 0 ? 1 : 0}\n    i32.load offset=${next() % 4096}\n`);
      else if (pick === 1)
        body.push(
          `    i32.const ${next() % 100000}\n    local.get 1\n    ${ops[next() % ops.length]}\n    local.set 2\n`,
        );
      else if (pick === 2)
        body.push(
          `    block $B${l}\n      local.get 2\n      br_if $B${l}\n      call ${next() % 50}\n      drop\n    end\n`,
        );
      else if (pick === 3)
        body.push(`    local.get 0\n    local.get 2\n    i32.store offset=${next() % 256}\n`);
      else if (pick === 4) body.push(`    (drop (i32.add (local.get 0) (i32.const ${next() % 1000})))\n`);
      else body.push(`    i64.const ${next()}\n    local.set 3\n`);
    }
    body.push('    local.get 2)\n');
    if (f % 10 === 0) body.push(`  (export "f${f}" (func ${f}))\n`);
    if (f % 25 === 0)
      body.push(`  (data (;${f};) (i32.const ${f * 64}) "\\00\\01\\02abc\\ff\\fe${'x'.repeat(40)}")\n`);
    const text = body.join('');
    parts.push(text);
    size += text.length;
  }
  parts.push(')\n');
  return parts.join('');
}

/** brotli-wasm's module as text, when the module is fetched and Debian's wasm2wat is installed. */
async function realWat() {
  let wasm;
  try {
    wasm = await realWorldModule('brotli-wasm');
  } catch (error) {
    console.log(`(no real module: ${error.message})`);
    return null;
  }
  const out = path.join(scratch, 'brotli.wat');
  const r = spawnSync('wasm2wat', ['--enable-all', wasm, '-o', out], { stdio: 'inherit' });
  if (r.error || r.status !== 0) {
    console.log('(wasm2wat not available: skipping the real module)');
    return null;
  }
  return { name: `${path.basename(wasm)} via wasm2wat`, text: readFileSync(out, 'utf8'), wasm };
}

function measure(name, text) {
  const mib = text.length / (1024 * 1024);
  let facts = readWatModules(text); // warm-up
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const run = measureCpu(() => readWatModules(text));
    facts = run.result;
    wall.push(run.wall);
    cpu.push(run.cpu);
  }
  const m = facts.modules[0];
  console.log(
    `${name}: ${mib.toFixed(2)} MiB, ${m.functions.length} functions, ${m.imports.length} imports, ${m.exports.length} exports, ${m.dataSegments.length} data segments, ${facts.findings.length} findings`,
  );
  console.log(
    `  readWatModules: median wall ${median(wall).toFixed(1)} ms, median CPU ${median(cpu).toFixed(1)} ms (${runs} runs; wall per MiB ${(median(wall) / mib).toFixed(1)} ms)`,
  );
}

const load = (await import('node:os')).loadavg()[0];
console.log(`node ${process.version}, load average ${load.toFixed(1)} at start`);
if (explicit) measure(path.basename(explicit), readFileSync(explicit, 'utf8'));
else {
  measure('generated', generatedWat(5 * 1024 * 1024));
  const real = await realWat();
  if (real) {
    measure(real.name, real.text);
    // Correctness alongside speed: the text facts must be the binary's facts.
    const ignored = new Set(['location', 'contentOffset', 'bodyOffset', 'bodySize', 'name']);
    const strip = (items) => JSON.stringify(items, (key, value) => (ignored.has(key) ? undefined : value));
    const text = readWatModules(real.text).modules[0];
    const binary = readBinaryModule(readFileSync(real.wasm));
    const kinds = [
      'imports',
      'exports',
      'memories',
      'tables',
      'globals',
      'functions',
      'dataSegments',
      'elementSegments',
    ];
    const differing = kinds.filter((k) => strip(text[k]) !== strip(binary[k]));
    console.log(
      `  facts equal the binary reader's on ${kinds.join(', ')}: ${differing.length === 0 ? 'yes' : `no (${differing.join(', ')})`}`,
    );
  }
}
