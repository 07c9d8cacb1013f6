/**
 * The sandbox process: receives one module over IPC, instantiates and runs it with the policy's
 * WASI host, streams output/samples/violations back and ends with a `done` message. It is started
 * only by `runner.ts`, with V8's memory cap and Node's permission model already in force.
 */
import { performance } from 'node:perf_hooks';
import type { ChildMessage, StartMessage } from './messages';
import type { SandboxOutcome, SandboxSample, SandboxViolation } from './report';
import { REPORT_LIMITS } from './defaults';
import { HostCallTally } from './hostCallTally';
import { loadShim } from './shim';
import { HostTrap, PolicyWasiHost, SandboxStop, WASI_MODULE } from './wasiHost';
import { formatWasmResults, parseWasmArgs } from './invokeArgs';
import { isMemory, wasm, type WasmInstance, type WasmMemory } from './wasmApi';
import { countingMark, createFuelMeter, METER_MODULE, type FuelMeter } from './fuel';
import { PROFILE_EXPORT_PREFIX } from '../metering/profileCounters';
import { runComponent } from './component/childRun';
import { createComponentMeter, type ComponentMeter } from './component/meter';

/** Samples are sent at most this often (ms), from host calls and from an idle timer. */
const SAMPLE_INTERVAL_MS = 10;

function send(message: ChildMessage, then?: () => void): void {
  process.send?.(message, undefined, undefined, then);
}

