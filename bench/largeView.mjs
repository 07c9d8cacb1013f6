// The `.wasm` text view of a large module, over LSP against the bundled server, in the order VS
// Code sends things when a view opens: the `wasmWarden/wasmText` request, then the view document's
// didOpen (which makes the server analyse the module to place its findings), then a small `.wat`
// opened meanwhile. Measures the first lines (`wasmWarden/wasmTextProgress`), the whole text and
// the small file's diagnostics, from the request.
//
//   npm run build && npm run compile-tests
//   node bench/largeView.mjs [FILE.wasm, default .cache/real-world/esbuild-wasm-0.28.2.wasm] [--runs 3] [--written]
//
// --written also sends the file's watcher event right after the view opens, as VS Code does when
// the module was just written.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { args, median, positionalArgument, realWorldCache, repo, runsOption } from './lib.mjs';

const require = createRequire(import.meta.url);
const { LspTestClient } = require(path.join(repo, 'out', 'test', 'support', 'lspClient.js'));

const source = positionalArgument() ?? path.join(realWorldCache, 'esbuild-wasm-0.28.2.wasm');
const runs = runsOption(3);
const written = args.includes('--written');
const now = () => Number(process.hrtime.bigint()) / 1e6;

async function once() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-largeview-'));
  const file = path.join(dir, path.basename(source));
  fs.copyFileSync(source, file);
  const client = new LspTestClient();
  try {
    await client.initialize(dir);
    // Let the start-up workspace scan of the copied module finish first: a user opens the view later.
    await client.waitForDiagnostics(pathToFileURL(file).href, () => true, 120_000);
    const uri = pathToFileURL(file).href;
    const view = `wasm-warden:${encodeURI(file)}.wat`;
    const start = now();
    let firstLines;
    client.connection.onNotification('wasmWarden/wasmTextProgress', () => (firstLines ??= now() - start));
    const whole = client.connection.sendRequest('wasmWarden/wasmText', { uri }).then(() => now() - start);
    if (!process.env.NO_VIEW_OPEN) await client.open(view, ';; Wasm Warden: disassembling…\n');
    // --written: the file was just written, and VS Code's watcher reports it after the view opened
    // (as when a build writes the module, or in the in-editor test).
    if (written)
      client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 2 }] });
    const small = pathToFileURL(path.join(dir, 'small.wat')).href;
    await client.open(small, '(module (import "env" "system" (func (param i32) (result i32))))\n');
    await client.waitForDiagnostics(small, () => true, 120_000);
    const smallWait = now() - start;
    const wholeAt = await whole;
    return { firstLines, whole: wholeAt, smallWait };
  } finally {
    client.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (let i = 0; i < runs; i++) {
  const r = await once();
  results.push(r);
  console.log(
    `run ${i + 1}: first lines ${r.firstLines?.toFixed(0)} ms, whole text ${r.whole.toFixed(0)} ms, small .wat ${r.smallWait.toFixed(0)} ms`,
  );
}
const m = (k) => median(results.map((r) => r[k])).toFixed(0);
console.log(
  `${path.basename(source)}, median of ${runs}: first lines ${m('firstLines')} ms, whole text ${m('whole')} ms, small .wat diagnostics ${m('smallWait')} ms`,
);
