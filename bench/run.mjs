// Runs every benchmark in bench/ (each *.mjs but this one and lib.mjs, their shared helpers), one
// after the other, in name order.
// `npm run bench` builds first and then runs this. Each benchmark runs with its defaults (their
// options differ); run one directly with `node bench/NAME.mjs ...` to pass options.
// `node bench/run.mjs facts signing` runs only the benchmarks whose names contain those words.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && f !== 'lib.mjs')
  .filter((f) => process.argv.length <= 2 || process.argv.slice(2).some((word) => f.includes(word)))
  .sort();
let failed = 0;
for (const bench of benches) {
  console.log(`\n== ${bench}`);
  const result = spawnSync(process.execPath, [path.join(here, bench)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    failed++;
    console.error(`${bench} failed (exit ${result.status ?? result.signal})`);
  }
}
process.exitCode = failed ? 1 : 0;
