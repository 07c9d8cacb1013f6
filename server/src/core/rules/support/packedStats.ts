/**
 * Functions' opcode counts packed in one Int32Array: what a cache keeps for modules with the same
 * code (features/scan/codeCache.ts), a fifth of the heap the objects take (esbuild-wasm's 5,329
 * functions: 0.3 MB instead of 1.5), and nothing for the collector to walk.
 */
import type { SourceLocation } from '../../location';
import type { OpcodeCounts } from '../../module/code';
import type { FunctionCodeStats } from '../rule';

/** Every field of OpcodeCounts, in the order the body pass writes them. */
export const COUNT_FIELDS = [
  'instructions',
  'xor',
  'shl',
  'shrS',
  'shrU',
  'rotl',
  'rotr',
  'and',
  'or',
  'add',
  'mul',
  'load',
  'store',
  'call',
  'callIndirect',
  'callRef',
  'loop',
  'atomic',
  'simd',
] as const satisfies ReadonlyArray<keyof OpcodeCounts>;

/** Fails to compile when OpcodeCounts gains a field COUNT_FIELDS does not list. */
const listsEveryField: Record<Exclude<keyof OpcodeCounts, (typeof COUNT_FIELDS)[number]>, never> = {};
void listsEveryField;

/** Numbers per function: its index, then its counts. */
const STRIDE = 1 + COUNT_FIELDS.length;

export function packStats(functions: readonly FunctionCodeStats[]): Int32Array {
  const packed = new Int32Array(functions.length * STRIDE);
  functions.forEach((fn, i) => {
    packed[i * STRIDE] = fn.funcIndex;
    COUNT_FIELDS.forEach((field, k) => (packed[i * STRIDE + 1 + k] = fn.counts[field]));
  });
  return packed;
}

/**
 * One function's counts, read from the packed array when a field is asked for: a module of known
 * code gets its functions from the array on every analysis, and copying the 19 counts of each
 * function into an object was half of what a scan worker allocated (esbuild-wasm: 5,329 functions).
 */
class PackedCounts {
  constructor(
    readonly packed: Int32Array,
    readonly at: number,
  ) {}
}
COUNT_FIELDS.forEach((field, k) =>
  Object.defineProperty(PackedCounts.prototype, field, {
    enumerable: true,
    get(this: PackedCounts) {
      return this.packed[this.at + 1 + k];
    },
  }),
);
/** The counts at `at`, typed as what the getters above make them. */
const countsAt = (packed: Int32Array, at: number) => new PackedCounts(packed, at) as unknown as OpcodeCounts;

/** The functions of `packStats`, each located by `locate`; their counts are views of `packed`. */
export function unpackStats(
  packed: Int32Array,
  locate: (funcIndex: number) => SourceLocation,
): FunctionCodeStats[] {
  const functions: FunctionCodeStats[] = new Array(Math.floor(packed.length / STRIDE));
  for (let i = 0, at = 0; i < functions.length; i++, at += STRIDE) {
    functions[i] = { funcIndex: packed[at], counts: countsAt(packed, at), location: locate(packed[at]) };
  }
  return functions;
}
