/**
 * The one pass over function bodies: for rules that look at code (cryptominer fingerprints,
 * indirect-call counts), for the proposals only visible in instructions (SIMD, atomics, tail
 * calls, exception opcodes) and, when asked, for the call graph (every call instruction and
 * `ref.func`, recorded in a CallSiteLog that reach/callGraph.ts turns into edges). It walks each
 * body once, counting the opcodes rules ask about and skipping every other instruction's
 * immediates; nothing is allocated per instruction.
 */
import { ByteReader, MalformedError } from './byteReader';
import { IntList } from './intList';
import { readBinaryModule } from './binary';
import { allCoreModules } from './component';
import { invalidModule, sortProposals } from './coreModule';
import {
  FAST_SHAPE,
  FastShape,
  PREFIX_ATOMIC,
  PREFIX_GC,
  PREFIX_MISC,
  PREFIX_SIMD,
  SIMD_MEMARG,
  SIMD_TRAILING_BYTES,
  skipInstruction,
} from './instructions';
import type { ModuleFacts, Proposal } from './model';
import { readValType } from './valueTypes';
import type { Finding } from '../findings';
import type { SourceLocation } from '../location';

/** Per-function counts of the opcodes rules use (i32 and i64 forms counted together). */
export interface OpcodeCounts {
  instructions: number;
  xor: number;
  shl: number;
  shrU: number;
  shrS: number;
  rotl: number;
  rotr: number;
  and: number;
  or: number;
  /** Integer add. */
  add: number;
  /** Integer mul. */
  mul: number;
  /** Integer loads (i32/i64, all widths). */
  load: number;
  /** Integer stores (i32/i64, all widths). */
  store: number;
  /** call and return_call. */
  call: number;
  /** call_indirect and return_call_indirect. */
  callIndirect: number;
  /** call_ref and return_call_ref. */
  callRef: number;
  loop: number;
  /** Atomic memory instructions (0xFE prefix). */
  atomic: number;
  /** SIMD instructions (0xFD prefix). */
  simd: number;
}

export interface FunctionBodyStats {
  /** Index in the function index space (imported functions first). */
  index: number;
  /** Offset of the body (after its size) in the file, and its size. */
  bodyOffset: number;
  bodySize: number;
  counts: OpcodeCounts;
  /** In a component: which core module (index in `allCoreModules` order) the function is in. */
  module?: number;
  /** The function's location in the file (its body with the size prefix), also inside components. */
  location: SourceLocation;
}

/**
 * The call instructions (`call`, `call_indirect`, `return_call*`, `call_ref*`) and `ref.func`s of
 * one core module's bodies, in body order, as the body pass met them: the call graph's input.
 */
export class CallSiteLog {
  /** Per call: the calling function, its opcode, the opcode's byte offset. */
  readonly caller = new IntList();
  readonly op = new IntList();
  readonly offset = new IntList();
  /** The first immediate (function or type index) and the second (call_indirect's table, else 0), as u32 bits. */
  readonly first = new IntList();
  readonly second = new IntList();
  /** Functions whose address a `ref.func` in a body takes. */
  readonly refFuncs = new IntList();
  /** Bodies that could not be read to the end (their calls before the bad byte are kept). */
  readonly problems: Array<{ funcIndex: number; offset: number; message: string }> = [];

  get length(): number {
    return this.caller.length;
  }

  /** Logs one call (a module with 500,000 calls logs them all: one growth check for the five lists). */
  add(caller: number, op: number, offset: number, first: number, second: number): void {
    const i = this.caller.length;
    if (i === this.caller.data.length) this.grow();
    this.caller.data[i] = caller;
    this.op.data[i] = op;
    this.offset.data[i] = offset;
    this.first.data[i] = first;
    this.second.data[i] = second;
    this.caller.length = this.op.length = this.offset.length = this.first.length = this.second.length = i + 1;
  }

  private grow(): void {
    for (const list of [this.caller, this.op, this.offset, this.first, this.second]) {
      const grown = new Int32Array(list.data.length * 2);
      grown.set(list.data);
      list.data = grown;
    }
  }
}

export interface BodyScanOptions {
  /** Facts already read from the same bytes (saves reading them again). */
  facts?: ModuleFacts;
  /** Record every call and `ref.func` here (a core module's facts only: not a component's). */
  calls?: CallSiteLog;
  /** Called for each function as it is scanned; return `false` to stop early. */
  onFunction?: (stats: FunctionBodyStats) => void | boolean;
  /** Keep every function's stats in the result (default true; set false with `onFunction` to stream). */
  collect?: boolean;
}

