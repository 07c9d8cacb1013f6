// One measured run for bench/metering.mjs, in a process of its own (a fresh engine, as the sandbox
// has): compiles the module, runs it under Node's WASI twice (cold: baseline code and tier-up as in
// a real run; warm: the same compiled module again) and prints JSON: times, a digest of the output
// and the fuel used. The clock is fixed, so the same program does the same work every run.
//   node bench/metering/runWorkload.mjs FILE.wasm metered|plain '{"args":[...],"preopens":{...}}'
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WASI } from 'node:wasi';

/* global WebAssembly, performance */
const [file, variant, config] = process.argv.slice(2);
const { args = ['workload'], preopens = {} } = JSON.parse(config ?? '{}');
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
  const imports = { wasi_snapshot_preview1: { ...wasi.wasiImport, clock_time_get } };
  const fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, UNLIMITED);
  if (variant === 'metered') {
    const threshold = new WebAssembly.Global({ value: 'i64', mutable: true }, UNLIMITED - SAMPLE_EVERY);
    // What the sandbox's hook does at the least: move the threshold, answer "not exhausted".
    imports['wasm-warden:meter'] = {
      fuel,
      threshold,
      sample: () => ((threshold.value = fuel.value - SAMPLE_EVERY), 0),
    };
  }
  const start = performance.now();
  const cpu = process.cpuUsage();
  const instance = new WebAssembly.Instance(module, imports);
  memory = instance.exports.memory;
  const exitCode = wasi.start(instance);
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
  return { ms, cpuMs, exitCode, text, fuel: String(UNLIMITED - fuel.value) };
}

const cold = once();
const warm = once();
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
    sameTwice: cold.text === warm.text,
    lastLine: cold.text.trim().split('\n').pop(),
    fuel: variant === 'metered' ? cold.fuel : undefined,
    fuelTwice: variant === 'metered' ? warm.fuel : undefined,
  }) + '\n',
);
