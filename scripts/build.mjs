// Bundles the extension client, the language server, the CLI and the sandbox runner with esbuild.
// `--production` minifies (what the .vsix ships); `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';

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
  external: ['vscode'],
  // jsonc-parser's `main` is a UMD build with dynamic requires esbuild cannot follow; use its ES module build.
  mainFields: ['module', 'main'],
  define: {
    __WASM_WARDEN_VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version),
  },
};

const entries = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js' },
  { entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The sandbox process (forked by core/sandbox/runner.ts; reads nothing outside this file).
  { entryPoints: ['server/src/core/sandbox/child.ts'], outfile: 'dist/sandbox-runner.js' },
  { entryPoints: ['server/src/features/scan/worker.ts'], outfile: 'dist/scan-worker.js' },
  // wabt validation of open .wat documents, beside the server's reading (features/watCompile).
  { entryPoints: ['server/src/features/watCompile/worker.ts'], outfile: 'dist/wat-compile-worker.js' },
  // Component transpiler (jco bindgen; ES module because bindgen finds its .wasm next to itself).
  {
    entryPoints: ['server/src/core/sandbox/component/transpileWorker.ts'],
    outfile: 'dist/component-transpiler.mjs',
    format: 'esm',
    // Bindgen needs no host I/O; preview2-shim's browser build keeps it in memory (no worker file to ship).
    alias: {
      '@bytecodealliance/preview2-shim': './node_modules/@bytecodealliance/preview2-shim/dist/browser',
    },
  },
];

// jco's bindgen is itself a WebAssembly component: its core modules sit beside the transpiler.
mkdirSync('dist', { recursive: true });
for (const name of [
  'js-component-bindgen-component.core.wasm',
  'js-component-bindgen-component.core2.wasm',
  'wasm-tools.core.wasm',
  'wasm-tools.core2.wasm',
])
  copyFileSync(`node_modules/@bytecodealliance/jco-transpile/vendor/${name}`, `dist/${name}`);

const contexts = await Promise.all(entries.map((e) => esbuild.context({ ...common, ...e })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[watch] build started');
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
