// The workloads of the fuel-metering benches (bench/metering.mjs, bench/meteringCompile.mjs): a C
// program compiled here, Yosys and Ruby from npm (fetched with `npm pack` into the system's
// temporary folder once and kept there).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repo } from '../lib.mjs';

export const YOSYS = '0.55.944';
export const RUBY = '2.10.1';

/** bench/metering/cpu.c compiled with Debian clang and wasi-libc into `folder`. */
export function compileC(folder) {
  const file = path.join(folder, 'cpu-src.wasm');
  const cc = spawnSync(
    'clang',
    [
      '--target=wasm32-wasi',
      '-O2',
      '-nodefaultlibs',
      path.join(repo, 'bench/metering/cpu.c'),
      '-lc',
      '-o',
      file,
    ],
    { encoding: 'utf8' },
  );
  if (cc.status !== 0) throw new Error(`clang failed: ${cc.stderr}`);
  return {
    name: 'cpu',
    title: `C workload (bench/metering/cpu.c, ${fs.statSync(file).size} bytes)`,
    file,
    config: { args: ['cpu'] },
  };
}

/** Yosys from npm with its share files written out, and a design for `techmap; stat`; null if it cannot be fetched. */
export async function prepareYosys(folder) {
  const cache = path.join(tmpdir(), `warden-bench-yosys-${YOSYS}`);
  const gen = path.join(cache, 'package', 'gen');
  try {
    if (!fs.existsSync(path.join(gen, 'yosys.core.wasm'))) {
      fs.mkdirSync(cache, { recursive: true });
      execFileSync('npm', ['pack', `@yowasp/yosys@${YOSYS}`, '--pack-destination', cache, '--silent'], {
        cwd: cache,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      execFileSync('tar', ['-xzf', path.join(cache, `yowasp-yosys-${YOSYS}.tgz`), '-C', cache]);
    }
  } catch (error) {
    console.log(`Yosys skipped: could not fetch @yowasp/yosys@${YOSYS} (${error.message})`);
    return null;
  }
  const root = path.join(folder, 'yosys-root');
  const { filesystem } = await import(pathToFileURL(path.join(gen, 'resources-yosys.js')).href);
  writeTree(path.join(root, 'share'), filesystem.share);
  fs.writeFileSync(
    path.join(root, 'design.v'),
    [
      'module top(input [47:0] a, b, c, input [5:0] s, output [95:0] y, output [47:0] z);',
      "  assign y = a * b + {48'd0, c};",
      '  assign z = (a >> s) ^ (b << s) ^ (a + c) ^ (a < b ? c : a - b);',
      'endmodule',
      '',
    ].join('\n'),
  );
  const file = path.join(gen, 'yosys.core.wasm');
  return {
    workload: {
      name: 'yosys',
      title: `Yosys ${YOSYS} (yosys.core.wasm, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB), read_verilog; techmap; stat`,
      file,
      config: { args: ['yosys', '-p', 'read_verilog /design.v; techmap; stat'], preopens: { '/': root } },
    },
  };
}

/**
 * Ruby 3.4 from npm (@ruby/3.4-wasm-wasi, ruby+stdlib.wasm) made a command by the workload runner
 * (its `ruby` mode): a script that prints, and does some hashing and string work; null if it
 * cannot be fetched.
 */
export function prepareRuby() {
  const cache = path.join(tmpdir(), `warden-bench-ruby-${RUBY}`);
  const file = path.join(cache, 'package', 'dist', 'ruby+stdlib.wasm');
  try {
    if (!fs.existsSync(file)) {
      fs.mkdirSync(cache, { recursive: true });
      execFileSync('npm', ['pack', `@ruby/3.4-wasm-wasi@${RUBY}`, '--pack-destination', cache, '--silent'], {
        cwd: cache,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      execFileSync('tar', ['-xzf', path.join(cache, `ruby-3.4-wasm-wasi-${RUBY}.tgz`), '-C', cache]);
    }
  } catch (error) {
    console.log(`Ruby skipped: could not fetch @ruby/3.4-wasm-wasi@${RUBY} (${error.message})`);
    return null;
  }
  const script = [
    'h = {}',
    '100_000.times { |i| h["k#{i}"] = i * i % 7919 }',
    'puts h.values.sum',
    'puts [1, 2, 3].sum',
    'puts "x" * 3',
  ].join('; ');
  return {
    name: 'ruby',
    title: `Ruby 3.4 (@ruby/3.4-wasm-wasi ${RUBY}, ruby+stdlib.wasm, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB), ruby -e '${script}'`,
    file,
    config: { ruby: script },
  };
}

/** Writes the package's resource tree (strings, bytes, or URLs of files beside it) under `dir`. */
function writeTree(dir, tree) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(tree)) {
    const target = path.join(dir, name);
    if (typeof value === 'string' || value instanceof Uint8Array) fs.writeFileSync(target, value);
    else if (value instanceof URL) fs.copyFileSync(value, target);
    else writeTree(target, value);
  }
}

/**
 * `--modes exact,bound,bound-local`: the metered variants a bench compares, with their rewriter
 * options. A mode may end in `@N` (e.g. `bound@64`): bound counting's split threshold
 * (`SPLIT_ABOVE` in core/metering/instrument.ts; `bound@inf` charges only where control must).
 */
export function meteringModes(list) {
  const known = {
    exact: { counting: 'exact' },
    bound: { counting: 'bound' },
    'bound-global': { counting: 'bound', boundCounter: 'global' },
    'bound-local': { counting: 'bound', boundCounter: 'local' },
  };
  const modes = {};
  for (const name of list.split(',')) {
    const [base, split] = name.split('@');
    if (!known[base])
      throw new Error(`unknown metering mode ${name} (known: ${Object.keys(known).join(', ')})`);
    modes[name] = { ...known[base] };
    if (split !== undefined) modes[name].boundSplitAbove = split === 'inf' ? Infinity : Number(split);
  }
  return modes;
}
