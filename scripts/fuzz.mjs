#!/usr/bin/env node
// The fuzzing harness: `npm run fuzz -- --seed S --runs N [--targets a,b] [--budget-ms MS]
// [--cli] [--server N] [--save DIR]`. Runs on the compiled tests (out/), so `npm run fuzz` builds
// first. Exits 1 when anything was found; reproducers go to --save (default test/fixtures/fuzz/found).
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { runFuzz } = require(path.join(root, 'out/test/fuzz/harness.js'));

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : args[i + 1];
};
const summary = await runFuzz({
  seed: Number(option('seed', '1')),
  runs: Number(option('runs', '1000')),
  targets: option('targets') ? option('targets').split(',') : undefined,
  budgetMs: Number(option('budget-ms', '5000')),
  cli: args.includes('--cli'),
  serverInputs: Number(option('server', '0')),
  saveTo: path.resolve(option('save', path.join(root, 'test/fixtures/fuzz/found'))),
  log: (line) => console.log(line),
});
console.log(
  `\n${summary.total} inputs in ${(summary.ms / 1000).toFixed(1)} s: ${JSON.stringify(summary.inputs)}`,
);
const byKind = {};
for (const f of summary.findings)
  byKind[`${f.target} ${f.kind}`] = (byKind[`${f.target} ${f.kind}`] ?? 0) + 1;
console.log(
  `${summary.findings.length} findings${summary.findings.length ? `: ${JSON.stringify(byKind)}` : ''}`,
);
process.exit(summary.findings.length ? 1 : 0);
