/**
 * How a profiled run's counters are kept and read. Each counter is a pair of mutable i32 globals
 * the rewriter appends (its low and high half: 64-bit globals cost V8 11 ~10 µs each to compile
 * and to instantiate). The host reads them through a few exported functions,
 * `wasm-warden:profile:read:K`, each returning the counters of a span of READER_SPAN by number as
 * i64. One export per counter is not possible: V8 refuses a module with more than 100,000
 * exports, and a profiled Yosys has 242,000 counters.
 */
import { ByteWriter } from './byteWriter';

/** Exports the meter adds start with this; a module that already has one is refused. */
export const PROFILE_EXPORT_PREFIX = 'wasm-warden:profile:';
/** Counters per reader function (a reader's body is about 17 bytes per counter). */
export const READER_SPAN = 1 << 16;

/** Counters of each defined function, in this order from its first (`MeterLayout`). */
export const FUNCTION_COUNTER = { self: 0, calls: 1, inclusive: 2, start: 3, depth: 4 } as const;
export const COUNTERS_PER_FUNCTION = 5;
/** Globals per counter: its low half, then its high half. */
export const GLOBALS_PER_COUNTER = 2;

export function readerCount(counters: number): number {
  return Math.ceil(counters / READER_SPAN);
}

export function readerExport(k: number): string {
  return `${PROFILE_EXPORT_PREFIX}read:${k}`;
}

/** The type of every reader: [i32] -> [i64]. */
export function readerType(w: ByteWriter): void {
  w.u8(0x60);
  w.u8(1);
  w.u8(0x7f);
  w.u8(1);
  w.u8(0x7e);
}

/** The counter whose low half is the global `low`, as an i64 on the stack. */
export function loadCounter(w: ByteWriter, low: number): void {
  w.u8(0x23); // global.get (high half)
  w.u32(low + 1);
  w.u8(0xad); // i64.extend_i32_u
  w.u8(0x42); // i64.const 32
  w.u8(32);
  w.u8(0x86); // i64.shl
  w.u8(0x23); // global.get (low half)
  w.u32(low);
  w.u8(0xad);
  w.u8(0x84); // i64.or
}

/**
 * The body (size first) of the reader of `count` counters whose first low half is the global
 * `first`: a binary tree of `if`s on its parameter, 16 deep for a full span, ending in the counter.
 */
export function readerBody(out: ByteWriter, first: number, count: number): void {
  const w = new ByteWriter(count * 36 + 16);
  w.u32(0); // no locals
  const tree = (lo: number, hi: number): void => {
    if (hi - lo === 1) {
      loadCounter(w, first + GLOBALS_PER_COUNTER * lo);
      return;
    }
    const mid = lo + ((hi - lo) >> 1);
    w.u8(0x20); // local.get 0
    w.u8(0);
    w.u8(0x41); // i32.const
    w.s64(mid);
    w.u8(0x49); // i32.lt_u
    w.u8(0x04); // if (result i64)
    w.u8(0x7e);
    tree(lo, mid);
    w.u8(0x05); // else
    tree(mid, hi);
    w.u8(0x0b);
  };
  tree(0, count);
  w.u8(0x0b);
  out.u32(w.length);
  out.append(w);
}

/** Counter number `n` of an instance's profile (0 if the instance has no such reader). */
export function readCounter(instanceExports: Record<string, unknown>, n: number): bigint {
  // (Not named `exports`: in the CommonJS build that would hide this module's own.)
  const reader = instanceExports[readerExport(Math.floor(n / READER_SPAN))];
  return typeof reader === 'function' ? (reader as (n: number) => bigint)(n % READER_SPAN) : 0n;
}
