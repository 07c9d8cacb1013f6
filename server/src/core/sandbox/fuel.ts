/**
 * The sandbox side of fuel metering (core/metering rewrites the bytes): the `wasm-warden:meter`
 * imports, the sample hook a metered loop calls every SAMPLE_EVERY units, and the fuel and profile
 * figures read at the end. Runs in the sandbox process.
 */
import {
  FUEL_IMPORT,
  METER_MODULE,
  SAMPLE_IMPORT,
  THRESHOLD_IMPORT,
  DEFAULT_FUEL_COUNTING,
  instrumentModule,
  type CheckKind,
  type FuelCounting,
  type MeterLayout,
} from '../metering/instrument';
import { FUNCTION_COUNTER, readCounter } from '../metering/profileCounters';
import type { FuelProfile, FuelReport } from './report';
import { wasm } from './wasmApi';

/** Fuel between two calls of the sample hook: a few ms of work; deterministic, unlike a timer. */
export const SAMPLE_EVERY = 4_000_000n;
/** "No limit": the counter starts here and cannot run out in practice (2^62 units). */
const UNLIMITED = 1n << 62n;
const PROFILE_TOP_FUNCTIONS = 50;
const PROFILE_TOP_LOOPS = 20;

export interface FuelMeter {
  bytes: Uint8Array;
  /** What the report should say about the metering (a profile that could not be made). */
  notes: string[];
  imports: Record<string, unknown>;
  /** Units used so far. */
  consumed(): number;
  /** True once the module ran past its limit (the trap that follows is the meter's). */
  exhausted(): boolean;
  /** The profile from the instance's counters (profiled runs only). */
  profile(exports: Record<string, unknown>): FuelProfile | undefined;
}

/** The host side of the counter: one per run, shared by every core module of a component. */
export interface FuelCounter {
  /** The `wasm-warden:meter` imports. */
  imports: Record<string, unknown>;
  /** Units used so far. */
  consumed(): number;
  /** True once the run went past its limit (the trap that follows is the meter's). */
  exhausted(): boolean;
  /** Units left (negative once exhausted). */
  left(): bigint;
}

/** The checks a meter of these options uses: the profile needs `'threshold'` (instrument.ts). */
export const checksFor = (options: { profile: boolean }): CheckKind =>
  options.profile ? 'threshold' : 'zero';

/**
 * The counter and its sample hook, for modules metered with `checks` (see `CheckKind`). `onSample`
 * runs inside the module's own loops (every SAMPLE_EVERY units), so it must be cheap and must not
 * throw. Both kinds call the hook at the same points of a run: after each SAMPLE_EVERY units, and
 * once the fuel left is below zero.
 */
export function createFuelCounter(options: {
  limit?: number;
  checks: CheckKind;
  onSample(): void;
}): FuelCounter {
  const initial = options.limit !== undefined ? BigInt(options.limit) : UNLIMITED;
  const zero = options.checks === 'zero';
  /** `'zero'`: the fuel kept aside, not yet in the counter. */
  let reserve = 0n;
  /** `'zero'`: the counter's next step, the rest put aside. */
  const step = (left: bigint): bigint => {
    const now = left > SAMPLE_EVERY ? SAMPLE_EVERY : left;
    reserve = left - now;
    return now;
  };
  const fuel = new wasm.Global({ value: 'i64', mutable: true }, zero ? step(initial) : initial);
  const nextThreshold = (left: bigint): bigint => (left > SAMPLE_EVERY ? left - SAMPLE_EVERY : 0n);
  const threshold = new wasm.Global({ value: 'i64', mutable: true }, zero ? 0n : nextThreshold(initial));
  const left = (): bigint => fuel.value + reserve;
  let exhausted = false;
  const sample = (): number => {
    const now = left();
    if (now < 0n) {
      exhausted = true;
      return 1;
    }
    if (zero) fuel.value = step(now);
    else threshold.value = nextThreshold(now);
    options.onSample();
    return 0;
  };
  return {
    imports: { [FUEL_IMPORT]: fuel, [THRESHOLD_IMPORT]: threshold, [SAMPLE_IMPORT]: sample },
    consumed: () => Number(initial - left()),
    exhausted: () => exhausted || left() < 0n,
    left,
  };
}

/**
 * Meters a core module, with a profile if asked. A module the meter can count but not profile
 * (too many counters for the engine) is metered without one, and a note says why: a profile is
 * a view of the run, not a limit on it.
 */
