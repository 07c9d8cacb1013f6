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

const FAMILY_LIST = Object.keys(FAMILIES) as MinerFamily[];

const NONE: readonly MinerFamily[] = [];

/** The families whose profile `counts` fits; allocates nothing for the many functions that fit none. */
export function matchFamilies(counts: OpcodeCounts): readonly MinerFamily[] {
  if (multiplies(counts)) return NONE;
  let matched: MinerFamily[] | undefined;
  for (const family of FAMILY_LIST) if (FAMILIES[family](counts)) (matched ??= []).push(family);
  return matched ?? NONE;
}

/**
 * `file.indexOf(value, from)` that remembers its last answer. Bodies come in file order and an
 * xor byte is often missing from many in a row: without the memo each of them sent memchr on
 * through the following bodies to the next one (most of the prefilter's time, on ffmpeg-core).
 */
class ByteSearch {
  private file: Buffer | undefined;
  private from = 0;
  private at = -1;

  constructor(private readonly value: number) {}

  next(file: Buffer, from: number): number {
    // Nothing in [this.from, this.at), so nothing in [from, this.at) either.
    if (file === this.file && this.from <= from && (this.at < 0 || from <= this.at)) return this.at;
    this.file = file;
    this.from = from;
    this.at = file.indexOf(this.value, from);
    return this.at;
  }
}

/** Occurrences of the searched byte in file[start, end), counting no further than `limit`. */
function countUpTo(search: ByteSearch, file: Buffer, start: number, end: number, limit: number): number {
  let count = 0;
  for (
    let at = search.next(file, start);
    at >= 0 && at < end && count < limit;
    at = search.next(file, at + 1)
  ) {
    count++;
  }
  return count;
}

const h = new Uint32Array(256); // reused: this runs once per function body

/**
 * A test of whether a body could match any family, from its raw bytes alone, for one pass over a
 * module's bodies: a byte count is an upper bound of the opcode count (immediates can only add),
 * so this never rejects a body that matches, and it lets the rule skip decoding almost every
 * function.
 */
export function familyPrefilter(): (file: Buffer, start: number, end: number) => boolean {
  const xor32 = new ByteSearch(0x73);
  const xor64 = new ByteSearch(0x85);
  return (file, start, end) => {
    if (end - start < 72) return false; // 24 xors and their operands take more bytes than this
    // Every family needs at least 24 xors: most bodies are rejected by two native searches.
    const xors = countUpTo(xor32, file, start, end, 24);
    if (xors + countUpTo(xor64, file, start, end, 24 - xors) < 24) return false;
    return mayMatchAnyFamily(file, start, end);
  };
}

/** The byte histogram of a body that has the xors, against each family's other needs. */
function mayMatchAnyFamily(file: Buffer, start: number, end: number): boolean {
  h.fill(0);
  for (let i = start; i < end; i++) h[file[i]]++;
  const xor = h[0x73] + h[0x85];
  if (xor < 24) return false; // every family needs at least 24
  const rot = h[0x77] + h[0x78] + h[0x89] + h[0x8a];
  const and = h[0x71] + h[0x83];
  const add = h[0x6a] + h[0x7c];
  const shrU = h[0x76] + h[0x88];
  const shifts = shrU + h[0x74] + h[0x86];
  const or = h[0x72] + h[0x84];
  let load = h[0x28] + h[0x29];
  for (let op = 0x2c; op <= 0x35; op++) load += h[op];
  return (
    (xor >= 50 && rot >= 20 && and >= 20) ||
    (xor >= 32 && shrU >= 16 && and >= 16 && load >= 32) ||
    (add >= 32 && rot >= 24) ||
    (xor >= 40 && and >= 20 && or >= 8 && shifts >= 20)
  );
}

export const ALL_FAMILIES = Object.keys(FAMILIES) as MinerFamily[];

/** CryptoNight needs every family: Keccak, AES (and Grøstl), BLAKE (and Skein), JH. */
export function looksLikeCryptoNight(found: ReadonlySet<MinerFamily>): boolean {
  return ALL_FAMILIES.every((family) => found.has(family));
}
