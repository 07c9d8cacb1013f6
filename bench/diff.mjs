// `wasm-warden diff` of two 30 MB modules (ffmpeg-core and a copy with a section appended), and
// `check --baseline` against plain `check` over the real-world modules, side by side in one run.
// Reference: Debian wabt's `wasm-objdump -x` of both modules (what one would diff by hand).
//
//   node scripts/fetch-real-world.mjs && npm run build   # once
//   node bench/diff.mjs [--runs 5]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  bundleSources,
  measureCpu,
  median,
  option,
  realWorldCache as cache,
  realWorldModule,
  repo,
  scratchFolder,
  sourcePath,
  removeFolder,
} from './lib.mjs';

const cli = path.join(repo, 'dist', 'cli.js');
const runs = Number(option('--runs', 5));

function wall(command, args, cwd) {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${command} ${args.join(' ')}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function medianOf(fn) {
  return median(Array.from({ length: runs }, fn));
}

const scratch = scratchFolder('diff');
try {
  // 1. Two 30 MB modules.
  const ffmpeg = await realWorldModule('ffmpeg-core');
  const changed = path.join(scratch, 'ffmpeg-changed.wasm');
  const extra = Buffer.from([0, 8, 4, ...Buffer.from('note'), 1, 2, 3]);
  fs.writeFileSync(changed, Buffer.concat([fs.readFileSync(ffmpeg), extra]));
  const mb = (fs.statSync(ffmpeg).size / 1e6).toFixed(1);
  const diff = medianOf(() => wall(process.execPath, [cli, 'diff', ffmpeg, changed]));
  const diffJson = medianOf(() => wall(process.execPath, [cli, 'diff', '--json', ffmpeg, changed]));
  const objdump = medianOf(
    () => wall('wasm-objdump', ['-x', ffmpeg]) + wall('wasm-objdump', ['-x', changed]),
  );
  const startup = medianOf(() => wall(process.execPath, [cli, '--version']));
  // In process: both files' facts and surfaces, and the diff, on bytes already read.
  const { exports: lib } = await bundleSources(scratch, 'diff-lib.cjs', [
    `export { surfaceFromBytes } from ${sourcePath('server/src/core/diff/fromBytes.ts')};`,
    `export { diffSurfaces } from ${sourcePath('server/src/core/diff/diffSurfaces.ts')};`,
    `export { formatDiffText } from ${sourcePath('server/src/core/diff/format.ts')};`,
  ]);
  const [oldBytes, newBytes] = [fs.readFileSync(ffmpeg), fs.readFileSync(changed)];
  const inProcess = Array.from({ length: runs }, () =>
    measureCpu(() =>
      lib.formatDiffText(lib.diffSurfaces(lib.surfaceFromBytes(oldBytes), lib.surfaceFromBytes(newBytes)), {
        before: 'a',
        after: 'b',
      }),
    ),
  );
  console.log(
    `diff of two ${mb} MB modules, in process (read facts of both, diff, format; median of ${runs}):`,
  );
  console.log(
    `  ${median(inProcess.map((r) => r.wall)).toFixed(0)} ms wall, ${median(inProcess.map((r) => r.cpu)).toFixed(0)} ms CPU`,
  );
  console.log(`diff of two ${mb} MB modules (median of ${runs}, wall, whole process):`);
  console.log(`  wasm-warden diff         ${diff.toFixed(2)} s`);
  console.log(`  wasm-warden diff --json  ${diffJson.toFixed(2)} s`);
  console.log(`  wasm-warden --version    ${startup.toFixed(2)} s (process start alone)`);
  console.log(`  wasm-objdump -x, both    ${objdump.toFixed(2)} s`);

  // 2. check --baseline over the real-world modules: the baseline is a folder of the same files.
  const modules = fs.readdirSync(cache).filter((f) => f.endsWith('.wasm'));
  const now = path.join(scratch, 'now');
  const base = path.join(scratch, 'base');
  for (const dir of [now, base]) {
    fs.mkdirSync(dir);
    for (const m of modules) fs.linkSync(path.join(cache, m), path.join(dir, m));
  }
  const plain = [];
  const withBaseline = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, so machine load hits both alike.
    plain.push(wall(process.execPath, [cli, 'check', '--format', 'json', 'now'], scratch));
    withBaseline.push(
      wall(process.execPath, [cli, 'check', '--format', 'json', '--baseline', 'base', 'now'], scratch),
    );
  }
  const p = median(plain);
  const b = median(withBaseline);
  console.log(`check over ${modules.length} real-world modules (median of ${runs}, wall):`);
  console.log(`  check                    ${p.toFixed(2)} s`);
  console.log(`  check --baseline DIR     ${b.toFixed(2)} s  (${(b / p).toFixed(2)}x)`);
} finally {
  removeFolder(scratch);
}
