// How many times the workspace scan asks the engine to validate, and what that costs, for the
// 1,000 files of `bench/editor.mjs --distinct` (the nine real-world modules other than ffmpeg,
// two bytes of the first data segment changed per file): files with equal engine keys
// (features/analysisCache.ts) are validated once between them. CPU time, so load matters less
// than for the editor benchmark's wall time.
//   node bench/scanValidation.mjs [--files 1000]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { median, option, realWorldCache as cache, repo } from './lib.mjs';
import { withDataBytes } from './support/dataBytes.mjs';

const require = createRequire(import.meta.url);
const out = (...p) => require(path.join(repo, 'out', 'server', 'src', ...p));
const { contentKeys } = out('features', 'analysisCache.js');
const { engine } = out('core', 'module', 'engineSupport.js');
const { walkSections } = out('core', 'signing', 'sections.js');
const { createHash } = require('node:crypto');

/** The engine key before data bytes were left out: every non-custom section whole. */
function wholeSectionsKey(module) {
  const hash = createHash('sha256').update(module.subarray(0, 8));
  for (const s of walkSections(module).sections)
    if (s.id !== 0) hash.update(module.subarray(s.offset, s.end));
  return hash.digest('hex');
}

const files = Number(option('--files', 1000));
const names = fs.readdirSync(cache).filter((f) => f.endsWith('.wasm') && !f.startsWith('ffmpeg'));
const modules = names.map((n) => fs.readFileSync(path.join(cache, n)));

/** CPU milliseconds of one WebAssembly.validate of each core module (median of 3). */
const validateMs = new Map();
function costOf(bytes) {
  const cpu = () => process.cpuUsage().user / 1000;
  const times = [0, 1, 2].map(() => {
    const start = cpu();
    engine.validate(bytes);
    return cpu() - start;
  });
  return median(times);
}

const seen = new Set();
const seenWhole = new Set();
let validations = 0;
let validationsWhole = 0;
let cpuMsWhole = 0;
let cpuMs = 0;
let keyMs = 0;
for (let i = 0; i < files; i++) {
  const base = i % modules.length;
  const bytes = withDataBytes(modules[base], i);
  const start = performance.now();
  const keys = contentKeys(bytes, undefined);
  keyMs += performance.now() - start;
  for (const [offset, key] of keys.engine) {
    const id = `${base}@${offset}`;
    if (!validateMs.has(id)) validateMs.set(id, costOf(offset === 0 ? bytes : bytes.subarray(offset)));
    const whole = offset === 0 ? wholeSectionsKey(bytes) : key;
    if (!seenWhole.has(whole)) {
      seenWhole.add(whole);
      validationsWhole++;
      cpuMsWhole += validateMs.get(id);
    }
    if (seen.has(key)) continue;
    seen.add(key);
    validations++;
    cpuMs += validateMs.get(id);
  }
}
const seconds = (ms) => (ms / 1000).toFixed(2);
console.log(`${files} files, engine validations: ${validations} (~${seconds(cpuMs)} CPU-s)`);
console.log(
  `  keyed by whole non-custom sections (before): ${validationsWhole} (~${seconds(cpuMsWhole)} CPU-s)`,
);
console.log(`  keys made in ${seconds(keyMs)} s`);
