/**
 * Functions' opcode counts packed in one Int32Array: what a cache keeps for modules with the same
 * code (features/scan/codeCache.ts), a fifth of the heap the objects take (esbuild-wasm's 5,329
 * functions: 0.3 MB instead of 1.5), and nothing for the collector to walk.
 */
import type { SourceLocation } from '../../location';
import type { OpcodeCounts } from '../../module/code';
import type { FunctionCodeStats } from '../rule';

/** Every field of OpcodeCounts, in the order the body pass writes them. */
const COUNT_FIELDS = [
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

/** The functions of `packStats`, each located by `locate`. */
export function unpackStats(
  packed: Int32Array,
  locate: (funcIndex: number) => SourceLocation,
): FunctionCodeStats[] {
  const functions: FunctionCodeStats[] = [];
  for (let at = 0; at + STRIDE <= packed.length; at += STRIDE) {
    const counts = {} as OpcodeCounts;
    COUNT_FIELDS.forEach((field, k) => (counts[field] = packed[at + 1 + k]));
    functions.push({ funcIndex: packed[at], counts, location: locate(packed[at]) });
  }
  return functions;
}
