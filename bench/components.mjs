// Component run benchmarks (figures in BENCHMARKS.md, "Components in the sandbox"):
// 1. The first run's transpile (jco bindgen in its own process) of each component fixture.
// 2. Start of a cached component run against a core module of the same size: the same C hello
//    world, once as a preview1 core module (clang + wasi-libc) and once as the committed component
//    (that module + the preview1 command adapter). Both through the sandbox runner as the language
//    server calls it, alternating; time to the first output chunk and to the report.
// 3. What the sandbox does with a cached component's glue: compile it as a script (as it does) or
//    import it as an ES module from a data: URL (as it did before), each in a fresh Node process.
// Needs `npm run build` (dist/) and `npx tsc -p .` (out/). Usage: node bench/components.mjs [RUNS]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileWasiC } from '../scripts/wasi-clang.mjs';
import { args, repo } from './lib.mjs';

const require = createRequire(import.meta.url);
const { startSandboxRun } = require(path.join(repo, 'out/server/src/core/sandbox/runner.js'));
const { DEFAULT_SANDBOX_POLICY } = require(path.join(repo, 'out/server/src/core/sandbox/defaults.js'));
const { transpileComponent } = require(path.join(repo, 'out/server/src/core/sandbox/component/transpile.js'));
const runs = Number(args[0]) || 11;
const runner = path.join(repo, 'dist/sandbox-runner.js');
const fixtures = path.join(repo, 'test/fixtures/components');
const temp = mkdtempSync(path.join(tmpdir(), 'ww-bench-components-'));
const cacheDir = path.join(temp, 'cache');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  console.log('First run: transpile (bindgen process, uncached)');
  for (const name of ['hello', 'files', 'handler']) {
    const file = path.join(fixtures, `${name}.component.wasm`);
    const t0 = performance.now();
    const result = await transpileComponent(readFileSync(file), { cacheDir });
    if ('error' in result) throw new Error(result.error);
    console.log(
      `  ${name}.component.wasm (${statSync(file).size} B): ${(performance.now() - t0).toFixed(0)} ms`,
    );
  }

  const core = path.join(temp, 'hello.wasm');
  compileWasiC(path.join(fixtures, 'src/hello.c'), core);
  const component = path.join(fixtures, 'hello.component.wasm');

  const once = async (file) => {
    const t0 = performance.now();
    let first;
    const report = await startSandboxRun({
      file,
      policy: DEFAULT_SANDBOX_POLICY,
      runnerScript: runner,
      componentCacheDir: cacheDir,
      onOutput: () => (first ??= performance.now() - t0),
    }).done;
    if (report.outcome.kind !== 'exit' || report.outcome.code !== 0)
      throw new Error(JSON.stringify(report.outcome));
    return { first, total: performance.now() - t0 };
  };
  const times = { core: [], component: [] };
  await once(core);
  await once(component);
  for (let i = 0; i < runs; i++) {
    times.core.push(await once(core));
    times.component.push(await once(component));
  }
  console.log(`\nCached start, median of ${runs} alternating runs (first output / report)`);
  const row = (label, file, xs) =>
    console.log(
      `  ${label} (${statSync(file).size} B): ${median(xs.map((x) => x.first)).toFixed(0)} ms / ${median(xs.map((x) => x.total)).toFixed(0)} ms`,
    );
  row('core module', core, times.core);
  row('component  ', component, times.component);
  const ratio = median(times.component.map((x) => x.first)) / median(times.core.map((x) => x.first));
  console.log(`  ratio (first output): ${ratio.toFixed(2)}x (target ≤ 1.5x)`);

  const glue = await transpileComponent(readFileSync(component), { cacheDir });
  const glueFile = path.join(temp, 'component.js');
  writeFileSync(glueFile, glue.js);
  const loadGlue = (how) => {
    const code = `
      const js = require('node:fs').readFileSync(${JSON.stringify(glueFile)}, 'utf8');
      const t0 = performance.now();
      const done = () => console.log(performance.now() - t0);
      if (${JSON.stringify(how)} === 'script') {
        const body = js.replace(/^export function instantiate\\b/m, 'function instantiate').replace(/^export const _util\\b/m, 'const _util');
        new (require('node:vm').Script)('(function () {\\n"use strict";\\n' + body + '\\nreturn instantiate;\\n})').runInThisContext()();
        done();
      } else import('data:text/javascript;base64,' + Buffer.from(js).toString('base64')).then(done);`;
    return Number(execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' }));
  };
  const loads = { script: [], module: [] };
  for (let i = 0; i < runs; i++) {
    loads.script.push(loadGlue('script'));
    loads.module.push(loadGlue('module'));
  }
  console.log(
    `\nLoading the cached glue (${glue.js.length} chars), median of ${runs} alternating fresh processes`,
  );
  console.log(`  as a script (vm.Script):         ${median(loads.script).toFixed(1)} ms`);
  console.log(`  as an ES module (data: import):  ${median(loads.module).toFixed(1)} ms`);
} finally {
  rmSync(temp, { recursive: true, force: true });
}
