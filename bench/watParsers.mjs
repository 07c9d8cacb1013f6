/* global WebAssembly */
// wabt (npm) vs the wasm-tools parser inside @bytecodealliance/jco-transpile, side by side on every
// text module of the spec suite and on a large `.wat` (e.g. sql.js printed by `wasm2wat`).
// Usage: npm run build && npx tsc -p . && node bench/watParsers.mjs [big.wat]
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { readWatModules } = require(join(root, 'out/server/src/core/wat/reader.js'));
const { LineIndex } = require(join(root, 'out/server/src/core/location.js'));
const { compileWat } = require(join(root, 'out/server/src/core/wat/compile.js'));
const { sharedTestdata } = require(join(root, 'out/test/support/sharedTestdata.js'));

let started = performance.now();
const wasmTools = await import('@bytecodealliance/jco-transpile/vendor/wasm-tools.js');
await wasmTools.$init;
console.log(`wasm-tools instantiated in ${Math.round(performance.now() - started)} ms`);

/** Whether wasm-tools accepts the text: it parses, and for `invalid` expectations V8 validates. */
function wasmToolsAccepts(text, expect) {
  try {
    const bytes = wasmTools.tools.parse(text);
    return expect === 'invalid' ? WebAssembly.validate(bytes) : true;
  } catch {
    return false;
  }
}

const dir = sharedTestdata('spec-testsuite');
const counts = {};
const time = { wabt: 0, wasmTools: 0 };
for (const file of readdirSync(dir).filter((f) => f.endsWith('.wast'))) {
  const text = readFileSync(join(dir, file), 'utf8');
  for (const entry of readWatModules(text, new LineIndex(text)).entries) {
    if (entry.source.kind !== 'text') continue;
    const c = (counts[entry.expect] ??= { modules: 0, wabt: 0, wasmTools: 0 });
    c.modules++;
    started = performance.now();
    const wabtAccepts = !!(await compileWat(entry.source.text, file)).bytes;
    time.wabt += performance.now() - started;
    started = performance.now();
    const toolsAccept = wasmToolsAccepts(entry.source.text, entry.expect);
    time.wasmTools += performance.now() - started;
    // count the right answers: accepted when valid, rejected otherwise
    const right = (accepts) => (entry.expect === 'valid' ? accepts : !accepts);
    c.wabt += right(wabtAccepts);
    c.wasmTools += right(toolsAccept);
  }
}
console.log('right answers per expectation:', JSON.stringify(counts));
console.log(`total time: wabt ${Math.round(time.wabt)} ms, wasm-tools ${Math.round(time.wasmTools)} ms`);

const big = process.argv[2];
if (big) {
  const text = readFileSync(big, 'utf8');
  started = performance.now();
  const bytes = wasmTools.tools.parse(text);
  console.log(`${big}: wasm-tools ${Math.round(performance.now() - started)} ms (${bytes.length} bytes)`);
  console.log('wabt: not timed here, it does not finish on sql.js (see BENCHMARKS.md)');
}