async function run(start: StartMessage): Promise<void> {
  const shim = await loadShim();
  const t0 = performance.now();
  const tally = new HostCallTally();
  const hostCalls = tally.byName;
  const memories: WasmMemory[] = [];
  let peak = 0;
  let lastSample = -Infinity;
  const missingImports: string[] = [];
  const totals = { stdout: 0, stderr: 0 };
  let violationCount = 0;
  let meter: FuelMeter | undefined;
  let componentMeter: ComponentMeter | undefined;
  let instanceExports: Record<string, unknown> = {};
  const meterNotes: string[] = [];

  const memoryBytes = (): number => memories.reduce((sum, m) => sum + m.buffer.byteLength, 0);
  const sample = (force = false): void => {
    const now = performance.now() - t0;
    if (!force && now - lastSample < SAMPLE_INTERVAL_MS) return;
    lastSample = now;
    const bytes = memoryBytes();
    peak = Math.max(peak, bytes);
    const s: SandboxSample = { atMs: now, memoryBytes: bytes, hostCalls: tally.total };
    if (meter) s.fuel = meter.consumed();
    else if (componentMeter) s.fuel = componentMeter.counter.consumed();
    send({ type: 'sample', sample: s, hostCalls: { ...hostCalls } });
  };
  const idle = setInterval(() => sample(), SAMPLE_INTERVAL_MS * 5);

  const writer = (stream: 'stdout' | 'stderr') => (data: Uint8Array) => {
    const before = totals[stream];
    totals[stream] += data.byteLength;
    // Beyond the cap output is only counted: the module keeps running, the parent gets nothing more.
    if (before < start.outputLimit)
      send({ type: 'output', stream, data: data.slice(0, start.outputLimit - before) });
  };
  const count = (name: string): void => {
    sample(tally.count(name));
  };

  const violation = (v: Omit<SandboxViolation, 'atMs'>): void => {
    // Past the cap violations are only counted, so a module cannot flood the IPC channel with them.
    if (++violationCount <= REPORT_LIMITS.violations)
      send({ type: 'violation', violation: { ...v, atMs: performance.now() - t0 } });
  };
  const finishRun = async (
    parts: Pick<
      Extract<ChildMessage, { type: 'done' }>,
      'outcome' | 'missingImports' | 'writtenFiles' | 'notes' | 'http' | 'fuel' | 'profile'
    >,
  ): Promise<void> => {
    clearInterval(idle);
    sample(true);
    const done: ChildMessage = {
      type: 'done',
      moduleMs: performance.now() - t0,
      peakMemoryBytes: Math.max(peak, memoryBytes()),
      hostCalls,
      outputTotals: totals,
      ...parts,
      notes:
        violationCount > REPORT_LIMITS.violations
          ? [
              ...parts.notes,
              `${violationCount} violations in all; the first ${REPORT_LIMITS.violations} are listed`,
            ]
          : parts.notes,
    };
    // Wait until the report is on its way before closing the channel.
    await new Promise<void>((resolve) => send(done, resolve));
  };

  if (start.component) {
    // A component: the WASI 0.2 host (component/) instead of preview1, same limits and report.
    const notes: string[] = [];
    // Every core module metered with one counter; a module the meter refuses means the component
    // runs unmetered, unless a limit or a profile was asked for, which then fails closed.
    const metered = createComponentMeter(start.component.coreModules, {
      limit: start.policy.fuel,
      profile: !!start.profile,
      counting: start.policy.fuelCounting,
      onSample: () => sample(),
    });
    if ('error' in metered) {
      if (start.policy.fuel !== undefined || start.profile)
        return finishRun({
          outcome: { kind: 'error', message: `${meterFailure(start.policy.fuel)}: ${metered.error}` },
          missingImports: [],
          writtenFiles: [],
          notes,
        });
      notes.push(`fuel not counted: ${metered.error}`);
    } else {
      componentMeter = metered;
      notes.push(...metered.notes);
    }
    const result = await runComponent(
      start.component,
      shim,
      {
        policy: start.policy,
        args: [start.programName, ...start.policy.args, ...start.args],
        stdout: writer('stdout'),
        stderr: writer('stderr'),
        violation,
        networkConfirmed: start.component.networkConfirmed,
        exchanges: [],
        notes,
      },
      {
        onCall: count,
        memories,
        writeBack: start.writeBack,
        meter: componentMeter,
        limit: start.policy.fuel,
      },
    );
    return finishRun({ ...result, notes });
  }

  const host = new PolicyWasiHost(shim, {
    policy: start.policy,
    args: [start.programName, ...start.policy.args, ...start.args],
    stdout: writer('stdout'),
    stderr: writer('stderr'),
    onViolation: violation,
    onCall: count,
  });

  let outcome = ((): SandboxOutcome => {
    // Fuel metering (core/metering): always counted; a module the meter refuses runs unmetered
    // unless a limit or a profile was asked for, which then fails closed.
    const metered = createFuelMeter(start.bytes, {
      limit: start.policy.fuel,
      profile: !!start.profile,
      counting: start.policy.fuelCounting,
      onSample: () => sample(),
    });
    if ('error' in metered) {
      if (start.policy.fuel !== undefined || start.profile)
        return { kind: 'error', message: `${meterFailure(start.policy.fuel)}: ${metered.error}` };
      meterNotes.push(`fuel not counted: ${metered.error}`);
    } else {
      meter = metered;
      meterNotes.push(...metered.notes);
    }
    const ranOut = (): SandboxOutcome | undefined =>
      meter?.exhausted() ? { kind: 'fuel-exhausted', limit: start.policy.fuel ?? 0 } : undefined;
    let module: object;
    try {
      module = new wasm.Module(meter ? meter.bytes : start.bytes);
    } catch (error) {
      return { kind: 'error', message: `not a valid WebAssembly module: ${(error as Error).message}` };
    }
    const imports: Record<string, Record<string, unknown>> = {};
    let usesWasi = false;
    if (meter) imports[METER_MODULE] = meter.imports;
    for (const imp of wasm.Module.imports(module)) {
      if (meter && imp.module === METER_MODULE) continue;
      const qualified = `${imp.module}.${imp.name}`;
      const table = (imports[imp.module ?? ''] ??= {});
      if (imp.kind === 'function' && imp.module === WASI_MODULE && host.imports[imp.name]) {
        usesWasi = true;
        table[imp.name] = host.imports[imp.name];
      } else if (imp.kind === 'function') {
        missingImports.push(qualified);
        table[imp.name] = () => {
          count(qualified);
          throw new HostTrap(`import ${qualified} is not provided in the preview`);
        };
      } else if (imp.kind === 'memory' && imp.type?.minimum !== undefined) {
        // An imported memory gets a fresh, empty one of the declared size (still under the cap).
        try {
          const memory = new wasm.Memory({
            initial: imp.type.minimum,
            maximum: imp.type.maximum,
            shared: imp.type.shared,
          });
          memories.push(memory);
          table[imp.name] = memory;
        } catch (error) {
          return {
            kind: 'stopped',
            reason: `memory limit: imported memory ${qualified} of ${imp.type.minimum} pages cannot be created (${(error as Error).message})`,
          };
        }
      } else {
        missingImports.push(qualified);
      }
    }
    let instance: WasmInstance;
    try {
      // The start function runs here: instantiation is as untrusted as any export.
      instance = new wasm.Instance(module, imports);
    } catch (error) {
      return ranOut() ?? failure(error, 'instantiating');
    }
    instanceExports = instance.exports;
    for (const value of Object.values(instance.exports)) {
      if (isMemory(value) && !memories.includes(value)) memories.push(value);
    }
    if (isMemory(instance.exports.memory)) host.bind(instance);
    sample(true);
    try {
      // A WASI reactor (no _start) must have _initialize called before any other export.
      const initialize = instance.exports._initialize;
      const reactor = typeof initialize === 'function' && typeof instance.exports._start !== 'function';
      if (start.invoke) {
        if (reactor && start.invoke.name !== '_initialize') (initialize as () => unknown)();
        return invoke(instance, start.invoke);
      }
      const entry = instance.exports._start;
      if (typeof entry !== 'function') {
        const names = Object.entries(instance.exports)
          .filter(([n, v]) => typeof v === 'function' && !n.startsWith(PROFILE_EXPORT_PREFIX))
          .map(([n]) => n);
        return {
          kind: 'error',
          message: `the module has no _start export; choose a function to invoke (${names.join(', ') || 'it exports none'})`,
        };
      }
      if (usesWasi && !isMemory(instance.exports.memory))
        return { kind: 'error', message: 'a WASI module must export its memory as "memory"' };
      entry();
      return { kind: 'exit', code: 0 };
    } catch (error) {
      return ranOut() ?? failure(error, 'running');
    }
  })();

  // Checks run at function entries and loop headers: a run can end past its limit without
  // reaching another one. It used more than it was given all the same.
  if (meter?.exhausted() && (outcome.kind === 'exit' || outcome.kind === 'returned'))
    outcome = { kind: 'fuel-exhausted', limit: start.policy.fuel ?? 0 };

  function invoke(instance: WasmInstance, call: NonNullable<StartMessage['invoke']>): SandboxOutcome {
    const fn = instance.exports[call.name];
    if (typeof fn !== 'function')
      return { kind: 'error', message: `the module exports no function "${call.name}"` };
    const type = call.signature
      ? { parameters: call.signature.params, results: call.signature.results }
      : wasm.Function?.type(fn);
    if (!type) return { kind: 'error', message: `the parameter types of ${call.name} are unknown` };
    const values = parseWasmArgs(type.parameters, call.args);
    if (!Array.isArray(values)) return { kind: 'error', message: `${call.name} ${values.error}` };
    const result = (fn as (...a: unknown[]) => unknown)(...values);
    return { kind: 'returned', values: formatWasmResults(result, type.results.length) };
  }

  await finishRun({
    outcome,
    ...(meter && {
      fuel: {
        consumed: meter.consumed(),
        ...(start.policy.fuel !== undefined && { limit: start.policy.fuel }),
        ...countingMark(start.policy.fuelCounting),
      },
      profile: meter.profile(instanceExports),
    }),
    missingImports,
    writtenFiles: host.writes(start.writeBack),
    notes: [...meterNotes, ...host.notes],
  });
}