export interface BodyScanResult {
  functions: FunctionBodyStats[];
  /** Proposals seen in bodies (locals and instructions). */
  proposals: Proposal[];
  /** Malformed bodies, located at the offending byte. */
  problems: Finding[];
}

/**
 * A body's counts from its opcode tally (prefixed instructions tallied under their prefix byte).
 * The hot loop only bumps one array slot per instruction, cheaper than a switch on each opcode.
 */
function countsFromTally(t: Int32Array, instructions: number): OpcodeCounts {
  let load = t[0x28] + t[0x29];
  for (let op = 0x2c; op <= 0x35; op++) load += t[op];
  let store = t[0x36] + t[0x37];
  for (let op = 0x3a; op <= 0x3e; op++) store += t[op];
  return {
    instructions,
    xor: t[0x73] + t[0x85],
    shl: t[0x74] + t[0x86],
    shrS: t[0x75] + t[0x87],
    shrU: t[0x76] + t[0x88],
    rotl: t[0x77] + t[0x89],
    rotr: t[0x78] + t[0x8a],
    and: t[0x71] + t[0x83],
    or: t[0x72] + t[0x84],
    add: t[0x6a] + t[0x7c],
    mul: t[0x6c] + t[0x7e],
    load,
    store,
    call: t[0x10] + t[0x12],
    callIndirect: t[0x11] + t[0x13],
    callRef: t[0x14] + t[0x15],
    loop: t[0x03],
    atomic: t[PREFIX_ATOMIC],
    simd: t[PREFIX_SIMD],
  };
}

/** Proposals introduced by single-byte opcodes. */
const OPCODE_PROPOSAL: Array<Proposal | undefined> = new Array<Proposal | undefined>(256);
for (const op of [0x06, 0x07, 0x08, 0x09, 0x18, 0x19]) OPCODE_PROPOSAL[op] = 'exceptions';
for (const op of [0x0a, 0x1f]) OPCODE_PROPOSAL[op] = 'exnref';
for (const op of [0x12, 0x13, 0x15]) OPCODE_PROPOSAL[op] = 'tail-call';
for (const op of [0x14, 0xd3, 0xd4, 0xd6]) OPCODE_PROPOSAL[op] = 'function-references';
for (const op of [0xc0, 0xc1, 0xc2, 0xc3, 0xc4]) OPCODE_PROPOSAL[op] = 'sign-extension';
for (const op of [0x1c, 0x25, 0x26, 0xd0, 0xd1, 0xd2]) OPCODE_PROPOSAL[op] = 'reference-types';
OPCODE_PROPOSAL[0xd5] = 'gc';
for (let op = 0xe0; op <= 0xe5; op++) OPCODE_PROPOSAL[op] = 'stack-switching';
const PROPOSAL_OPCODES = [...OPCODE_PROPOSAL.keys()].filter((op) => OPCODE_PROPOSAL[op] !== undefined);

function miscProposal(sub: number): Proposal {
  if (sub <= 7) return 'saturating-float-to-int';
  if (sub <= 14) return 'bulk-memory';
  if (sub <= 17) return 'reference-types';
  return 'wide-arithmetic';
}

/**
 * Skips one LEB128 from `pos` and returns the position after it, or -1 when it is longer than
 * four bytes or runs past `end` (the careful reader then decides whether it is malformed). Reading
 * past the array gives `undefined`, which ends the loop, so this never runs away.
 */
export function skipShortLeb(bytes: Uint8Array, pos: number, end: number): number {
  const start = pos;
  while ((bytes[pos++] & 0x80) !== 0);
  return pos - start > 4 || pos > end ? -1 : pos;
}

/**
 * Skips a SIMD instruction below 0x100 (after its prefix) whose immediates are short; -1 for
 * anything else, relaxed SIMD included, which the careful reader handles.
 */
export function skipShortSimd(bytes: Uint8Array, pos: number, end: number): number {
  let sub = bytes[pos++];
  if (sub >= 0x80) {
    const high = bytes[pos++];
    if (high >= 0x02) return -1; // 0x100 and above, or a longer encoding
    sub = (sub & 0x7f) | (high << 7);
  }
  if (SIMD_MEMARG[sub]) {
    if ((bytes[pos] & 0xc0) !== 0) return -1; // a memory index follows (multi-memory)
    pos = skipShortLeb(bytes, pos, end);
    if (pos >= 0) pos = skipShortLeb(bytes, pos, end);
    if (pos < 0) return -1;
  }
  pos += SIMD_TRAILING_BYTES[sub];
  return pos > end ? -1 : pos;
}

