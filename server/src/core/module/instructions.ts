/**
 * Skips the immediates of one instruction. Shared by the constant-expression reader (globals,
 * segment offsets) and the lazy function-body scan, so both agree on every opcode's encoding.
 * Covers the MVP plus threads, SIMD, relaxed SIMD, exceptions (both encodings), bulk memory,
 * reference types, typed function references, GC, tail calls, memory64, multi-memory,
 * wide arithmetic and stack switching.
 */
import type { ByteReader } from './byteReader';

/** Immediate shapes of the one-byte opcodes. */
const enum Imm {
  None,
  /** One LEB128 index or label. */
  Index,
  /** Two LEB128 indices. */
  TwoIndices,
  BlockType,
  MemArg,
  BrTable,
  I32,
  I64,
  F32,
  F64,
  HeapType,
  SelectTypes,
  TryTable,
  ResumeTable,
  ResumeThrowTable,
  Unknown,
}

const ONE_BYTE: Imm[] = new Array<Imm>(256).fill(Imm.Unknown);
function set(from: number, to: number, imm: Imm): void {
  for (let op = from; op <= to; op++) ONE_BYTE[op] = imm;
}
set(0x00, 0x01, Imm.None); // unreachable nop
set(0x02, 0x04, Imm.BlockType); // block loop if
set(0x05, 0x05, Imm.None); // else
set(0x06, 0x06, Imm.BlockType); // try (legacy exceptions)
set(0x07, 0x09, Imm.Index); // catch throw rethrow
set(0x0a, 0x0b, Imm.None); // throw_ref end
set(0x0c, 0x0d, Imm.Index); // br br_if
set(0x0e, 0x0e, Imm.BrTable);
set(0x0f, 0x0f, Imm.None); // return
set(0x10, 0x10, Imm.Index); // call
set(0x11, 0x11, Imm.TwoIndices); // call_indirect
set(0x12, 0x12, Imm.Index); // return_call
set(0x13, 0x13, Imm.TwoIndices); // return_call_indirect
set(0x14, 0x15, Imm.Index); // call_ref return_call_ref
set(0x18, 0x18, Imm.Index); // delegate
set(0x19, 0x19, Imm.None); // catch_all
set(0x1a, 0x1b, Imm.None); // drop select
set(0x1c, 0x1c, Imm.SelectTypes);
set(0x1f, 0x1f, Imm.TryTable);
set(0x20, 0x26, Imm.Index); // local.* global.* table.get/set
set(0x28, 0x3e, Imm.MemArg); // loads and stores
set(0x3f, 0x40, Imm.Index); // memory.size memory.grow
set(0x41, 0x41, Imm.I32);
set(0x42, 0x42, Imm.I64);
set(0x43, 0x43, Imm.F32);
set(0x44, 0x44, Imm.F64);
set(0x45, 0xc4, Imm.None); // numeric, including sign extension
set(0xd0, 0xd0, Imm.HeapType); // ref.null
set(0xd1, 0xd1, Imm.None); // ref.is_null
set(0xd2, 0xd2, Imm.Index); // ref.func
set(0xd3, 0xd3, Imm.None); // ref.as_non_null
set(0xd4, 0xd4, Imm.Index); // br_on_null
set(0xd5, 0xd5, Imm.None); // ref.eq
set(0xd6, 0xd6, Imm.Index); // br_on_non_null
set(0xe0, 0xe0, Imm.Index); // cont.new
set(0xe1, 0xe1, Imm.TwoIndices); // cont.bind
set(0xe2, 0xe2, Imm.Index); // suspend
set(0xe3, 0xe3, Imm.ResumeTable); // resume
set(0xe4, 0xe4, Imm.ResumeThrowTable); // resume_throw
set(0xe5, 0xe5, Imm.TwoIndices); // switch

/**
 * Opcode shapes the hot body loop skips inline; everything else (and any unusual encoding of
 * these) goes through the bounds-checked reader.
 */
