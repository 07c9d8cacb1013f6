// A huge `.wat` in the editor, over LSP against the bundled server (dist/server.js): sql.js's
// module printed by `wasm2wat` (14 MB, nesting 300 blocks deep, which wabt's npm build cannot
// parse). Measures the time from didOpen to the big file's first and complete publishes, and the
// time a small `.wat` opened 300 ms after the big one waits for its diagnostics.
//
//   npm run build && npm run compile-tests
//   wasm2wat --enable-all .cache/real-world/sql.js-1.16.0.wasm -o /tmp/sqljs.wat
//   node bench/largeWat.mjs /tmp/sqljs.wat [--runs 3]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { median, positionalArgument, repo, runsOption } from './lib.mjs';

const require = createRequire(import.meta.url);
const { LspTestClient } = require(path.join(repo, 'out', 'test', 'support', 'lspClient.js'));

const file = positionalArgument();
if (!file) throw new Error('usage: node bench/largeWat.mjs BIG.wat [--runs N]');
const runs = runsOption(3);
const now = () => Number(process.hrtime.bigint()) / 1e6;
const SMALL = '(module\n  (import "env" "system" (func $system (param i32) (result i32)))\n  (memory 1)\n)\n';

async function once(text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-largewat-'));
  const client = new LspTestClient();
  try {
    await client.initialize(dir);
    const big = pathToFileURL(path.join(dir, 'big.wat')).href;
    const small = pathToFileURL(path.join(dir, 'small.wat')).href;
    const start = now();
    await client.open(big, text);
    let first;
    let complete;
    const bigDone = (async () => {
      const early = await client.waitForDiagnostics(big, () => true, 120_000);
      first = now() - start;
      const seen = client.publishHistory.filter((p) => p.uri === big).length;
      // A big file is published twice (the reader's findings, then every finding) unless both come together.
      await client.waitForDiagnostics(
        big,
        () =>
          client.publishHistory.filter((p) => p.uri === big).length > seen ||
          early.diagnostics.some((d) => /wabt/.test(d.message)),
        120_000,
      );
      complete = now() - start;
      return client.published.get(big);
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const smallStart = now();
    await client.open(small, SMALL);
    await client.waitForDiagnostics(small, () => true, 120_000);
    const smallWait = now() - smallStart;
    const final = await bigDone;
    return {
      first,
      complete,
      smallWait,
      diagnostics: final.diagnostics.map((d) => `${d.code}: ${d.message.slice(0, 100)}`),
    };
  } finally {
    client.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const text = fs.readFileSync(file, 'utf8');
const results = [];
for (let i = 0; i < runs; i++) {
  const r = await once(text);
  results.push(r);
  console.log(
    `run ${i + 1}: first publish ${r.first.toFixed(0)} ms, complete ${r.complete.toFixed(0)} ms, small file ${r.smallWait.toFixed(0)} ms`,
  );
}
console.log(
  `${path.basename(file)} (${(text.length / 1048576).toFixed(1)} MiB), median of ${runs}: first publish ${median(results.map((r) => r.first)).toFixed(0)} ms, complete ${median(results.map((r) => r.complete)).toFixed(0)} ms, small .wat opened 300 ms later ${median(results.map((r) => r.smallWait)).toFixed(0)} ms`,
);
console.log('diagnostics of the last run:\n  ' + results.at(-1).diagnostics.join('\n  '));
