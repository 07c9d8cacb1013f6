// Helpers shared by the benchmarks in bench/ (not a benchmark itself: bench/run.mjs skips it):
// the repository's paths, command-line options, bundling the sources on the fly, timing and medians.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

/** The repository's root folder. */
export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where scripts/fetch-real-world.mjs keeps the real-world modules. */
export const realWorldCache = path.join(repo, '.cache', 'real-world');

/** The command-line arguments after `node bench/NAME.mjs`. */
export const args = process.argv.slice(2);

/** The value after `name` on the command line (a string), or `fallback` when `name` is not there. */
export function option(name, fallback) {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
}

/** `--runs N`: how many timed runs (`fallback` when not given). */
export function runsOption(fallback) {
  return Number(option('--runs', fallback));
}

/** The first argument that is neither an option nor the value of `--runs` (a file to measure). */
export function positionalArgument() {
  return args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs');
}

/** A real-world module (fetched into .cache/real-world by scripts/fetch-real-world.mjs if not there yet). */
export async function realWorldModule(id) {
  const { REAL_WORLD_MODULES, fetchOne } = await import(
    pathToFileURL(path.join(repo, 'scripts/fetch-real-world.mjs')).href
  );
  return fetchOne(
    REAL_WORLD_MODULES.find((m) => m.id === id),
    (m) => console.error(m),
  );
}

/** A new temporary folder `warden-bench-NAME-…`. */
export function scratchFolder(name) {
  return mkdtempSync(path.join(tmpdir(), `warden-bench-${name}-`));
}

/** A source file of the repository, as a string literal for an `export … from` line. */
export const sourcePath = (relative) => JSON.stringify(path.join(repo, relative));

/**
 * Bundles the sources on the fly (the same code dist/ ships, no compile step needed) into
 * `folder/outName` as CommonJS for Node, and loads it. `entry` is a source file, or the lines of an
 * entry module (`export { x } from ${sourcePath('server/src/core/…')};`) written to `folder`.
 * `options` are added to esbuild's (e.g. `mainFields` for jsonc-parser, as scripts/build.mjs).
 * Returns the bundle's path (for runner scripts that `require` it) and its exports.
 */
export async function bundleSources(folder, outName, entry, options = {}) {
  let entryPoint = entry;
  if (Array.isArray(entry)) {
    entryPoint = path.join(folder, 'entry.ts');
    writeFileSync(entryPoint, entry.join('\n') + '\n');
  }
  const file = path.join(folder, outName);
  await esbuild.build({
    entryPoints: [entryPoint],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'warning',
    ...options,
  });
  return { file, exports: (await import(pathToFileURL(file).href)).default };
}

/** Removes a folder and everything in it, if it is there. */
export function removeFolder(folder) {
  rmSync(folder, { recursive: true, force: true });
}

/** Milliseconds since `start` (a `process.hrtime.bigint()`). */
export const elapsedMs = (start) => Number(process.hrtime.bigint() - start) / 1e6;

/** Wall-clock milliseconds that `fn()` takes. */
export function timeMs(fn) {
  const start = process.hrtime.bigint();
  fn();
  return elapsedMs(start);
}

/**
 * Runs `step` once: its result, the CPU time of this process meanwhile (user + system, in ms; other
 * processes on a shared machine do not inflate it the way they inflate wall time) and the wall time.
 */
export function measureCpu(step) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = step();
  const wall = elapsedMs(start);
  const used = process.cpuUsage(cpu);
  return { result, cpu: (used.user + used.system) / 1000, wall };
}

/** The median of `values` (of an even count, the upper of the two middle values). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
