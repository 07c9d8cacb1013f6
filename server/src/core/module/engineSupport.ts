/**
 * Which WebAssembly proposals the running engine (this Node's V8) can validate, found by asking it
 * to validate one tiny probe module per proposal rather than by a version table, so the answer stays
 * right on any Node version. Results are cached for the process.
 */
import type { Proposal } from './model';

/** The engine entry points validation needs (the project's libs do not declare `WebAssembly`). */
export const engine = (
  globalThis as unknown as {
    WebAssembly: {
      validate(bytes: Uint8Array): boolean;
      Module: new (bytes: Uint8Array) => object;
    };
  }
).WebAssembly;

/** Smallest modules that use each proposal (hex); proposals absent here are older than Node 20. */
const PROBES: Partial<Record<Proposal, string>> = {
  // (memory i64 1)
  memory64: '0061736d010000000503010401',
  // (memory 1) (memory 1)
  'multi-memory': '0061736d0100000005050200010001',
  // (type (struct))
  gc: '0061736d010000000103015f00',
  // (func (param exnref))
  exnref: '0061736d0100000001050160016900030201000a040102000b',
  // i8x16.relaxed_swizzle
  'relaxed-simd': '0061736d0100000001070160027b7b017b030201000a0b01090020002001fd80020b',
  // (global i32 (i32.add (i32.const 1) (i32.const 2)))
  'extended-const': '0061736d010000000609017f00410141026a0b',
  // (type $t (func)) (func (param (ref $t)))
  'function-references': '0061736d010000000109026000006001640000030201010a040102000b',
  // (func return_call 0)
  'tail-call': '0061736d01000000010401600000030201000a0601040012000b',
  // (memory 1 1 shared)
  threads: '0061736d01000000050401030101',
  // (func (param v128))
  simd: '0061736d0100000001050160017b00030201000a040102000b',
  // (tag)
  exceptions: '0061736d010000000104016000000d03010000',
  // (func (param externref))
  'reference-types': '0061736d0100000001050160016f00030201000a040102000b',
  // i64.add128
  'wide-arithmetic': '0061736d01000000010a0160047e7e7e7e027e7e030201000a0e010c002000200120022003fc130b',
  // (memory 1 (pagesize 1))
  'custom-page-sizes': '0061736d01000000050401080100',
  // (type (func)) (type (cont 0))
  'stack-switching': '0061736d010000000106026000005d00',
};

const cache = new Map<Proposal, boolean>();

export function engineSupports(proposal: Proposal): boolean {
  const probe = PROBES[proposal];
  if (probe === undefined) return true;
  const known = cache.get(proposal);
  if (known !== undefined) return known;
  let supported: boolean;
  try {
    supported = engine.validate(Buffer.from(probe, 'hex'));
  } catch {
    supported = false;
  }
  cache.set(proposal, supported);
  return supported;
}

export function unsupportedProposals(proposals: Iterable<Proposal>): Proposal[] {
  return [...proposals].filter((p) => !engineSupports(p));
}

/** "Node 20.20.2 / V8 11.3.244.8" */
export function engineName(): string {
  return `Node ${process.versions.node} / V8 ${process.versions.v8}`;
}