export const enum FastShape {
  Other = 0,
  /** No immediates. */
  None = 1,
  /** One LEB128 (index, label or integer constant). */
  Leb = 2,
  /** A memarg: alignment (without the multi-memory flag) and offset. */
  MemArg = 3,
  /** Two LEB128 indices (call_indirect). */
  TwoLebs = 4,
  /** A block type: usually one byte (empty or a value type). */
  Block = 5,
  /** f32.const. */
  Fixed4 = 6,
  /** f64.const. */
  Fixed8 = 7,
  /** The SIMD prefix (see SIMD_MEMARG and SIMD_TRAILING_BYTES). */
  Simd = 8,
  /** The call family and `ref.func`, when the body pass records calls (code.ts's CALL_SHAPE). */
  Call = 9,
}

export const FAST_SHAPE = new Uint8Array(256);
for (let op = 0; op < 256; op++) {
  const imm = ONE_BYTE[op];
  if (imm === Imm.None) FAST_SHAPE[op] = FastShape.None;
  else if (imm === Imm.Index || imm === Imm.I32 || imm === Imm.I64) FAST_SHAPE[op] = FastShape.Leb;
  else if (imm === Imm.MemArg) FAST_SHAPE[op] = FastShape.MemArg;
  else if (imm === Imm.TwoIndices) FAST_SHAPE[op] = FastShape.TwoLebs;
  else if (imm === Imm.BlockType) FAST_SHAPE[op] = FastShape.Block;
  else if (imm === Imm.F32) FAST_SHAPE[op] = FastShape.Fixed4;
  else if (imm === Imm.F64) FAST_SHAPE[op] = FastShape.Fixed8;
}
FAST_SHAPE[0xfd] = FastShape.Simd;

/** SIMD instructions below 0x100 that take a memarg (loads, stores, lane loads and stores). */
export const SIMD_MEMARG = new Uint8Array(256);
/** Bytes after the memarg (if any) of each SIMD instruction below 0x100: constants, shuffles, lanes. */
export const SIMD_TRAILING_BYTES = new Uint8Array(256);
for (let sub = 0; sub < 256; sub++) {
  if (sub <= 11 || (sub >= 84 && sub <= 93)) SIMD_MEMARG[sub] = 1;
  if (sub === 12 || sub === 13)
    SIMD_TRAILING_BYTES[sub] = 16; // v128.const, i8x16.shuffle
  else if ((sub >= 21 && sub <= 34) || (sub >= 84 && sub <= 91)) SIMD_TRAILING_BYTES[sub] = 1; // lane index
}

export const PREFIX_GC = 0xfb;
export const PREFIX_MISC = 0xfc;
export const PREFIX_SIMD = 0xfd;
export const PREFIX_ATOMIC = 0xfe;

/** Reads a `try_table`'s immediates (after its opcode), passing each catch clause's label to `label`. */
export function readTryTable(r: ByteReader, label?: (index: number) => void): void {
  skipBlockType(r);
  const n = r.count(2);
  for (let i = 0; i < n; i++) {
    const kind = r.u8();
    if (kind === 0x00 || kind === 0x01)
      r.varU32(); // tag
    else if (kind !== 0x02 && kind !== 0x03) r.fail(`unknown catch clause kind ${kind}`, r.pos - 1);
    const index = r.varU32();
    label?.(index);
  }
}

function skipBlockType(r: ByteReader): void {
  const lead = r.peekU8();
  if (lead === 0x63 || lead === 0x64) {
    r.pos++;
    r.skipVarInt(33);
  } else {
    r.skipVarInt(33); // 0x40, a value type byte, or a type index (multi-value)
  }
}

function skipMemArg(r: ByteReader): void {
  const align = r.varU32();
  if (align & 0x40) r.varU32(); // multi-memory: explicit memory index
  r.skipVarInt(64); // offset (u64 with memory64)
}

function skipHandlers(r: ByteReader): void {
  const n = r.count(2);
  for (let i = 0; i < n; i++) {
    const kind = r.u8();
    if (kind === 0x00) {
      r.varU32();
      r.varU32();
    } else if (kind === 0x01) {
      r.varU32();
    } else r.fail(`unknown resume handler kind ${kind}`, r.pos - 1);
  }
}

