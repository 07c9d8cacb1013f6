// `wasm-warden check` over the real-world modules and over 1,000 copies of them, on 1 thread and
// on every core, side by side with Debian wabt's `wasm-objdump -x` over the same files (run with
// as many parallel processes as cores). Wall time and peak memory come from GNU time.
//
//   node scripts/fetch-real-world.mjs   # once
//   node bench/check.mjs [--runs 3] [--copies 1000]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median, option, realWorldCache as cache, repo } from './lib.mjs';

const cli = path.join(repo, 'dist', 'cli.js');
const runs = Number(option('--runs', 3));
const copies = Number(option('--copies', 1000));
const cores = os.availableParallelism();

const modules = fs.existsSync(cache) ? fs.readdirSync(cache).filter((f) => f.endsWith('.wasm')) : [];
if (modules.length === 0) {
  console.error('No real-world modules in .cache/real-world: run `node scripts/fetch-real-world.mjs` first.');
  process.exit(1);
}

/** A folder of hard links (no extra disk) to the modules: once each, or `copies` in total. */
function tree(name, count) {
  const dir = path.join(os.tmpdir(), `warden-bench-${name}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const source = modules[i % modules.length];
    const sub = path.join(dir, String(Math.floor(i / 100)));
    fs.mkdirSync(sub, { recursive: true });
    fs.linkSync(path.join(cache, source), path.join(sub, `${i}-${source}`));
  }
  return dir;
}

/** Runs a shell command under GNU time; returns wall seconds and peak RSS (KiB) of the largest process. */
function timed(command) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', 'sh', '-c', `${command} > /dev/null 2>/dev/null`], {
    encoding: 'utf8',
  });
  const [wall, rss] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { wall, rss };
}

function measure(command) {
  const samples = Array.from({ length: runs }, () => timed(command));
  return { wall: median(samples.map((s) => s.wall)), rss: Math.max(...samples.map((s) => s.rss)) };
}

const rows = [];
for (const [label, count] of [
  ['real-world modules', modules.length],
  [`${copies} copies`, copies],
]) {
  const dir = tree(label.replace(/\W+/g, '-'), count);
  const bytes = fs
    .readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, f))
    .filter((f) => f.endsWith('.wasm'))
    .reduce((sum, f) => sum + fs.statSync(f).size, 0);
  const one = measure(`node ${cli} check ${dir} --format json --threads 1`);
  const all = measure(`node ${cli} check ${dir} --format json --threads ${cores}`);
  const objdump = measure(`find ${dir} -name '*.wasm' -print0 | xargs -0 -n 1 -P ${cores} wasm-objdump -x`);
  rows.push({ label, count, mb: bytes / 1e6, one, all, objdump });
  fs.rmSync(dir, { recursive: true, force: true });
}

console.log(`cores: ${cores}, runs: ${runs} (median wall time, max peak RSS of one process)`);
console.log('| files | size | check, 1 thread | check, all cores | wasm-objdump -x, all cores |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  const fmt = (m) => `${m.wall.toFixed(2)} s, ${(m.rss / 1024).toFixed(0)} MB`;
  console.log(
    `| ${r.label} (${r.count}) | ${r.mb.toFixed(0)} MB | ${fmt(r.one)} | ${fmt(r.all)} | ${fmt(r.objdump)} |`,
  );
}
