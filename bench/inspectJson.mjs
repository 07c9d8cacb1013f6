// `wasm-warden inspect --json FILE` against Debian wabt's `wasm-objdump -x FILE`, side by side in one
// loop (alternating, so machine load falls on both alike), on every real-world module of 1 MB and
// more in .cache/real-world (and its large/ folder: duckdb-wasm) plus any FILEs given. Both write
// to /dev/null. Median wall time, and median CPU time (user + system, from /usr/bin/time) of N
// runs; the JSON's size. Also the bare `node -e ''` start-up, for the work after it.
//
//   node scripts/fetch-real-world.mjs && npm run build   # once
//   node bench/inspectJson.mjs [--runs 5] [FILE...]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { args, median, option, realWorldCache, repo } from './lib.mjs';

const runs = Number(option('--runs', 5));
const cli = path.join(repo, 'dist', 'cli.js');
const extra = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs');
const wasmIn = (dir) =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((name) => name.endsWith('.wasm'))
        .map((name) => path.join(dir, name))
    : [];
const cached = [...wasmIn(realWorldCache), ...wasmIn(path.join(realWorldCache, 'large'))];
const files = [...cached.filter((f) => fs.statSync(f).size >= 1 << 20), ...extra].sort(
  (a, b) => fs.statSync(b).size - fs.statSync(a).size,
);
if (files.length === 0) throw new Error('no module of 1 MB or more: run node scripts/fetch-real-world.mjs');

const devNull = fs.openSync('/dev/null', 'w');
const timer = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Wall and CPU seconds of one run (exit 0 or 1: wasm-objdump rejects components, inspect invalid modules). */
function measure(command, commandArgs) {
  const start = process.hrtime.bigint();
  const r = timer
    ? spawnSync(timer, ['-f', '%U %S', command, ...commandArgs], { stdio: ['ignore', devNull, 'pipe'] })
    : spawnSync(command, commandArgs, { stdio: ['ignore', devNull, 'pipe'] });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${command} ${commandArgs.join(' ')}: ${r.stderr}`);
  const times = String(r.stderr).trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: timer ? times[0] + times[1] : NaN };
}

const cases = {
  warden: (file) => [process.execPath, [cli, 'inspect', '--json', file]],
  objdump: (file) => ['wasm-objdump', ['-x', file]],
};
const results = new Map(files.map((f) => [f, { warden: [], objdump: [] }]));
const bare = [];
for (let run = 0; run < runs; run++) {
  bare.push(measure(process.execPath, ['-e', '']));
  for (const file of files) {
    for (const [name, make] of Object.entries(cases)) results.get(file)[name].push(measure(...make(file)));
  }
}

const mb = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`);
const nodeWall = median(bare.map((m) => m.wall));
const nodeCpu = median(bare.map((m) => m.cpu));
console.log(
  `${runs} runs each, medians; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}; bare \`node -e ''\` ${nodeWall.toFixed(2)} / ${nodeCpu.toFixed(2)} s`,
);
console.log(
  '| module | size | JSON | inspect --json wall / CPU | wasm-objdump -x wall / CPU | wall ratio | CPU ratio | after start-up (wall) |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const [file, r] of results) {
  const json = spawnSync(process.execPath, [cli, 'inspect', '--json', file], { maxBuffer: 1 << 30 }).stdout
    .length;
  const w = median(r.warden.map((m) => m.wall));
  const o = median(r.objdump.map((m) => m.wall));
  const cpu = (xs) => median(xs.map((m) => m.cpu));
  const [wc, oc] = [cpu(r.warden), cpu(r.objdump)];
  console.log(
    `| ${path.basename(file)} | ${mb(fs.statSync(file).size)} | ${mb(json)} | ${w.toFixed(2)} / ${wc.toFixed(2)} s | ${o.toFixed(2)} / ${oc.toFixed(2)} s | **${(w / o).toFixed(2)}×** | ${(wc / oc).toFixed(2)}× | ${(w - nodeWall).toFixed(2)} s vs ${o.toFixed(2)} s |`,
  );
}
