/**
 * Opcode-count fingerprints of CryptoNight's building blocks, after MineSweeper (Konoth et al.,
 * CCS 2018): a miner has to carry Keccak (state init), AES rounds (the memory-hard loop) and the
 * four final hashes one of which each block picks (BLAKE-256, Grøstl-256, JH-256, Skein-256).
 * Compiled to WebAssembly, each shows up as a function dense in particular xor/shift/rotate/load
 * operations. One primitive alone is an ordinary hash library; the whole set is a miner.
 */
export type Primitive = 'keccak' | 'aes' | 'blake' | 'groestl' | 'jh' | 'skein';

export const PRIMITIVE_NAMES: Record<Primitive, string> = {
  keccak: 'Keccak-f[1600]',
  aes: 'AES rounds',
  blake: 'BLAKE-256',
  groestl: 'Grøstl-256',
  jh: 'JH-256',
  skein: 'Skein-256 (Threefish)',
};

type Counts = Record<string, number>;
const n = (c: Counts, ...ops: string[]) => ops.reduce((sum, op) => sum + (c[op] ?? 0), 0);

/**
 * Thresholds are per function and sit well below one unrolled round of each primitive, above
 * what ordinary code (parsers, compressors, allocators) puts in one function.
 */
const FINGERPRINTS: Record<Primitive, (c: Counts) => boolean> = {
  // θ, ρ, χ: 64-bit xors and rotations, and-with-not, and almost no additions.
  keccak: (c) =>
    n(c, 'i64.xor') >= 50 &&
    n(c, 'i64.rotl', 'i64.rotr') >= 20 &&
    n(c, 'i64.and') >= 20 &&
    n(c, 'i64.add') * 4 < n(c, 'i64.xor'),
  // T-table AES: byte extraction (shift + and 255), table loads, xors.
  aes: (c) =>
    n(c, 'i32.xor') >= 32 && n(c, 'i32.shr_u') >= 16 && n(c, 'i32.and') >= 16 && n(c, 'i32.load') >= 32,
  // ARX on 32-bit words with rotations.
  blake: (c) => n(c, 'i32.xor') >= 32 && n(c, 'i32.rotl', 'i32.rotr') >= 32 && n(c, 'i32.add') >= 32,
  // 64-bit T-table lookups: shift + and 255 on i64, 64-bit loads, xors.
  groestl: (c) =>
    n(c, 'i64.xor') >= 40 && n(c, 'i64.shr_u') >= 30 && n(c, 'i64.and') >= 30 && n(c, 'i64.load') >= 32,
  // Bitsliced S-boxes and the linear layer: and/or/xor with shifts, never rotations.
  jh: (c) =>
    n(c, 'i64.xor') >= 40 &&
    n(c, 'i64.and') >= 20 &&
    n(c, 'i64.or') >= 8 &&
    n(c, 'i64.shl', 'i64.shr_u') >= 20 &&
    n(c, 'i64.rotl', 'i64.rotr') === 0,
  // Threefish MIX: 64-bit add, rotate, xor.
  skein: (c) => n(c, 'i64.add') >= 40 && n(c, 'i64.rotl', 'i64.rotr') >= 20 && n(c, 'i64.xor') >= 20,
};

export function matchPrimitives(counts: Counts): Primitive[] {
  return (Object.keys(FINGERPRINTS) as Primitive[]).filter((p) => FINGERPRINTS[p](counts));
}

export const FINAL_HASHES: Primitive[] = ['blake', 'groestl', 'jh', 'skein'];

/** CryptoNight needs Keccak and AES, and at least three of the four final hashes. */
export function looksLikeCryptoNight(found: ReadonlySet<Primitive>): boolean {
  return found.has('keccak') && found.has('aes') && FINAL_HASHES.filter((p) => found.has(p)).length >= 3;
}
