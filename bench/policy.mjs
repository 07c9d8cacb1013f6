// Policy resolution and validation: what a language server pays per module and per policy edit.
//   node bench/policy.mjs [--runs N]
// Measures (medians of N runs, in-process, on a tree written to a temp folder):
//   cold:    a fresh resolver resolving one module under a 3-file extends chain (read, parse,
//            schema + semantic checks, merge) — what a policy edit costs;
//   warm:    resolving 10,000 module paths spread over 100 folders with one shared resolver;
//   imports: 100,000 checkImport calls against a policy with 60 patterns and 3 capabilities;
//   large:   checking a 900 KB policy (just under the 1 MiB limit) against ajv on the same text
//            (ajv: jsonc-parser parse + a compiled schema; no locations, no semantic checks).
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  bundleSources,
  median,
  removeFolder,
  repo,
  runsOption,
  scratchFolder,
  sourcePath,
  timeMs,
} from './lib.mjs';

const runs = runsOption(7);

const scratch = scratchFolder('policy');
const {
  exports: { PolicyResolver, nodeFileSystem, POLICY_SCHEMA, parse, Ajv },
} = await bundleSources(
  scratch,
  'policy.cjs',
  [
    `export { PolicyResolver } from ${sourcePath('server/src/core/policy/resolver')};`,
    `export { nodeFileSystem } from ${sourcePath('server/src/core/policy/fileSystem')};`,
    `export { POLICY_SCHEMA } from ${sourcePath('server/src/core/policy/schemaCheck')};`,
    `export { parse } from 'jsonc-parser';`,
    `export { default as Ajv } from 'ajv';`,
  ],
  // jsonc-parser's UMD main has requires esbuild cannot follow: use its ES module build (as scripts/build.mjs does).
  { mainFields: ['module', 'main'], nodePaths: [path.join(repo, 'node_modules')] },
);

const ws = path.join(scratch, 'ws');
const write = (rel, text) => {
  mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
  writeFileSync(path.join(ws, rel), text);
};
const patterns = Array.from({ length: 50 }, (_, i) => `"host${i}.fn_*"`).join(', ');
write(
  'base/root.json',
  `{ "imports": { "deny": ["env.system", "env.emscripten_run_script*"] }, "memory": { "maxBytes": "64MiB", "allowShared": false } }`,
);
write(
  'base/mid.json',
  `{ "extends": "root.json", "imports": { "allow": [${patterns}], "capabilities": ["io", "clock", "random"] } }`,
);
write(
  'app/wasm-policy.json',
  `{ // the policy modules use
  "extends": "../base/mid.json",
  "imports": { "allow": ["env.*", "wasi_snapshot_preview1.fd_write", "wasi_snapshot_preview1.path_open"], "otherwise": "warn" },
  "sandbox": { "timeoutMs": 2000, "env": { "LANG": "C" } },
  "rules": { "debug-info": "off" },
  "overrides": [{ "files": ["plugins/**/*.wasm"], "memory": { "maxPages": 256 } }]
}`,
);

const fmt = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);

const modulePath = path.join(ws, 'app/plugins/x/m.wasm');
const cold = median(
  Array.from({ length: runs }, () =>
    timeMs(() => new PolicyResolver(nodeFileSystem, { roots: [ws] }).resolve(modulePath)),
  ),
);
const check = new PolicyResolver(nodeFileSystem, { roots: [ws] }).resolve(modulePath);
if (check.source.kind !== 'file' || check.memory.maxPages !== 256)
  throw new Error(`unexpected resolution ${JSON.stringify(check.source)}`);

const modules = Array.from({ length: 10_000 }, (_, i) => path.join(ws, 'app', `dir${i % 100}`, `m${i}.wasm`));
const warm = median(
  Array.from({ length: runs }, () => {
    const resolver = new PolicyResolver(nodeFileSystem, { roots: [ws] });
    return timeMs(() => modules.forEach((m) => resolver.resolve(m)));
  }),
);

const imports = Array.from({ length: 100_000 }, (_, i) =>
  i % 4 === 0
    ? ['wasi_snapshot_preview1', 'clock_time_get']
    : i % 4 === 1
      ? ['host49', `fn_${i}`]
      : i % 4 === 2
        ? ['other', `f${i}`]
        : ['env', 'system'],
);
const decide = median(
  Array.from({ length: runs }, () => timeMs(() => imports.forEach(([m, n]) => check.checkImport(m, n)))),
);

const rules = Array.from({ length: 30_000 }, (_, i) => `    "rule-${i}": "off"`).join(',\n');
const large = `{\n  "rules": {\n${rules}\n  }\n}\n`;
write('large/wasm-policy.json', large);
const largeFile = path.join(ws, 'large/wasm-policy.json');
const ours = median(
  Array.from({ length: runs }, () =>
    timeMs(() => new PolicyResolver(nodeFileSystem, { roots: [ws] }).problemsOf(largeFile)),
  ),
);
const ajvValidate = new Ajv({ strict: false })
  .addFormat('wasm-size', true)
  .addFormat('import-pattern', true)
  .compile(POLICY_SCHEMA);
const ajv = median(Array.from({ length: runs }, () => timeMs(() => ajvValidate(parse(large)))));

console.log(`policy resolution, medians of ${runs} runs (node ${process.version})`);
console.log(`  cold resolve (3-file extends chain, override): ${fmt(cold)}`);
console.log(
  `  warm resolve, 10,000 modules in 100 folders:   ${fmt(warm)} (${fmt(warm / modules.length)} per module)`,
);
console.log(
  `  checkImport x 100,000 (60 patterns):           ${fmt(decide)} (${fmt(decide / imports.length)} per import)`,
);
console.log(
  `  check a ${(large.length / 1024).toFixed(0)} KB policy: ours ${fmt(ours)} (located problems) vs ajv ${fmt(ajv)} (parse + validate)`,
);
removeFolder(scratch);