export function meterModule(
  bytes: Uint8Array,
  options: { profile: boolean; counting?: FuelCounting },
):
  | { ok: true; bytes: Uint8Array; layout: MeterLayout; checks: CheckKind; note?: string }
  | { ok: false; message: string } {
  const checks = checksFor(options);
  const result = instrumentModule(bytes, { ...options, checks });
  if (result.ok || !options.profile) return result;
  // The counter is made for the checks asked for: the same ones without the profile.
  const plain = instrumentModule(bytes, { counting: options.counting, checks });
  return plain.ok ? { ...plain, note: `no profile: ${result.message}` } : result;
}

/** Instruments `bytes` and prepares the imports (a core module run on its own). */
export function createFuelMeter(
  bytes: Uint8Array,
  options: { limit?: number; profile: boolean; counting?: FuelCounting; onSample(): void },
): FuelMeter | { error: string } {
  const result = meterModule(bytes, options);
  if (!result.ok) return { error: result.message };
  // The counter for the checks the module was metered with.
  const counter = createFuelCounter({ ...options, checks: result.checks });
  const profiled = options.profile && result.note === undefined;
  return {
    bytes: result.bytes,
    notes: result.note ? [result.note] : [],
    imports: counter.imports,
    consumed: counter.consumed,
    exhausted: counter.exhausted,
    profile: (exports) =>
      profiled ? summarizeProfile([profileRows(result.layout, exports, counter.left())]) : undefined,
  };
}

export { METER_MODULE };

/** The report's mark of bound counting, for the counting a policy asks for (or the default). */
export function countingMark(counting: FuelCounting | undefined): Pick<FuelReport, 'counting'> {
  return (counting ?? DEFAULT_FUEL_COUNTING) === 'bound' ? { counting: 'bound' } : {};
}

type ProfileRows = Pick<FuelProfile, 'functions' | 'loops'>;

/** Every called function and every loop that ran, from one instance's counters, unsorted. */
export function profileRows(
  layout: MeterLayout,
  exports: Record<string, unknown>,
  fuelLeft: bigint,
  core?: string,
): ProfileRows {
  const big = (n: number): bigint => readCounter(exports, n);
  const value = (n: number): number => Number(big(n));
  // A function still open (the run ended inside it: exit, trap, fuel exhausted) adds what its
  // outermost activation used up to the last write-back of the counter.
  const inclusive = (c: number): number =>
    Number(
      big(c + FUNCTION_COUNTER.inclusive) +
        (big(c + FUNCTION_COUNTER.depth) > 0n ? big(c + FUNCTION_COUNTER.start) - fuelLeft : 0n),
    );
  const functions = layout.functions
    .filter((f) => big(f.counter + FUNCTION_COUNTER.calls) > 0n)
    .map((f) => ({
      index: f.index,
      name: f.name,
      offset: f.bodyOffset,
      self: value(f.counter + FUNCTION_COUNTER.self),
      inclusive: inclusive(f.counter),
      calls: value(f.counter + FUNCTION_COUNTER.calls),
      ...(core !== undefined && { core }),
    }));
  const byIndex = new Map(layout.functions.map((f) => [f.index, f.name]));
  const loops = layout.loops
    .map((l) => ({
      functionIndex: l.functionIndex,
      functionName: byIndex.get(l.functionIndex) ?? `func[${l.functionIndex}]`,
      offset: l.offset,
      iterations: value(l.counter),
      ...(core !== undefined && { core }),
    }))
    .filter((l) => l.iterations > 0);
  return { functions, loops };
}

/** The profile of a run: the rows of each metered instance, the top functions and loops. */
export function summarizeProfile(parts: ProfileRows[]): FuelProfile {
  const functions = parts.flatMap((p) => p.functions);
  const loops = parts.flatMap((p) => p.loops);
  const total = functions.reduce((sum, f) => sum + f.self, 0);
  return {
    totalSelf: total,
    calledFunctions: functions.length,
    functions: functions.sort((a, b) => b.self - a.self || a.index - b.index).slice(0, PROFILE_TOP_FUNCTIONS),
    loops: loops
      .sort((a, b) => b.iterations - a.iterations || a.offset - b.offset)
      .slice(0, PROFILE_TOP_LOOPS),
  };
}
