// Reachability and navigation on real modules, side by side with references in one run:
//   call graph: buildCallGraph + analyseReachability (never-called imports, every export's imports)
//     on a ~30 MB module (@ffmpeg/core 0.12.10 by default), beside this project's own lazy body
//     scan of the same bytes (the pass every code rule already pays) and `wasm-objdump -d` of the
//     same file to /dev/null (wabt's disassembly, the reference tool the call sites are tested against);
//   navigation: the index of a large `.wat` (the `.wasm` view of sql.js, ~5 MB of text) and
//     references on an import once the index exists.
//   node bench/reach.mjs [module.wasm] [--runs N]
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import {
  bundleSources,
  elapsedMs,
  median,
  positionalArgument,
  realWorldModule,
  removeFolder,
  runsOption,
  scratchFolder,
  sourcePath,
} from './lib.mjs';

const runs = runsOption(5);
const file = positionalArgument() ?? (await realWorldModule('ffmpeg-core'));
const scratch = scratchFolder('reach');
const {
  exports: {
    readBinaryModule,
    scanFunctionBodies,
    buildCallGraph,
    analyseReachability,
    disassemble,
    buildNavigationIndex,
  },
} = await bundleSources(scratch, 'reach.cjs', [
  `export { readBinaryModule } from ${sourcePath('server/src/core/module/binary')};`,
  `export { scanFunctionBodies } from ${sourcePath('server/src/core/module/code')};`,
  `export { buildCallGraph } from ${sourcePath('server/src/core/reach/callGraph')};`,
  `export { analyseReachability } from ${sourcePath('server/src/core/reach/reachability')};`,
  `export { disassemble } from ${sourcePath('server/src/core/disasm/disassemble')};`,
  `export { buildNavigationIndex } from ${sourcePath('server/src/core/wat/navigationIndex')};`,
]);

const bytes = readFileSync(file);
const facts = readBinaryModule(bytes);
const time = (fn) => {
  const start = process.hrtime.bigint();
  const value = fn();
  return { ms: elapsedMs(start), value };
};
const graphMs = [];
const reachMs = [];
const scanMs = [];
let summary;
for (let i = 0; i < runs; i++) {
  scanMs.push(time(() => scanFunctionBodies(bytes, { facts, collect: false })).ms);
  const g = time(() => buildCallGraph(facts, bytes));
  graphMs.push(g.ms);
  const r = time(() => {
    const reach = analyseReachability(g.value);
    const never = reach.neverCalled();
    for (const e of g.value.entries) reach.importsReachedFrom(e.funcIndex);
    return {
      never,
      sites: g.value.sites.caller.length,
      functions: g.value.functionCount,
      imports: g.value.importCount,
    };
  });
  reachMs.push(r.ms);
  summary = r.value;
}
const objdump = time(() =>
  spawnSync('wasm-objdump', ['-d', file], { stdio: ['ignore', 'ignore', 'ignore'] }),
);
console.log(
  `${path.basename(file)}: ${(statSync(file).size / 1e6).toFixed(1)} MB, ${summary.functions} functions, ${summary.imports} imported, ${summary.sites} call sites, ${summary.never.length} imports never called`,
);
console.log(
  `  call graph (build)            median ${median(graphMs).toFixed(0)} ms  (runs: ${graphMs.map((m) => m.toFixed(0)).join(', ')})`,
);
console.log(`  reachability (all exports)    median ${median(reachMs).toFixed(0)} ms`);
console.log(`  body scan (same bytes)        median ${median(scanMs).toFixed(0)} ms`);
console.log(
  `  wasm-objdump -d > /dev/null   ${objdump.ms.toFixed(0)} ms (one run, exit ${objdump.value.status})`,
);

const sql = readFileSync(await realWorldModule('sql.js'));
const text = disassemble(sql).text;
const index = time(() => buildNavigationIndex(text));
const importSymbol = index.value.symbols.find((s) => s.space === 'func' && s.imported);
const refs = [];
let count = 0;
for (let i = 0; i < runs; i++) {
  const r = time(() => {
    // A fresh bySymbol map each time would be cheating the other way: the first query builds it.
    return index.value.referencesTo(importSymbol.id).length;
  });
  refs.push(r.ms);
  count = r.value;
}
console.log(`sql.js .wasm view: ${(text.length / 1e6).toFixed(1)} M characters`);
console.log(`  navigation index (build)      ${index.ms.toFixed(0)} ms`);
console.log(
  `  references on ${importSymbol.name} (${count})  first ${refs[0].toFixed(2)} ms, then median ${median(refs.slice(1)).toFixed(3)} ms`,
);
removeFolder(scratch);
