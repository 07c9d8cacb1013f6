/**
 * Opcode-count fingerprints of CryptoNight's building blocks, after MineSweeper (Konoth et al.,
 * CCS 2018). CryptoNight runs Keccak over the input, a memory-hard loop of AES rounds, and then one
 * of four final hashes (BLAKE-256, Grøstl-256, JH-256, Skein-256) chosen by the state, so a miner
 * has to carry all of them. Compiled to WebAssembly each is a function dense in particular
 * xor/shift/rotate/and/load operations. The body scan counts i32 and i64 forms together, so the
 * six primitives fall into four families that the counts tell apart:
 *
 * - sponge (Keccak-f): xor, rotations and and-not, almost no additions;
 * - T-table (AES rounds, Grøstl): byte extraction (shift right, and 0xff), table loads, xors;
 * - ARX (BLAKE, Skein/Threefish): additions, rotations, xors;
 * - bitsliced (JH): and/or/xor with shifts and no rotations at all.
 *
 * One family alone is an ordinary hash or cipher; a module with all four is a miner.
 */
import type { OpcodeCounts } from '../../module/code';

export type MinerFamily = 'sponge' | 'tTable' | 'arx' | 'bitsliced';

export const FAMILY_NAMES: Record<MinerFamily, string> = {
  sponge: 'Keccak-like sponge',
  tTable: 'AES/Grøstl-like table rounds',
  arx: 'BLAKE/Skein-like add-rotate-xor',
  bitsliced: 'JH-like bitsliced rounds',
};

/**
 * Thresholds are per function: well below one unrolled round of each primitive, above what
 * ordinary code (parsers, compressors, allocators, a loop-based SHA-256) puts in one function.
 */
const FAMILIES: Record<MinerFamily, (c: OpcodeCounts) => boolean> = {
  sponge: (c) => c.xor >= 50 && c.rotl + c.rotr >= 20 && c.and >= 20 && c.add * 4 < c.xor,
  tTable: (c) => c.xor >= 32 && c.shrU >= 16 && c.and >= 16 && c.load >= 32,
  arx: (c) => c.add >= 32 && c.rotl + c.rotr >= 24 && c.xor >= 24,
  bitsliced: (c) =>
    c.xor >= 40 &&
    c.and >= 20 &&
    c.or >= 8 &&
    c.shl + c.shrU >= 20 &&
    c.rotl + c.rotr === 0 &&
    c.load * 2 < c.xor,
};

/**
 * None of CryptoNight's primitives multiplies; big-number and elliptic-curve field arithmetic
 * (Go's and Rust's P-256, fiat-crypto) is full of and/or/shift/xor too, but also of multiplies.
 * Found on esbuild-wasm: without this its P-256 code looked like AES and JH.
 */
function multiplies(c: OpcodeCounts): boolean {
  return c.mul * 8 >= c.xor;
}

export function matchFamilies(counts: OpcodeCounts): MinerFamily[] {
  if (multiplies(counts)) return [];
  return (Object.keys(FAMILIES) as MinerFamily[]).filter((family) => FAMILIES[family](counts));
}

export const ALL_FAMILIES = Object.keys(FAMILIES) as MinerFamily[];

/** CryptoNight needs every family: Keccak, AES (and Grøstl), BLAKE (and Skein), JH. */
export function looksLikeCryptoNight(found: ReadonlySet<MinerFamily>): boolean {
  return ALL_FAMILIES.every((family) => found.has(family));
}
