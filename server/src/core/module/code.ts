/**
 * The lazy pass over function bodies, for rules that look at code (cryptominer fingerprints,
 * indirect-call counts) and for the proposals only visible in instructions (SIMD, atomics, tail
 * calls, exception opcodes). It walks each body once, counting the opcodes rules ask about and
 * skipping every other instruction's immediates; nothing is allocated per instruction.
 */
import { ByteReader, MalformedError } from './byteReader';
import { readBinaryModule } from './binary';
import { allCoreModules } from './component';
import { invalidModule, sortProposals } from './coreModule';
import {
  FAST_SHAPE,
  PREFIX_ATOMIC,
  PREFIX_GC,
  PREFIX_MISC,
  PREFIX_SIMD,
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

export interface BodyScanOptions {
  /** Facts already read from the same bytes (saves reading them again). */
  facts?: ModuleFacts;
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

function emptyCounts(): OpcodeCounts {
  return {
    instructions: 0,
    xor: 0,
    shl: 0,
    shrU: 0,
    shrS: 0,
    rotl: 0,
    rotr: 0,
    and: 0,
    or: 0,
    add: 0,
    mul: 0,
    load: 0,
    store: 0,
    call: 0,
    callIndirect: 0,
    callRef: 0,
    loop: 0,
    atomic: 0,
    simd: 0,
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

function miscProposal(sub: number): Proposal {
  if (sub <= 7) return 'saturating-float-to-int';
  if (sub <= 14) return 'bulk-memory';
  if (sub <= 17) return 'reference-types';
  return 'wide-arithmetic';
}

/** Scans one body [start, end) and adds its counts; throws MalformedError on bad bytes. */
function scanBody(r: ByteReader, counts: OpcodeCounts, seen: Set<Proposal>): void {
  const localGroups = r.count(2);
  for (let i = 0; i < localGroups; i++) {
    r.varU32();
    readValType(r, seen);
  }
  const bytes = r.bytes;
  const end = r.end;
  let pos = r.pos;
  let last = -1;
  while (pos < end) {
    const op = bytes[pos++];
    last = op;
    counts.instructions++;
    switch (op) {
      case 0x73:
      case 0x85:
        counts.xor++;
        continue;
      case 0x74:
      case 0x86:
        counts.shl++;
        continue;
      case 0x75:
      case 0x87:
        counts.shrS++;
        continue;
      case 0x76:
      case 0x88:
        counts.shrU++;
        continue;
      case 0x77:
      case 0x89:
        counts.rotl++;
        continue;
      case 0x78:
      case 0x8a:
        counts.rotr++;
        continue;
      case 0x71:
      case 0x83:
        counts.and++;
        continue;
      case 0x72:
      case 0x84:
        counts.or++;
        continue;
      case 0x6a:
      case 0x7c:
        counts.add++;
        continue;
      case 0x6c:
      case 0x7e:
        counts.mul++;
        continue;
      case 0x03:
        counts.loop++;
        break;
      case 0x10:
      case 0x12:
        counts.call++;
        break;
      case 0x11:
      case 0x13:
        counts.callIndirect++;
        break;
      case 0x14:
      case 0x15:
        counts.callRef++;
        break;
      case PREFIX_SIMD:
        counts.simd++;
        break;
      case PREFIX_ATOMIC:
        counts.atomic++;
        break;
      default:
        if ((op >= 0x28 && op <= 0x29) || (op >= 0x2c && op <= 0x35)) counts.load++;
        else if ((op >= 0x36 && op <= 0x37) || (op >= 0x3a && op <= 0x3e)) counts.store++;
    }
    const proposal = OPCODE_PROPOSAL[op];
    if (proposal !== undefined) seen.add(proposal);
    if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x06 || op === 0x1f) {
      // A block type that is a type index (not 0x40 or a one-byte value type) is multi-value.
      const b = bytes[pos];
      if (pos < end && (b & 0xc0) !== 0x40 && b !== 0x63 && b !== 0x64) seen.add('multi-value');
    }
    // Inline fast paths for the common shapes with one-byte immediates; everything else (and any
    // multi-byte or truncated immediate) goes through the bounds-checked reader.
    const shape = FAST_SHAPE[op];
    if (shape === 1) continue;
    if (shape === 2 && pos < end && (bytes[pos] & 0x80) === 0) {
      pos++;
      continue;
    }
    if (shape === 3 && pos + 1 < end && (bytes[pos] & 0xc0) === 0 && (bytes[pos + 1] & 0x80) === 0) {
      pos += 2;
      continue;
    }
    r.pos = pos;
    const sub = skipInstruction(r, op);
    pos = r.pos;
    if (sub >= 0) {
      if (op === PREFIX_SIMD) seen.add(sub >= 0x100 ? 'relaxed-simd' : 'simd');
      else if (op === PREFIX_ATOMIC) seen.add('threads');
      else if (op === PREFIX_GC) seen.add('gc');
      else if (op === PREFIX_MISC) seen.add(miscProposal(sub));
    }
  }
  r.pos = pos;
  if (last !== 0x0b) r.fail('function body must end with the end opcode (0x0b)', Math.max(r.end - 1, 0));
}

/**
 * Walks every function body of a core module, or of every core module inside a component (each
 * function then says which module it is in). Offsets are absolute in `bytes`; to scan one module
 * nested in a component, pass its facts (read from the whole file) and the whole file's bytes.
 */
export function scanFunctionBodies(bytes: Uint8Array, options: BodyScanOptions = {}): BodyScanResult {
  const facts = options.facts ?? readBinaryModule(bytes);
  const collect = options.collect ?? true;
  const seen = new Set<Proposal>();
  const result: BodyScanResult = { functions: [], proposals: [], problems: [] };
  const modules = facts.kind === 'component' ? allCoreModules(facts) : [facts];
  scan: for (const [moduleIndex, module] of modules.entries()) {
    for (const fn of module.functions) {
      if (fn.bodyOffset === undefined || fn.bodySize === undefined) continue;
      const counts = emptyCounts();
      const r = new ByteReader(bytes, fn.bodyOffset, fn.bodyOffset + fn.bodySize);
      try {
        scanBody(r, counts, seen);
      } catch (error) {
        const offset = error instanceof MalformedError ? error.offset : fn.bodyOffset;
        result.problems.push(
          invalidModule(`function ${fn.index}: ${(error as Error).message}`, offset, bytes.length),
        );
      }
      const stats: FunctionBodyStats = {
        index: fn.index,
        bodyOffset: fn.bodyOffset,
        bodySize: fn.bodySize,
        counts,
        location: fn.location,
      };
      if (facts.kind === 'component') stats.module = moduleIndex;
      if (collect) result.functions.push(stats);
      if (options.onFunction?.(stats) === false) break scan;
    }
  }
  result.proposals = sortProposals(seen);
  return result;
}

/** Section-level and body-level proposals together: everything the module uses. */
export function allProposals(bytes: Uint8Array, facts: ModuleFacts = readBinaryModule(bytes)): Proposal[] {
  const fromBodies = scanFunctionBodies(bytes, { facts, collect: false }).proposals;
  return sortProposals([...facts.proposals, ...fromBodies]);
}
