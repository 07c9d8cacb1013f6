// The `.wasm` view of a component against `wasm-tools print` (jco-transpile's build, the reference
// printer), side by side in one process on the two jco 0.14.2 components (fetched by
// scripts/fetch-real-world.mjs); and the hover on a component import in the view, built the way
// the server builds it (the item under the line's byte offset, its interface, the policy's verdict
// per function).
//   node bench/componentView.mjs [--runs N]
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

const runs = runsOption(3);
const scratch = scratchFolder('component-view');
const {
  exports: { disassemble, readBinaryModule, hoverMarkdown, PolicyResolver, MemoryFileSystem },
} = await bundleSources(
  scratch,
  'component-view.cjs',
  [
    `export { disassemble } from ${sourcePath('server/src/core/disasm/disassemble')};`,
    `export { readBinaryModule } from ${sourcePath('server/src/core/module/binary')};`,
    `export { hoverMarkdown } from ${sourcePath('server/src/features/hover')};`,
    `export { PolicyResolver } from ${sourcePath('server/src/core/policy/resolver')};`,
    `export { MemoryFileSystem } from ${sourcePath('test/unit/policyMemoryFs')};`,
  ],
  { mainFields: ['module', 'main'], external: ['@bytecodealliance/jco-transpile'] },
);
const wasmTools = await import('@bytecodealliance/jco-transpile/wasm-tools');

const policy = new PolicyResolver(
  new MemoryFileSystem({
    '/bench/wasm-policy.json': JSON.stringify({
      imports: {
        capabilities: ['io', 'filesystem', 'environment', 'process', 'clock', 'random'],
        deny: ['wasi:filesystem/types@0.2.*#[method]descriptor.write-via-stream'],
      },
    }),
  }),
  { roots: ['/bench'] },
).resolve('/bench/m.wasm');

for (const id of ['wasm-tools-component', 'jco-bindgen-component']) {
  const bytes = readFileSync(await realWorldModule(id));
  const ours = [];
  const theirs = [];
  let lines = 0;
  let referenceLines = 0;
  for (let i = 0; i < runs; i++) {
    let start = process.hrtime.bigint();
    lines = disassemble(bytes).lines.length;
    ours.push(elapsedMs(start));
    start = process.hrtime.bigint();
    referenceLines = (await wasmTools.print(bytes)).split('\n').length;
    theirs.push(elapsedMs(start));
  }
  const facts = readBinaryModule(bytes);
  const result = { uri: 'file:///bench/m.wasm', source: 'binary', facts: [facts], findings: [], policy };
  const hovers = [];
  for (let i = 0; i < 5; i++)
    for (const imp of facts.components.imports) {
      const start = process.hrtime.bigint();
      const text = hoverMarkdown(result, { kind: 'binary', offset: imp.location.offset });
      hovers.push(elapsedMs(start));
      if (!text?.startsWith('**import**')) throw new Error(`no hover for ${imp.name}`);
    }
  const mb = (bytes.length / 1e6).toFixed(1);
  console.log(
    `${id} (${mb} MB): view median ${median(ours).toFixed(0)} ms (${lines} lines, function bodies cut to the view's limits), wasm-tools print median ${median(theirs).toFixed(0)} ms (${referenceLines} lines); ${runs} runs`,
  );
  console.log(
    `  hover on a component import (${hovers.length} hovers over ${facts.components.imports.length} imports): median ${median(hovers).toFixed(2)} ms, max ${Math.max(...hovers).toFixed(1)} ms`,
  );
}
removeFolder(scratch);
