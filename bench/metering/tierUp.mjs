// One measurement for bench/meteringCompile.mjs, in a process of its own: instantiates FILE.wasm
// with stub imports (nothing runs) and has V8 compile each listed function with its optimizing
// compiler, TurboFan, one after another on this thread; prints the CPU milliseconds that took.
//   node --allow-natives-syntax bench/metering/tierUp.mjs FILE.wasm EXPORT...
// (`%WasmTierUpFunction` takes an exported function in Node 20's V8.)
import * as fs from 'node:fs';

/* global WebAssembly */
const [file, ...names] = process.argv.slice(2);
const module = new WebAssembly.Module(fs.readFileSync(file));
const imports = {};
for (const i of WebAssembly.Module.imports(module)) {
  imports[i.module] ??= {};
  if (i.kind === 'function') imports[i.module][i.name] = () => 0;
  else if (i.kind === 'global')
    imports[i.module][i.name] = new WebAssembly.Global({ value: 'i64', mutable: true }, 0n);
  else throw new Error(`no stub for the ${i.kind} import ${i.module}.${i.name}`);
}
const { exports } = new WebAssembly.Instance(module, imports);
const functions = names.map((name) => exports[name]);
// Natives syntax is only parsed with --allow-natives-syntax, so it is compiled here, not imported.
const tierUp = new Function('f', '%WasmTierUpFunction(f)');
const cpu = process.cpuUsage();
for (const f of functions) tierUp(f);
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ cpuMs: (used.user + used.system) / 1000 }));
