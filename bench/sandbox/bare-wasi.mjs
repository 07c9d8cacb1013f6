/* global WebAssembly */
// Baseline for bench/sandbox.mjs: runs a WASI module with bare Node and browser_wasi_shim, no
// sandbox (no separate limits, no permission model, no policy). Usage: node bare-wasi.mjs FILE.wasm
import { readFileSync } from 'node:fs';
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim';

const bytes = readFileSync(process.argv[2]);
const out = (fd) => new ConsoleStdout((data) => process[fd].write(data));
const wasi = new WASI([process.argv[2]], [], [new OpenFile(new File([])), out('stdout'), out('stderr')]);
const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
  wasi_snapshot_preview1: wasi.wasiImport,
});
process.exitCode = wasi.start(instance);
