// One measured run for bench/metering.mjs, in a process of its own (a fresh engine, as the sandbox
// has): compiles the module, runs it under Node's WASI twice (cold: baseline code and tier-up as in
// a real run; warm: the same compiled module again) and prints JSON: times, a digest of the output
// and the fuel used. With a third argument N, N more runs after those: "steady" is the median of
// the last N - 1 (tier-up done, as in a long run). The clock and the random bytes are fixed, so the
// same program does the same work every run.
//   node bench/metering/runWorkload.mjs FILE.wasm metered|plain '{"args":[...],"preopens":{...}}' [N]
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WASI } from 'node:wasi';

/* global WebAssembly, performance, TextEncoder */
const [file, variant, config, steadyRuns = '0'] = process.argv.slice(2);
const { args = ['workload'], preopens = {}, ruby } = JSON.parse(config ?? '{}');
const UNLIMITED = 1n << 62n;
const SAMPLE_EVERY = 4_000_000n;
const out = path.join(path.dirname(file), `out-${process.pid}.txt`);

const compileStart = performance.now();
const module = new WebAssembly.Module(fs.readFileSync(file));
const compileMs = performance.now() - compileStart;

function once() {
  const fd = fs.openSync(out, 'w');
  const wasi = new WASI({ version: 'preview1', args, preopens, stdout: fd, stderr: fd, returnOnExit: true });
  // A fixed clock: programs that time themselves (Yosys prints its CPU time) do the same work,
  // and print the same text, on every run.
  let memory;
  const clock_time_get = (_id, _precision, at) => {
    new DataView(memory.buffer).setBigUint64(at, 1_000_000_000n, true);
    return 0;
  };
  // Fixed "random" bytes too: Ruby seeds its hashes from random_get, which changes its work.
  let seed = 0x2545f491;
  const random_get = (at, length) => {
    const bytes = new Uint8Array(memory.buffer, at, length);
    for (let i = 0; i < length; i++) {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      bytes[i] = seed & 0xff;
    }
    return 0;
  };
  // And the stat of stdout and stderr (a fresh file each run) without its device, inode and times.
  const fd_filestat_get = (fd, at) => {
    const result = wasi.wasiImport.fd_filestat_get(fd, at);
    if (result === 0 && (fd === 1 || fd === 2))
      for (const field of [0, 8, 40, 48, 56]) new DataView(memory.buffer).setBigUint64(at + field, 0n, true);
    return result;
  };
  const imports = {
    wasi_snapshot_preview1: { ...wasi.wasiImport, clock_time_get, random_get, fd_filestat_get },
  };
  // The counter of a module metered without a profile (checks against zero): SAMPLE_EVERY units
  // at a time, the rest kept aside; what the sandbox's hook does at the least is the next step.
  const fuel = new WebAssembly.Global({ value: "i64", mutable: true }, process.env.THR ? UNLIMITED : SAMPLE_EVERY);
  let reserve = process.env.THR ? 0n : UNLIMITED - SAMPLE_EVERY;
  if (variant === 'metered') {
    const threshold = new WebAssembly.Global({ value: 'i64', mutable: true }, 0n);
    const sample = () => {
      reserve += fuel.value - SAMPLE_EVERY;
      fuel.value = SAMPLE_EVERY;
      return 0;
    };
    imports['wasm-warden:meter'] = { fuel, threshold, sample };
  }
  if (ruby) Object.assign(imports, rubyHostImports());
  const start = performance.now();
  const cpu = process.cpuUsage();
  const instance = new WebAssembly.Instance(module, imports);
  memory = instance.exports.memory;
  const exitCode = ruby ? runRuby(wasi, instance, ruby) : wasi.start(instance);
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  // CPU time of this process (all its threads, compilers included): waiting for a core on a
  // loaded machine does not count, as it does in wall time.
  const cpuMs = (used.user + used.system) / 1000;
  try {
    fs.closeSync(fd);
  } catch {
    // the program closed its stdout itself (Yosys does at exit), which closed this descriptor
  }
  const text = fs.readFileSync(out, 'utf8');
  fs.rmSync(out);
  return { ms, cpuMs, exitCode, text, fuel: String(UNLIMITED - fuel.value - reserve) };
}

const cold = once();
const warm = once();
const more = Array.from({ length: Number(steadyRuns) }, once);
const middle = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const steady = more.slice(1);
const digest = (t) => createHash('sha256').update(t).digest('hex').slice(0, 16);
process.stdout.write(
  JSON.stringify({
    compileMs,
    coldMs: cold.ms,
    warmMs: warm.ms,
    coldCpuMs: cold.cpuMs,
    warmCpuMs: warm.cpuMs,
    exitCode: cold.exitCode,
    output: digest(cold.text),
    sameTwice: [warm, ...more].every((r) => r.text === cold.text),
    ...(steady.length > 0 && {
      steadyMs: middle(steady.map((r) => r.ms)),
      steadyCpuMs: middle(steady.map((r) => r.cpuMs)),
    }),
    lastLine: cold.text.trim().split('\n').pop(),
    fuel: variant === 'metered' ? cold.fuel : undefined,
    fuelTwice:
      variant === 'metered' && [warm, ...more].every((r) => r.fuel === cold.fuel) ? warm.fuel : 'differs',
  }) + '\n',
);

/**
 * ruby.wasm from npm is a reactor for its JavaScript package, not a command: made one here with
 * what that package does (its bindings' canonical ABI): `_initialize`, `ruby-init` with the
 * package's default arguments, then `rb-eval-string-protect` of the script and of a flush of its output (WASI's stdout).
 * The JavaScript FFI imports are never called by such a script: they trap.
 */
function runRuby(wasi, instance, script) {
  wasi.initialize(instance);
  const e = instance.exports;
  const text = (value) => {
    const bytes = new TextEncoder().encode(value);
    const at = e.cabi_realloc(0, 0, 1, bytes.length);
    new Uint8Array(e.memory.buffer, at, bytes.length).set(bytes);
    return [at, bytes.length];
  };
  const args = ['ruby.wasm', '-EUTF-8', '-e_=0'].map((a) => text(a + '\0'));
  const list = e.cabi_realloc(0, 0, 4, args.length * 8);
  args.forEach(([at, length], i) => {
    const view = new DataView(e.memory.buffer);
    view.setInt32(list + i * 8, at, true);
    view.setInt32(list + i * 8 + 4, length, true);
  });
  e['ruby-init: func(args: list<string>) -> ()'](list, args.length);
  const evaluate = (code) => {
    const ret = e['rb-eval-string-protect: func(str: string) -> tuple<handle<rb-abi-value>, s32>'](
      ...text(code),
    );
    return new DataView(e.memory.buffer).getInt32(ret + 4, true); // 0: no exception
  };
  const state = evaluate(script);
  // What a command's exit does: the buffered output written out.
  evaluate('$stdout.flush; $stderr.flush');
  return state;
}

function rubyHostImports() {
  const values = [];
  const host = new Proxy(
    {},
    {
      get: (_, name) => () => {
        throw new Error(`ruby called the JavaScript host (${String(name)})`);
      },
      has: () => true,
    },
  );
  return {
    'rb-js-abi-host': host,
    canonical_abi: {
      'resource_new_rb-abi-value': (rep) => values.push(rep) - 1,
      'resource_get_rb-abi-value': (handle) => values[handle],
      'resource_drop_rb-abi-value': () => {},
      'resource_drop_js-abi-value': () => {},
      'resource_clone_rb-abi-value': (handle) => values.push(values[handle]) - 1,
    },
  };
}
