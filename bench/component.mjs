// Facts of a ~30 MB component against the core reader on the same core module, side by side in
// one run: @ffmpeg/core 0.12.10's ffmpeg-core.wasm (fetched by scripts/fetch-real-world.mjs)
// wrapped as the one core module of a component that also declares typed WASI 0.2 imports (the
// interfaces of the jco 0.14.2 wasm-tools component, copied with their type sections), so the
// component reader decodes types, aliases and canonical functions as well as the core module.
// Also: the time to build a hover over one component import from its facts.
//   node bench/component.mjs [--runs N]
import { readFileSync } from 'node:fs';
import {
  bundleSources,
  elapsedMs,
  median,
  realWorldModule,
  removeFolder,
  runsOption,
  scratchFolder,
  sourcePath,
} from './lib.mjs';

const runs = runsOption(7);
const scratch = scratchFolder('component');
const {
  exports: { readBinaryModule, encodeVarUint32 },
} = await bundleSources(scratch, 'component.cjs', [
  `export { readBinaryModule } from ${sourcePath('server/src/core/module/binary')};`,
  `export { encodeVarUint32 } from ${sourcePath('server/src/core/module/byteReader')};`,
]);

const core = readFileSync(await realWorldModule('ffmpeg-core'));
const typed = readFileSync(await realWorldModule('wasm-tools-component'));
// The typed component's sections other than its core modules and nested component, then the big core module.
const sections = [];
for (let pos = 8; pos < typed.length;) {
  const start = pos;
  const id = typed[pos++];
  let size = 0;
  for (let shift = 0; ; shift += 7) {
    const b = typed[pos++];
    size |= (b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  pos += size;
  if (id === 6 || id === 7 || id === 10) sections.push(typed.subarray(start, pos)); // types, aliases, imports
}
const component = Buffer.concat([
  typed.subarray(0, 8),
  ...sections,
  Buffer.from([0x01]),
  Buffer.from(encodeVarUint32(core.length)),
  core,
]);

const coreTimes = [];
const componentTimes = [];
let facts;
for (let i = 0; i < runs; i++) {
  let start = process.hrtime.bigint();
  readBinaryModule(core);
  coreTimes.push(elapsedMs(start));
  start = process.hrtime.bigint();
  facts = readBinaryModule(component);
  componentTimes.push(elapsedMs(start));
}
if (facts.problems.length) throw new Error(`component problems: ${facts.problems[0].message}`);
const fsTypes = facts.components.world.imports.find((i) => i.name.startsWith('wasi:filesystem/types'));
const hoverTimes = [];
for (let i = 0; i < 50; i++) {
  const start = process.hrtime.bigint();
  const text = fsTypes.functions
    .map((f) => `${f.name}: func(${f.params.map((p) => `${p.name}: ${p.type}`).join(', ')})`)
    .join('\n');
  if (!text) throw new Error('no functions');
  hoverTimes.push(elapsedMs(start));
}
const coreMs = median(coreTimes);
const componentMs = median(componentTimes);
console.log(
  `core module ${(core.length / 1e6).toFixed(1)} MB: readBinaryModule median ${coreMs.toFixed(1)} ms (${runs} runs)`,
);
console.log(
  `component ${(component.length / 1e6).toFixed(1)} MB (${facts.components.imports.length} typed imports + that module): median ${componentMs.toFixed(1)} ms, ${(componentMs / coreMs).toFixed(2)}x the core reader`,
);
console.log(
  `hover text of wasi:filesystem/types (${fsTypes.functions.length} functions) from facts: median ${median(hoverTimes).toFixed(3)} ms`,
);
removeFolder(scratch);
