/**
 * The fuel cost table (docs/metering.md lists it for users). Static costs are charged once per
 * straight-line segment at its start; the sizes of bulk operations are charged when they run.
 */
import { PREFIX_ATOMIC, PREFIX_GC, PREFIX_MISC, PREFIX_SIMD } from '../module/instructions';

export const COST = {
  /** Every instruction not listed below. */
  default: 1,
  /** call, call_indirect, call_ref and their tail-call forms, throw, resume and friends. */
  call: 5,
  /** memory.grow and table.grow, before the per-unit charge. */
  grow: 100,
  /** Atomic read-modify-write and wait/notify. */
  atomic: 3,
  /** memory.fill/copy/init: one unit per this many bytes (charged at run time). */
  bytesPerUnit: 16,
  /** memory.grow: units per page added (charged at run time) — 2^6 = 64. */
  growPageShift: 6,
} as const;

/** Fuel of one instruction, by opcode (and sub-opcode for prefixed ones). */
export function staticCost(op: number, sub: number): number {
  switch (op) {
    case 0x10: // call
    case 0x11: // call_indirect
    case 0x12: // return_call
    case 0x13: // return_call_indirect
    case 0x14: // call_ref
    case 0x15: // return_call_ref
    case 0x08: // throw
    case 0x09: // rethrow
    case 0x0a: // throw_ref
    case 0xe3: // resume
    case 0xe4: // resume_throw
    case 0xe2: // suspend
    case 0xe5: // switch
      return COST.call;
    case 0x40: // memory.grow
      return COST.grow;
    case PREFIX_MISC:
      return sub === 15 ? COST.grow : COST.default; // table.grow
    case PREFIX_ATOMIC:
      return sub <= 2 || sub >= 0x1e ? COST.atomic : COST.default;
    case PREFIX_GC:
    case PREFIX_SIMD:
    default:
      return COST.default;
  }
}
