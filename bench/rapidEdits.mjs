// Usage: npm run build && npx tsc -p . && node bench/rapidEdits.mjs [documents=100] [edits=2000] [hovers=250]
// 2,000 rapid edits across 100 mutated .wat documents, hovers in between; then: did every document
// get diagnostics for its last version, and how many hovers were answered?
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const { LspTestClient } = require(root + '/out/test/support/lspClient.js');
const DOCS = Number(process.argv[2] ?? 100),
  EDITS = Number(process.argv[3] ?? 2000),
  HOVERS = Number(process.argv[4] ?? 250);
const base = readFileSync(root + '/examples/' + 'hello.wat', 'utf8');
let seed = 5;
const rnd = (n) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
function mutate(text) {
  const a = [...text];
  const at = rnd(a.length);
  const op = rnd(3);
  if (op === 0) a.splice(at, 1);
  else if (op === 1) a.splice(at, 0, '()$ 1i'[rnd(6)]);
  else a.splice(at, 0, '(block '.repeat(rnd(3)));
  return a.join('');
}
const c = new LspTestClient();
await c.initialize();
const texts = [],
  versions = [];
const t0 = Date.now();
for (let d = 0; d < DOCS; d++) {
  texts[d] = mutate(base);
  versions[d] = 1;
  await c.open(`file:///tmp/e/doc${d}.wat`, texts[d]);
}
const hovers = [];
for (let i = 0; i < EDITS; i++) {
  const d = rnd(DOCS);
  texts[d] = mutate(texts[d]);
  versions[d]++;
  void c.change(`file:///tmp/e/doc${d}.wat`, versions[d], texts[d]);
  if (i % Math.floor(EDITS / HOVERS) === 0 && hovers.length < HOVERS) {
    const sent = Date.now();
    hovers.push(
      Promise.race([
        c.connection
          .sendRequest('textDocument/hover', {
            textDocument: { uri: `file:///tmp/e/doc${d}.wat` },
            position: { line: 1, character: 3 },
          })
          .then(() => Date.now() - sent),
        new Promise((r) => setTimeout(() => r(-1), 10_000)),
      ]),
    );
  }
}
const sentAt = Date.now();
const answered = (await Promise.all(hovers)).filter((ms) => ms >= 0);
let current = 0;
for (let d = 0; d < DOCS; d++) {
  try {
    await c.waitForDiagnostics(
      `file:///tmp/e/doc${d}.wat`,
      (p) => p.version === versions[d],
      Math.max(1000, 60_000 - (Date.now() - sentAt)),
    );
    current++;
  } catch {
    // not current in time: counted as missing
  }
}
console.log(
  JSON.stringify({
    docs: DOCS,
    edits: EDITS,
    hovers: hovers.length,
    hoversAnswered: answered.length,
    hoverMsMedian: answered.sort((a, b) => a - b)[answered.length >> 1],
    docsWithLastVersion: current,
    msAfterLastEdit: Date.now() - sentAt,
    totalMs: Date.now() - t0,
  }),
);
c.kill();