/** Skips the immediates of the one-byte opcode `op` (already read). */
export function skipImmediates(r: ByteReader, op: number): void {
  switch (ONE_BYTE[op]) {
    case Imm.None:
      return;
    case Imm.Index:
      r.varU32();
      return;
    case Imm.TwoIndices:
      r.varU32();
      r.varU32();
      return;
    case Imm.BlockType:
      skipBlockType(r);
      return;
    case Imm.MemArg:
      skipMemArg(r);
      return;
    case Imm.BrTable: {
      const n = r.count(1);
      for (let i = 0; i <= n; i++) r.varU32();
      return;
    }
    case Imm.I32:
      r.skipVarInt(32);
      return;
    case Imm.I64:
      r.skipVarInt(64);
      return;
    case Imm.F32:
      r.skip(4);
      return;
    case Imm.F64:
      r.skip(8);
      return;
    case Imm.HeapType:
      r.skipVarInt(33);
      return;
    case Imm.SelectTypes: {
      const n = r.count(1);
      for (let i = 0; i < n; i++) {
        const lead = r.u8();
        if (lead === 0x63 || lead === 0x64) r.skipVarInt(33);
      }
      return;
    }
    case Imm.TryTable:
      readTryTable(r);
      return;
    case Imm.ResumeTable:
      r.varU32();
      skipHandlers(r);
      return;
    case Imm.ResumeThrowTable:
      r.varU32();
      r.varU32();
      skipHandlers(r);
      return;
    default:
      r.fail(`illegal opcode 0x${op.toString(16)}`, r.pos - 1);
  }
}

/** Skips the immediates of a 0xFB (GC) instruction with sub-opcode `sub`. */
export function skipGcImmediates(r: ByteReader, sub: number): void {
  if (sub <= 1 || (sub >= 6 && sub <= 7) || (sub >= 11 && sub <= 14) || sub === 16) r.varU32();
  else if (
    (sub >= 2 && sub <= 5) ||
    sub === 8 ||
    sub === 9 ||
    sub === 10 ||
    sub === 17 ||
    sub === 18 ||
    sub === 19
  ) {
    r.varU32();
    r.varU32();
  } else if (sub === 15 || (sub >= 26 && sub <= 30)) return;
  else if (sub >= 20 && sub <= 23) r.skipVarInt(33);
  else if (sub === 24 || sub === 25) {
    r.u8(); // cast flags
    r.varU32();
    r.skipVarInt(33);
    r.skipVarInt(33);
  } else r.fail(`illegal GC opcode 0xfb ${sub}`);
}

/** Skips the immediates of a 0xFC (saturating truncation, bulk memory, tables, wide arithmetic) instruction. */
export function skipMiscImmediates(r: ByteReader, sub: number): void {
  if (sub <= 7 || (sub >= 19 && sub <= 22)) return;
  if (sub === 8 || sub === 10 || sub === 12 || sub === 14) {
    r.varU32();
    r.varU32();
  } else if (sub === 9 || sub === 11 || sub === 13 || (sub >= 15 && sub <= 17)) r.varU32();
  else r.fail(`illegal opcode 0xfc ${sub}`);
}

/** Skips the immediates of a 0xFD (SIMD) instruction. */
export function skipSimdImmediates(r: ByteReader, sub: number): void {
  if (sub < 256) {
    if (SIMD_MEMARG[sub]) skipMemArg(r);
    r.skip(SIMD_TRAILING_BYTES[sub]);
  } else if (sub > 0x113) r.fail(`illegal SIMD opcode 0xfd ${sub}`);
}

/** Skips the immediates of a 0xFE (atomics) instruction. */
export function skipAtomicImmediates(r: ByteReader, sub: number): void {
  if (sub === 3)
    r.u8(); // atomic.fence
  else if (sub <= 2 || (sub >= 0x10 && sub <= 0x4e)) skipMemArg(r);
  else r.fail(`illegal atomic opcode 0xfe ${sub}`);
}

/** Skips one whole instruction whose first byte `op` was already read, prefixed ones included. Returns the sub-opcode for prefixed instructions, else -1. */
export function skipInstruction(r: ByteReader, op: number): number {
  switch (op) {
    case PREFIX_GC: {
      const sub = r.varU32();
      skipGcImmediates(r, sub);
      return sub;
    }
    case PREFIX_MISC: {
      const sub = r.varU32();
      skipMiscImmediates(r, sub);
      return sub;
    }
    case PREFIX_SIMD: {
      const sub = r.varU32();
      skipSimdImmediates(r, sub);
      return sub;
    }
    case PREFIX_ATOMIC: {
      const sub = r.varU32();
      skipAtomicImmediates(r, sub);
      return sub;
    }
    default:
      skipImmediates(r, op);
      return -1;
  }
}
