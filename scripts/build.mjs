// Bundles the extension client, the language server, the CLI and the sandbox runner with esbuild.
// `--production` minifies (what the .vsix ships); `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  // The extension host provides `vscode`; everything else is bundled.
  // The CycloneDX library's optional XML plugins: tried in turn and skipped when absent (we write JSON only).
  external: ['vscode', 'xmlbuilder2', 'libxmljs2'],
  // jsonc-parser's `main` is a UMD build with dynamic requires esbuild cannot follow; use its ES module build.
  mainFields: ['module', 'main'],
  define: {
    __WASM_WARDEN_VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version),
  },
};

/** Leaves `require('./commands/NAME')` in cli/main.ts to load `dist/cli-NAME.js` at run time. */
const commandsApart = {
  name: 'cli-commands-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/commands\/[A-Za-z]+$/ }, (args) =>
      args.importer.endsWith(path.join('cli', 'main.ts'))
        ? { path: `./cli-${path.basename(args.path)}.js`, external: true }
        : undefined,
    );
  },
};

/** `wabt` is required on first use (core/wat/compile.ts) from a bundle of its own, `dist/wabt.js`. */
const wabtApart = {
  name: 'wabt-apart',
  setup(build) {
    build.onResolve({ filter: /^wabt$/ }, () => ({ path: './wabt.js', external: true }));
  },
};

/**
 * Leaves `require('../inspect/text')` in the inspect command to load `dist/cli-inspect-text.js`
 * only when text is inspected (the WAT reader, wabt's worker, wasmparser: not needed for binaries).
 */
const inspectTextApart = {
  name: 'cli-inspect-text-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/inspect\/text$/ }, () => ({
      path: './cli-inspect-text.js',
      external: true,
    }));
  },
};

const entries = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js' },
  { entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', banner: { js: '#!/usr/bin/env node' } },
  {
    entryPoints: ['server/src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [commandsApart],
  },
  // Each CLI sub-command is a bundle of its own, loaded by dist/cli.js only when it runs.
  ...readdirSync('server/src/cli/commands')
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({
      entryPoints: [`server/src/cli/commands/${file}`],
      outfile: `dist/cli-${path.basename(file, '.ts')}.js`,
      plugins: [inspectTextApart],
    })),
  { entryPoints: ['server/src/cli/inspect/text.ts'], outfile: 'dist/cli-inspect-text.js' },
  // The sandbox process (forked by core/sandbox/runner.ts; reads nothing outside this file).
  { entryPoints: ['server/src/core/sandbox/child.ts'], outfile: 'dist/sandbox-runner.js' },
  { entryPoints: ['server/src/features/scan/worker.ts'], outfile: 'dist/scan-worker.js' },
  // wabt validation of open .wat documents, beside the server's reading (features/watCompile).
  { entryPoints: ['server/src/workers/watCompile/worker.ts'], outfile: 'dist/wat-compile-worker.js' },
  // Large .wat documents read and checked whole, off the server's thread (workers/textAnalysis).
  { entryPoints: ['server/src/workers/textAnalysis/worker.ts'], outfile: 'dist/wat-analysis-worker.js' },
  // The .wasm text view's disassembler, bounded in time and memory (features/disasm).
  { entryPoints: ['server/src/features/disasm/worker.ts'], outfile: 'dist/disasm-worker.js' },
  // Component transpiler (jco bindgen; ES module because bindgen finds its .wasm next to itself).
  {
    entryPoints: ['server/src/core/jco/worker.ts'],
    outfile: 'dist/component-transpiler.mjs',
    format: 'esm',
    // Bindgen needs no host I/O; preview2-shim's browser build keeps it in memory (no worker file to ship).
    alias: {
      '@bytecodealliance/preview2-shim': './node_modules/@bytecodealliance/preview2-shim/dist/browser',
    },
  },
];

entries.push({ entryPoints: ['node_modules/wabt/index.js'], outfile: 'dist/wabt.js' });

// jco's bindgen is itself a WebAssembly component: its core modules sit beside the transpiler.
mkdirSync('dist', { recursive: true });
for (const name of [
  'js-component-bindgen-component.core.wasm',
  'js-component-bindgen-component.core2.wasm',
  'wasm-tools.core.wasm',
  'wasm-tools.core2.wasm',
])
  copyFileSync(`node_modules/@bytecodealliance/jco-transpile/vendor/${name}`, `dist/${name}`);

const contexts = await Promise.all(
  entries.map((e) =>
    esbuild.context({
      ...common,
      ...e,
      plugins: [...(e.plugins ?? []), ...(e.outfile === 'dist/wabt.js' ? [] : [wabtApart])],
    }),
  ),
);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[watch] build started');
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
