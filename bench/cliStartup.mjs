// CLI start-up: `wasm-warden --version` and `inspect` of a small module against bare `node -e ''`,
// run alternately in one loop so machine load hits all three alike. Median wall time of N runs.
// Usage: node bench/cliStartup.mjs [--runs N] [--baseline OTHER_CHECKOUT]   (after `npm run build`;
// --baseline times another checkout's dist/cli.js alongside, e.g. a build from before a change)
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 15;
const cases = {
  'node -e ""': ['-e', ''],
  'wasm-warden --version': ['dist/cli.js', '--version'],
  'wasm-warden inspect examples/hello.wasm': ['dist/cli.js', 'inspect', 'examples/hello.wasm'],
  'wasm-warden inspect examples/add.wat': ['dist/cli.js', 'inspect', 'examples/add.wat'],
};
const baselineAt = process.argv.indexOf('--baseline');
if (baselineAt > 0) {
  const other = `${process.argv[baselineAt + 1]}/dist/cli.js`;
  cases['baseline --version'] = [other, '--version'];
  cases['baseline inspect examples/hello.wasm'] = [other, 'inspect', 'examples/hello.wasm'];
}
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const start = performance.now();
    const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`${name} exited ${result.status}`);
    times[name].push(performance.now() - start);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bare = median(times['node -e ""']);
for (const [name, xs] of Object.entries(times)) {
  console.log(
    `${name.padEnd(42)} ${median(xs).toFixed(0).padStart(5)} ms  ${(median(xs) / bare).toFixed(2)}x bare node`,
  );
}