/** What an exception thrown out of the module means for the report. */
function failure(error: unknown, phase: 'instantiating' | 'running'): SandboxOutcome {
  const exitCode = (error as { code?: unknown })?.code;
  if (error instanceof Error && error.constructor.name === 'WASIProcExit' && typeof exitCode === 'number')
    return { kind: 'exit', code: exitCode };
  if (error instanceof SandboxStop) return { kind: 'stopped', reason: error.message };
  if (error instanceof wasm.LinkError)
    return { kind: 'error', message: `cannot link the module: ${error.message}` };
  if (error instanceof RangeError && /memory/i.test(error.message) && phase === 'instantiating') {
    return { kind: 'stopped', reason: `memory limit: ${error.message}` };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { kind: 'trap', message: e.message, stack: e.stack };
}

// Parent gone: stop (when the module is not in a tight loop; otherwise the parent's exit hook kills it).
process.once('disconnect', () => process.exit(125));

process.once('message', (message: StartMessage) => {
  send({ type: 'ready' });
  run(message).then(
    () => process.disconnect?.(),
    (error: unknown) => {
      const outcome: SandboxOutcome = { kind: 'error', message: `sandbox runner failed: ${String(error)}` };
      const done: ChildMessage = {
        type: 'done',
        outcome,
        moduleMs: 0,
        peakMemoryBytes: 0,
        hostCalls: {},
        missingImports: [],
        outputTotals: { stdout: 0, stderr: 0 },
        writtenFiles: [],
        notes: [],
      };
      send(done, () => process.disconnect?.());
    },
  );
});

/** Why a run that asked for a fuel limit or a profile does not start when the meter refuses the module. */
function meterFailure(limit: number | undefined): string {
  return limit !== undefined ? 'the fuel limit cannot be enforced' : 'no profile can be made';
}