/** FAST_SHAPE with the call family and `ref.func` marked, for a pass that records calls. */
const CALL_SHAPE = FAST_SHAPE.slice();
for (let op = 0x10; op <= 0x15; op++) CALL_SHAPE[op] = FastShape.Call;
CALL_SHAPE[0xd2] = FastShape.Call;

/** Reads a call's (or `ref.func`'s) immediates at `r.pos` into the log. */
function recordCall(r: ByteReader, op: number, at: number, funcIndex: number, calls: CallSiteLog): void {
  if (op === 0xd2) {
    calls.refFuncs.push(r.varU32());
    return;
  }
  const first = r.varU32();
  const second = op === 0x11 || op === 0x13 ? r.varU32() : 0;
  calls.add(funcIndex, op, at, first, second);
}

/**
 * Scans one body, tallying every opcode into `tally` (prefixed ones under their prefix byte) and,
 * with `calls`, logging its calls; returns the number of instructions. Throws MalformedError on
 * bad bytes.
 */
function scanBody(
  r: ByteReader,
  tally: Int32Array,
  seen: Set<Proposal>,
  funcIndex: number,
  calls: CallSiteLog | undefined,
): number {
  const shapes = calls ? CALL_SHAPE : FAST_SHAPE;
  const localGroups = r.count(2);
  for (let i = 0; i < localGroups; i++) {
    r.varU32();
    readValType(r, seen);
  }
  const bytes = r.bytes;
  const end = r.end;
  let pos = r.pos;
  let last = -1;
  let instructions = 0;
  let simd = false;
  while (pos < end) {
    const at = pos;
    const op = bytes[pos++];
    last = op;
    instructions++;
    tally[op]++;
    // The common shapes with short immediates are skipped inline; anything else, or anything
    // unusual about these, goes through the bounds-checked reader from the opcode on.
    const shape = shapes[op];
    if (shape === FastShape.None) continue;
    // Most immediates are one-byte indices (locals, labels): the commonest case, tested first.
    if (shape === FastShape.Leb && bytes[pos] < 0x80 && pos < end) {
      pos++;
      continue;
    }
    // Next, loads and stores with a one-byte alignment (no memory index) and a one-byte offset.
    if (shape === FastShape.MemArg && bytes[pos] < 0x40 && bytes[pos + 1] < 0x80 && pos + 2 <= end) {
      pos += 2;
      continue;
    }
    let next = -1;
    switch (shape) {
      case FastShape.Leb:
        next = skipShortLeb(bytes, pos, end);
        break;
      case FastShape.TwoLebs:
        next = skipShortLeb(bytes, pos, end);
        if (next >= 0) next = skipShortLeb(bytes, next, end);
        break;
      case FastShape.MemArg:
        // Bit 6 of the alignment announces a memory index (multi-memory): left to the reader.
        if ((bytes[pos] & 0xc0) === 0) next = skipShortLeb(bytes, pos, end);
        if (next >= 0) next = skipShortLeb(bytes, next, end);
        break;
      case FastShape.Fixed4:
        if (pos + 4 <= end) next = pos + 4;
        break;
      case FastShape.Fixed8:
        if (pos + 8 <= end) next = pos + 8;
        break;
      case FastShape.Simd:
        next = skipShortSimd(bytes, pos, end);
        if (next >= 0) simd = true;
        break;
      case FastShape.Call:
        r.pos = pos;
        recordCall(r, op, at, funcIndex, calls!);
        next = r.pos;
        break;
      case FastShape.Block: {
        if (pos >= end) break;
        const b = bytes[pos];
        // The empty block type (0x40) and one-byte value types have bits 7-6 at 01; a type index
        // (multi-value) does not. A reference type (0x63/0x64 + heap type) is read carefully below.
        if ((b & 0xc0) !== 0x40) seen.add('multi-value');
        else if (b !== 0x63 && b !== 0x64) next = pos + 1;
        break;
      }
    }
    if (next >= 0) {
      pos = next;
      continue;
    }
    r.pos = at + 1;
    const sub = skipInstruction(r, op);
    pos = r.pos;
    if (sub >= 0) {
      if (op === PREFIX_SIMD) seen.add(sub >= 0x100 ? 'relaxed-simd' : 'simd');
      else if (op === PREFIX_ATOMIC) seen.add('threads');
      else if (op === PREFIX_GC) seen.add('gc');
      else if (op === PREFIX_MISC) seen.add(miscProposal(sub));
    }
  }
  if (simd) seen.add('simd');
  r.pos = pos;
  if (last !== 0x0b) r.fail('function body must end with the end opcode (0x0b)', Math.max(r.end - 1, 0));
  return instructions;
}

