/**
 * Decoding of value, reference and heap types, spelled as the text format spells them
 * (`i32`, `funcref`, `(ref null 3)`). The decoder also notes which proposals a type belongs to, so
 * the module reader can report proposals without a second pass.
 */
import type { ByteReader } from './byteReader';
import type { Proposal } from './model';

const NUMERIC: Record<number, string> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' };
const PACKED: Record<number, string> = { 0x78: 'i8', 0x77: 'i16' };

/** Abstract heap types (one byte each) and the proposal that introduced them. */
const ABSTRACT_HEAP: Record<number, { name: string; nullable: string; proposal: Proposal }> = {
  0x70: { name: 'func', nullable: 'funcref', proposal: 'reference-types' },
  0x6f: { name: 'extern', nullable: 'externref', proposal: 'reference-types' },
  0x6e: { name: 'any', nullable: 'anyref', proposal: 'gc' },
  0x6d: { name: 'eq', nullable: 'eqref', proposal: 'gc' },
  0x6c: { name: 'i31', nullable: 'i31ref', proposal: 'gc' },
  0x6b: { name: 'struct', nullable: 'structref', proposal: 'gc' },
  0x6a: { name: 'array', nullable: 'arrayref', proposal: 'gc' },
  0x69: { name: 'exn', nullable: 'exnref', proposal: 'exnref' },
  0x71: { name: 'none', nullable: 'nullref', proposal: 'gc' },
  0x72: { name: 'noextern', nullable: 'nullexternref', proposal: 'gc' },
  0x73: { name: 'nofunc', nullable: 'nullfuncref', proposal: 'gc' },
  0x74: { name: 'noexn', nullable: 'nullexnref', proposal: 'exnref' },
  0x68: { name: 'cont', nullable: 'contref', proposal: 'stack-switching' },
  0x75: { name: 'nocont', nullable: 'nullcontref', proposal: 'stack-switching' },
};

export const REF_NULL = 0x63;
export const REF = 0x64;

/** Collects proposals seen while decoding types. */
export type ProposalSink = Set<Proposal>;

/** A heap type: an abstract one by name, or a type index (typed references). */
export function readHeapType(r: ByteReader, seen: ProposalSink): string {
  const start = r.pos;
  const first = r.peekU8();
  const abstract = ABSTRACT_HEAP[first];
  if (abstract) {
    r.pos++;
    seen.add(abstract.proposal);
    return abstract.name;
  }
  const value = r.varSint(33);
  if (value < 0n) r.fail(`unknown heap type 0x${first.toString(16)}`, start);
  seen.add('function-references');
  return String(value);
}

/** A reference type after its leading byte (0x63 / 0x64 / an abstract shorthand). */
function readRefTypeAfter(r: ByteReader, lead: number, seen: ProposalSink): string | null {
  if (lead === REF_NULL || lead === REF) {
    const heap = readHeapType(r, seen);
    if (/^\d+$/.test(heap)) seen.add('function-references');
    else if (lead === REF) seen.add('function-references');
    if (lead === REF_NULL) {
      const short = Object.values(ABSTRACT_HEAP).find((h) => h.name === heap);
      return short ? short.nullable : `(ref null ${heap})`;
    }
    return `(ref ${heap})`;
  }
  const abstract = ABSTRACT_HEAP[lead];
  if (abstract) {
    seen.add(abstract.proposal);
    return abstract.nullable;
  }
  return null;
}

export function readValType(r: ByteReader, seen: ProposalSink): string {
  const start = r.pos;
  const lead = r.u8();
  const numeric = NUMERIC[lead];
  if (numeric) {
    if (lead === 0x7b) seen.add('simd');
    return numeric;
  }
  const ref = readRefTypeAfter(r, lead, seen);
  if (ref !== null) return ref;
  return r.fail(`malformed value type 0x${lead.toString(16)}`, start);
}

export function readRefType(r: ByteReader, seen: ProposalSink): string {
  const start = r.pos;
  const lead = r.u8();
  const ref = readRefTypeAfter(r, lead, seen);
  if (ref === null) r.fail(`malformed reference type 0x${lead.toString(16)}`, start);
  return ref;
}

/** A struct/array field's storage type: a value type or a packed i8/i16. */
export function readStorageType(r: ByteReader, seen: ProposalSink): string {
  const packed = PACKED[r.peekU8()];
  if (packed) {
    r.pos++;
    return packed;
  }
  return readValType(r, seen);
}