/**
 * Walks every function body of a core module, or of every core module inside a component (each
 * function then says which module it is in). Offsets are absolute in `bytes`; to scan one module
 * nested in a component, pass its facts (read from the whole file) and the whole file's bytes.
 */
export function scanFunctionBodies(bytes: Uint8Array, options: BodyScanOptions = {}): BodyScanResult {
  const facts = options.facts ?? readBinaryModule(bytes);
  const collect = options.collect ?? true;
  const calls = facts.kind === 'module' ? options.calls : undefined;
  const seen = new Set<Proposal>();
  const result: BodyScanResult = { functions: [], proposals: [], problems: [] };
  const modules = facts.kind === 'component' ? allCoreModules(facts) : [facts];
  const tally = new Int32Array(256);
  // Without a caller for each function's counts, one tally runs over every body (proposals only).
  const perFunction = collect || options.onFunction !== undefined;
  const r = new ByteReader(bytes, 0, 0); // one reader, moved from body to body
  scan: for (const [moduleIndex, module] of modules.entries()) {
    for (const fn of module.functions) {
      if (fn.bodyOffset === undefined || fn.bodySize === undefined) continue;
      if (perFunction) tally.fill(0);
      let instructions = 0;
      r.pos = fn.bodyOffset;
      r.end = fn.bodyOffset + fn.bodySize;
      try {
        instructions = scanBody(r, tally, seen, fn.index, calls);
      } catch (error) {
        const offset = error instanceof MalformedError ? error.offset : fn.bodyOffset;
        const message = (error as Error).message;
        calls?.problems.push({ funcIndex: fn.index, offset, message });
        result.problems.push(invalidModule(`function ${fn.index}: ${message}`, offset, bytes.length));
      }
      if (!perFunction) continue;
      for (const op of PROPOSAL_OPCODES) if (tally[op] > 0) seen.add(OPCODE_PROPOSAL[op]!);
      const stats: FunctionBodyStats = {
        index: fn.index,
        bodyOffset: fn.bodyOffset,
        bodySize: fn.bodySize,
        counts: countsFromTally(tally, instructions),
        location: fn.location,
      };
      if (facts.kind === 'component') stats.module = moduleIndex;
      if (collect) result.functions.push(stats);
      if (options.onFunction?.(stats) === false) break scan;
    }
  }
  if (!perFunction) for (const op of PROPOSAL_OPCODES) if (tally[op] > 0) seen.add(OPCODE_PROPOSAL[op]!);
  result.proposals = sortProposals(seen);
  return result;
}

/**
 * Section-level and body-level proposals together: everything the module uses. `calls`: log the
 * calls on the way too (a core module's), for a call graph built next (reach/callGraph.ts).
 */
export function allProposals(
  bytes: Uint8Array,
  facts: ModuleFacts = readBinaryModule(bytes),
  calls?: CallSiteLog,
): Proposal[] {
  const fromBodies = scanFunctionBodies(bytes, { facts, collect: false, calls }).proposals;
  return sortProposals([...facts.proposals, ...fromBodies]);
}

/**
 * `allProposals` of a module or component and of every module and component nested in it, each
 * body walked once (a component's proposals are its own and those of every core module inside).
 * `calls`: log the top core module's calls on the way (for its call graph).
 */
export function allProposalsNested(
  bytes: Uint8Array,
  facts: ModuleFacts,
  calls?: CallSiteLog,
): Map<ModuleFacts, Proposal[]> {
  const fromBodies = new Map<ModuleFacts, Proposal[]>();
  const bodyProposals = (core: ModuleFacts): Proposal[] => {
    let found = fromBodies.get(core);
    if (!found) {
      const log = core === facts ? calls : undefined;
      found = scanFunctionBodies(bytes, { facts: core, collect: false, calls: log }).proposals;
      fromBodies.set(core, found);
    }
    return found;
  };
  const result = new Map<ModuleFacts, Proposal[]>();
  const visit = (m: ModuleFacts): void => {
    result.set(m, sortProposals([...m.proposals, ...allCoreModules(m).flatMap(bodyProposals)]));
    (m.modules ?? []).forEach(visit);
  };
  visit(facts);
  return result;
}
