/**
 * Fuel metering: rewrites a core module so that it counts its own work into a host-owned counter.
 *
 * Design (docs/metering.md):
 * - Three imports are appended after the module's own: the mutable i64 globals `fuel` (fuel left)
 *   and `threshold`, and the function `sample: [] -> [i32]`. Appending them shifts the module's
 *   defined functions by one and defined globals by two, so every index is renumbered (code,
 *   constant expressions, exports, start, elements, the name section). The module's code cannot
 *   name the counter: the rewriter only ever emits the new indices in its own charge sequences.
 * - Each function body is cut into straight-line segments, starting at the function entry and
 *   after every instruction where control can arrive from elsewhere (loop headers, `if`, `else`,
 *   `end`, exception handlers). The start of each segment subtracts the static cost of the whole
 *   segment; the sizes of bulk operations are subtracted just before they run.
 * - After each charge, `fuel < threshold` calls `sample`. The host samples memory and fuel there
 *   (so a loop that never calls the host still yields samples), moves the threshold, and answers 1
 *   once fuel is below zero; the code then executes `unreachable`, which the module cannot catch.
 * - With `profile`, each defined function gets exported counters of its own fuel and calls, and
 *   each loop a counter of its iterations (appended globals, exported under a reserved prefix).
 * - Bound counting (`counting: 'bound'`): only function entries, loop headers, loop exits,
 *   handlers and the costlier of paths that part far apart charge, each the most any path to the
 *   next charge can cost (`BodyRewriter.boundCharges`): fewer charges, at least the exact fuel.
 */
import { ByteReader, MalformedError } from '../module/byteReader';
import { CORE_SECTION_ORDER, readCoreModule } from '../module/coreModule';
import { ENGINE_LIMITS, MAX_FUNCTION_BODY_SIZE } from '../module/engineLimits';
import {
  FAST_SHAPE,
  FastShape,
  PREFIX_ATOMIC,
  PREFIX_GC,
  PREFIX_MISC,
  PREFIX_SIMD,
  readTryTable,
  skipInstruction,
} from '../module/instructions';
import { readRefType, readStorageType, readValType, type ProposalSink } from '../module/valueTypes';
import { ByteWriter } from './byteWriter';
import { COST, staticCost } from './costs';
import {
  COUNTERS_PER_FUNCTION,
  FUNCTION_COUNTER,
  GLOBALS_PER_COUNTER,
  loadCounter,
  PROFILE_EXPORT_PREFIX,
  READER_SPAN,
  readerBody,
  readerCount,
  readerExport,
  readerType,
} from './profileCounters';

export const METER_MODULE = 'wasm-warden:meter';
export const FUEL_IMPORT = 'fuel';
export const THRESHOLD_IMPORT = 'threshold';
export const SAMPLE_IMPORT = 'sample';
export { PROFILE_EXPORT_PREFIX } from './profileCounters';

/**
 * How fuel is counted (docs/metering.md): `exact` charges every straight-line segment the code
 * runs; `bound` charges only at function entries, loop headers, loop exits and exception
 * handlers, each time the most any path from there to the next such point can cost.
 */
export type FuelCounting = 'exact' | 'bound';
export const FUEL_COUNTINGS: readonly FuelCounting[] = ['exact', 'bound'];
/**
 * The counting a policy that names none uses: bound, the cheaper for the fresh processes the
 * sandbox runs in (a fresh 30 MB program: 1.13-1.18x the unmetered CPU against 1.32-1.38x exact,
 * BENCHMARKS.md "Fuel metering, round 8").
 */
export const DEFAULT_FUEL_COUNTING: FuelCounting = 'bound';

export interface InstrumentOptions {
  /** Add per-function and per-loop counters (slower; for `--profile`). */
  profile?: boolean;
  /** Default: `DEFAULT_FUEL_COUNTING`. */
  counting?: FuelCounting;
  /**
   * Bench only: where bound counting keeps the counter: in a local in bodies without calls or
   * with a loop that calls nothing and few calls (`QUIET_LOOP_MAX_CALLS`), in the global in the
   * others (`auto`, the default); or always in a local or the global.
   */
  boundCounter?: 'auto' | 'local' | 'global';
  /** Bench only: bound counting's `SPLIT_ABOVE` (Infinity: charges only where control must). */
  boundSplitAbove?: number;
  /** Default: `'threshold'` with a profile, `'zero'` without (see `CheckKind`). */
  checks?: CheckKind;
}

/**
 * What a check compares the counter with, and so what the counter holds:
 * - `'zero'`: the units left until the host's next look (a sample); the host keeps the rest of the
 *   fuel aside and hands it over in steps. A check is a sign test, and no threshold has to stay
 *   in a register or be loaded.
 * - `'threshold'`: the fuel left, compared with the `threshold` global the host moves. A profile
 *   needs it: fuel with callees subtracts counter values taken before and after samples, which
 *   the steps of `'zero'` would break.
 * The host's side must match (`createFuelCounter` in core/sandbox/fuel.ts).
 */
export type CheckKind = 'zero' | 'threshold';

/**
 * Where the profile counters are and what they count, in the original module's terms. Counters
 * are read by number (`readCounter` in ./profileCounters).
 */
export interface MeterLayout {
  /**
   * Defined functions, in index order (profile only), each with the first of its counters
   * (`FUNCTION_COUNTER`): its own fuel; its calls; the fuel of its outermost activations, callees
   * included, closed so far; the fuel left when the open outermost activation started; the
   * activations open now (more than one in recursion).
   */
  functions: Array<{
    index: number;
    /** From the name section, else an export name, else `func[index]`. */
    name: string;
    bodyOffset: number;
    counter: number;
  }>;
  /** Loops, in file order: the function, the loop opcode's offset and its iteration counter. */
  loops: Array<{ functionIndex: number; offset: number; counter: number }>;
}

export type InstrumentResult =
  | { ok: true; bytes: Uint8Array; layout: MeterLayout; checks: CheckKind }
  | { ok: false; message: string; offset?: number };

// Opcodes the rewriter emits.
const GLOBAL_GET = 0x23;
const GLOBAL_SET = 0x24;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I64_CONST = 0x42;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_EQZ = 0x45;
const I32_WRAP_I64 = 0xa7;
const I64_ADD = 0x7c;
const I64_SUB = 0x7d;
const I64_LT_U = 0x54;
const SELECT = 0x1b;
const I64_SHL = 0x86;
const I64_SHR_U = 0x88;
const I64_LT_S = 0x53;
const I64_EXTEND_I32_U = 0xad;
const BLOCK = 0x02;
const IF = 0x04;
const END = 0x0b;
const CALL = 0x10;
const UNREACHABLE = 0x00;
const TRY = 0x06;
const CATCH_ALL = 0x19;
const RETHROW = 0x09;
const EMPTY_BLOCK = 0x40;
const I32 = 0x7f;
const I64 = 0x7e;

/** How the rewriter renumbers indices and where its own entities are. */
interface Indices {
  importedFunctions: number;
  importedGlobals: number;
  /** Globals the original module has (imported and defined). */
  globalCount: number;
  hook: number;
  /** The added function a check calls when the counter passes below its mark (see `slowPathBody`). */
  slowPath: number;
  fuel: number;
  threshold: number;
  memory64: boolean[];
  table64: boolean[];
  /** Parameter counts of the defined functions, in order. */
  paramCounts: number[];
}

const func = (ix: Indices, i: number): number => (i >= ix.importedFunctions ? i + 1 : i);
const glob = (ix: Indices, i: number): number => (i >= ix.importedGlobals ? i + 2 : i);

/** Rewrites `bytes` (a core module) with fuel metering. Never throws. */
export function instrumentModule(bytes: Uint8Array, options: InstrumentOptions = {}): InstrumentResult {
  try {
    // A plain view: a Node Buffer's subarray builds a Buffer each time, measurably slower here.
    return instrument(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
  } catch (error) {
    if (error instanceof MalformedError)
      return { ok: false, message: `cannot meter this module: ${error.message}`, offset: error.offset };
    if (error instanceof RefusedError) return { ok: false, message: error.message, offset: error.offset };
    throw error;
  }
}

class RefusedError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(message);
  }
}

function instrument(bytes: Uint8Array, options: InstrumentOptions): InstrumentResult {
  const facts = readCoreModule(bytes);
  if (facts.kind !== 'module') throw new RefusedError('only core modules can be metered');
  const broken = facts.problems.find((p) => p.severity === 'error');
  if (broken) throw new RefusedError(`cannot meter an invalid module: ${broken.message}`);
  for (const e of facts.exports)
    if (e.name.startsWith(PROFILE_EXPORT_PREFIX))
      throw new RefusedError(`the module already exports "${e.name}", a name the fuel meter reserves`);
  for (const i of facts.imports)
    if (i.module === METER_MODULE)
      throw new RefusedError(
        `the module already imports from "${METER_MODULE}", a module the fuel meter reserves`,
      );

  const importedFunctions = facts.functions.filter((f) => f.imported).length;
  const definedFunctions = facts.functions.length - importedFunctions;
  const importedGlobals = facts.globals.filter((g) => g.imported).length;
  const ix: Indices = {
    importedFunctions,
    importedGlobals,
    globalCount: facts.globals.length,
    hook: importedFunctions,
    slowPath: -1, // after the readers: known once their count is
    fuel: importedGlobals,
    threshold: importedGlobals + 1,
    memory64: facts.memories.map((m) => m.memory64),
    table64: facts.tables.map((t) => t.table64),
    paramCounts: facts.functions.filter((f) => !f.imported).map((f) => f.signature?.params.length ?? 0),
  };
  const profile = options.profile === true;
  const checks = options.checks ?? (profile ? 'threshold' : 'zero');
  if (profile && checks !== 'threshold') throw new RefusedError('a profile needs threshold checks');
  const layout: MeterLayout = { functions: [], loops: [] };
  // Profile globals come after every original global and the two imports: 5 per function, then loops.
  const profileBase = facts.globals.length + 2;
  if (profile)
    facts.functions
      .filter((f) => !f.imported)
      .forEach((f, k) =>
        layout.functions.push({
          index: f.index,
          name: f.name ?? facts.functionNames[f.index] ?? f.exportedAs[0] ?? `func[${f.index}]`,
          bodyOffset: f.bodyOffset ?? 0,
          counter: COUNTERS_PER_FUNCTION * k,
        }),
      );

  const loops = profile
    ? findLoops(
        bytes,
        facts.functions.filter((f) => !f.imported),
        layout.functions.length * COUNTERS_PER_FUNCTION,
      )
    : [];
  layout.loops = loops;
  const counterCount = layout.functions.length * COUNTERS_PER_FUNCTION + loops.length;
  const maxGlobals = ENGINE_LIMITS.globals.max;
  if (profileBase + GLOBALS_PER_COUNTER * counterCount > maxGlobals)
    throw new RefusedError(
      `cannot profile this module: its ${layout.functions.length} functions and ${loops.length} loops need ${GLOBALS_PER_COUNTER * counterCount} counter globals, over the engine's limit of ${maxGlobals} globals`,
    );
  // The functions that read the counters (exported), after the module's own and typed last.
  const readers = readerCount(counterCount);
  let readerTypeIndex = -1;
  // The slow path follows the readers; a module without functions has no check to call it.
  const slowPaths = definedFunctions > 0 ? 1 : 0;
  ix.slowPath = importedFunctions + 1 + definedFunctions + readers;

  const out = new ByteWriter(bytes.length + (bytes.length >> 1) + 256);
  out.bytes(bytes.subarray(0, 8));
  const r = new ByteReader(bytes, 8);
  let typeCount = 0;
  let types: TypeResults[] = [];
  /** Block types of `[] -> results` for function types with several results (appended types). */
  const multiResultTypes: number[] = [];
  const functionTypes: number[] = [];
  const pending = { type: true, import: true, global: profile, export: readers > 0 };
  // The readers follow the module's defined functions (the function section comes first).
  const firstReader = (): number => importedFunctions + 1 + functionTypes.length;
  const section = (id: number, body: ByteWriter): void => {
    out.u8(id);
    out.u32(body.length);
    out.append(body);
  };
  // Sections the rewriter must add when the module has none, written before the first later section.
  const fillBefore = (rank: number): void => {
    if (pending.type && rank > CORE_SECTION_ORDER[1]) {
      const w = new ByteWriter();
      w.u32(2);
      hookType(w);
      slowPathType(w);
      section(1, w);
      pending.type = false;
    }
    if (pending.import && rank > CORE_SECTION_ORDER[2]) {
      const w = new ByteWriter();
      w.u32(3);
      meterImports(w, typeCount);
      section(2, w);
      pending.import = false;
    }
    if (pending.global && rank > CORE_SECTION_ORDER[6]) {
      const w = new ByteWriter();
      w.u32(GLOBALS_PER_COUNTER * counterCount);
      profileGlobals(w, counterCount);
      section(6, w);
      pending.global = false;
    }
    if (pending.export && rank > CORE_SECTION_ORDER[7]) {
      const w = new ByteWriter();
      w.u32(readers);
      readerExports(w, readers, firstReader());
      section(7, w);
      pending.export = false;
    }
  };

  while (!r.atEnd()) {
    const id = r.u8();
    const size = r.varU32();
    const start = r.pos;
    const end = start + size;
    if (end > bytes.length) r.fail('section runs past the end of the module', start);
    const sr = new ByteReader(bytes, start, end);
    const rank = CORE_SECTION_ORDER[id];
    if (rank !== undefined) fillBefore(rank);
    // The code section and sections copied as they are do not use it.
    const w = new ByteWriter(id === 10 || id === 3 || id === 0 ? 64 : size + 64);
    switch (id) {
      case 1: {
        const n = sr.varU32();
        const countEnd = sr.pos;
        types = countTypes(sr, n);
        typeCount = types.length;
        let appended = 0;
        // Appended: the hook's type, the slow path's, block types of several results, the readers'.
        types.forEach((t, i) => {
          if (t && t.count > 1) multiResultTypes[i] = typeCount + 2 + appended++;
        });
        w.u32(n + 2 + appended + (readers > 0 ? 1 : 0));
        w.bytes(bytes.subarray(countEnd, end));
        hookType(w);
        slowPathType(w);
        types.forEach((t, i) => {
          if (multiResultTypes[i] === undefined || !t) return;
          w.u8(0x60);
          w.u8(0);
          w.bytes(bytes.subarray(t.start, t.end));
        });
        if (readers > 0) {
          readerTypeIndex = typeCount + 2 + appended;
          readerType(w);
        }
        pending.type = false;
        section(1, w);
        break;
      }
      case 2: {
        const n = sr.varU32();
        w.u32(n + 3);
        w.bytes(bytes.subarray(sr.pos, end));
        meterImports(w, typeCount);
        pending.import = false;
        section(2, w);
        break;
      }
      case 6: {
        const n = sr.varU32();
        w.u32(n + (profile ? GLOBALS_PER_COUNTER * counterCount : 0));
        for (let i = 0; i < n; i++) {
          copyValType(sr, w);
          w.u8(sr.u8()); // mutability
          constExpr(sr, w, ix);
        }
        if (profile) profileGlobals(w, counterCount);
        pending.global = false;
        section(6, w);
        break;
      }
      case 7: {
        const n = sr.varU32();
        w.u32(n + readers);
        for (let i = 0; i < n; i++) {
          const nameStart = sr.pos;
          sr.skip(sr.varU32());
          w.bytes(bytes.subarray(nameStart, sr.pos));
          const kind = sr.u8();
          const index = sr.varU32();
          w.u8(kind);
          w.u32(kind === 0 ? func(ix, index) : kind === 3 ? glob(ix, index) : index);
        }
        readerExports(w, readers, firstReader());
        pending.export = false;
        section(7, w);
        break;
      }
      case 3: {
        const n = sr.count(1);
        const entries = sr.pos;
        for (let i = 0; i < n; i++) functionTypes.push(sr.varU32());
        if (readers > 0 && readerTypeIndex < 0)
          throw new RefusedError('a module with functions but no type section');
        w.u32(n + readers + slowPaths);
        w.bytes(bytes.subarray(entries, end));
        for (let k = 0; k < readers; k++) w.u32(readerTypeIndex);
        if (slowPaths) w.u32(typeCount + 1);
        section(3, w);
        break;
      }
      case 8:
        w.u32(func(ix, sr.varU32()));
        section(8, w);
        break;
      case 9:
        elements(sr, w, ix);
        section(9, w);
        break;
      case 11:
        data(sr, w, ix);
        section(11, w);
        break;
      case 10: {
        // Written straight into the output, its size patched afterwards (the largest section).
        out.u8(10);
        const sizeAt = out.placeholder();
        const n = sr.varU32();
        out.u32(n + readers + slowPaths);
        // One wrapping block type per function type, shared by the functions of that type.
        const wrapByType = new Map<number, Uint8Array>();
        const wrapTypes = functionTypes.map((t) => {
          let wrap = wrapByType.get(t);
          if (!wrap) wrapByType.set(t, (wrap = wrapType(bytes, types[t], multiResultTypes[t])));
          return wrap;
        });
        // With a profile, in a module with exception tags, an exception may unwind a function
        // without its exit: each body then closes its activation in a `catch_all` and rethrows.
        const closeOnUnwind = profile && facts.proposals.includes('exceptions');
        const body = new BodyRewriter(bytes, ix, profile, layout, profileBase, wrapTypes, closeOnUnwind, {
          bound: (options.counting ?? DEFAULT_FUEL_COUNTING) === 'bound',
          counter: options.boundCounter ?? 'auto',
          splitAbove: options.boundSplitAbove ?? SPLIT_ABOVE,
          checks,
        });
        for (let k = 0; k < n; k++) {
          const bodySize = sr.varU32();
          const bodyEnd = sr.pos + bodySize;
          if (bodyEnd > end) sr.fail('function body runs past the end of the code section');
          body.rewrite(k, importedFunctions + k, sr.pos, bodyEnd, out);
          sr.pos = bodyEnd;
        }
        for (let k = 0; k < readers; k++)
          readerBody(
            out,
            profileBase + GLOBALS_PER_COUNTER * k * READER_SPAN,
            Math.min(READER_SPAN, counterCount - k * READER_SPAN),
          );
        if (slowPaths) slowPathBody(out, ix.hook);
        if (out.length - sizeAt - 5 >= 2 ** 32)
          throw new RefusedError('the metered code section is over 4 GiB');
        out.patch(sizeAt, out.length - sizeAt - 5);
        break;
      }
      case 0: {
        const customName = sr.name();
        if (customName === 'name') {
          const names = renameSection(bytes, sr.pos, end, ix);
          if (names) {
            w.name('name');
            w.bytes(names);
            section(0, w);
          }
        } else if (!customName.startsWith('metadata.code.')) {
          // Branch hints and other code metadata hold body offsets the rewrite moves: dropped.
          out.u8(0);
          out.u32(size);
          out.bytes(bytes.subarray(start, end));
        }
        break;
      }
      default:
        out.u8(id);
        out.u32(size);
        out.bytes(bytes.subarray(start, end));
    }
    r.pos = end;
  }
  fillBefore(Number.MAX_SAFE_INTEGER);
  return { ok: true, bytes: out.view(), layout, checks };
}

/**
 * Profile counters: each a pair of mutable i32 globals starting at zero, its low and high half
 * (V8 11 spends ~10 µs per 64-bit global compiling and again instantiating a module, 100 times
 * what a 32-bit one costs: 242,000 i64 counters cost a profiled Yosys run 4.6 s).
 */
function profileGlobals(w: ByteWriter, count: number): void {
  for (let i = 0; i < GLOBALS_PER_COUNTER * count; i++) {
    w.u8(I32);
    w.u8(1);
    w.u8(I32_CONST);
    w.u8(0);
    w.u8(END);
  }
}

/** Exports of the profile's reader functions (`readerExport`). */
function readerExports(w: ByteWriter, readers: number, firstReader: number): void {
  for (let k = 0; k < readers; k++) {
    w.name(readerExport(k));
    w.u8(0);
    w.u32(firstReader + k);
  }
}

/** The type of `sample`: [] -> [i32]. */
function hookType(w: ByteWriter): void {
  w.u8(0x60);
  w.u8(0);
  w.u8(1);
  w.u8(I32);
}

/** `[] -> []`: the slow path's type. */
function slowPathType(w: ByteWriter): void {
  w.u8(0x60);
  w.u8(0);
  w.u8(0);
}

/**
 * The slow path of every check: `if sample() { unreachable }`. A function of its own, so that the
 * checks in hot code call a function of this module (no import's target and instance for the
 * engine to keep at hand across the whole body) and stay a compare and a branch.
 */
function slowPathBody(out: ByteWriter, hook: number): void {
  const w = new ByteWriter(16);
  w.u8(0); // no locals
  w.u8(CALL);
  w.u32(hook);
  w.u8(IF);
  w.u8(EMPTY_BLOCK);
  w.u8(UNREACHABLE);
  w.u8(END);
  w.u8(END);
  out.u32(w.length);
  out.append(w);
}

function meterImports(w: ByteWriter, hookTypeIndex: number): void {
  for (const name of [FUEL_IMPORT, THRESHOLD_IMPORT]) {
    w.name(METER_MODULE);
    w.name(name);
    w.u8(3); // global
    w.u8(I64);
    w.u8(1); // mutable
  }
  w.name(METER_MODULE);
  w.name(SAMPLE_IMPORT);
  w.u8(0); // function
  w.u32(hookTypeIndex);
}

/** Where a function type's results vector (with its count) is in the file; null for other types. */
type TypeResults = { start: number; end: number; count: number } | null;

/** Each type index's results (a recursion group defines several), checking the section decodes. */
function countTypes(r: ByteReader, n: number): TypeResults[] {
  const seen = new Set<never>();
  const types: TypeResults[] = [];
  const subType = (): void => {
    const form = r.peekU8();
    if (form === 0x50 || form === 0x4f) {
      r.pos++;
      const supers = r.count(1);
      for (let k = 0; k < supers; k++) r.varU32();
    }
    const at = r.pos;
    const comp = r.u8();
    let results: TypeResults = null;
    if (comp === 0x60) {
      for (let side = 0; side < 2; side++) {
        const from = r.pos;
        const m = r.count(1);
        for (let p = 0; p < m; p++) readValType(r, seen);
        if (side === 1) results = { start: from, end: r.pos, count: m };
      }
    } else if (comp === 0x5f) {
      const fields = r.count(2);
      for (let f = 0; f < fields; f++) {
        readStorageType(r, seen);
        r.u8();
      }
    } else if (comp === 0x5e) {
      readStorageType(r, seen);
      r.u8();
    } else if (comp === 0x5d) r.varU32();
    else r.fail(`malformed type form 0x${comp.toString(16)}`, at);
    types.push(results);
  };
  for (let i = 0; i < n; i++) {
    if (r.peekU8() === 0x4e) {
      r.pos++;
      const g = r.count(1);
      for (let j = 0; j < g; j++) subType();
    } else subType();
  }
  return types;
}

/** The block type `[] -> results` of a function type: empty, its one result, or an appended type. */
function wrapType(
  bytes: Uint8Array,
  results: TypeResults | undefined,
  appended: number | undefined,
): Uint8Array {
  if (!results) throw new RefusedError('a function has a type that is not a function type');
  if (results.count === 0) return Uint8Array.of(EMPTY_BLOCK);
  if (results.count === 1) {
    const r = new ByteReader(bytes, results.start, results.end);
    r.varU32();
    return bytes.subarray(r.pos, results.end);
  }
  const w = new ByteWriter(8);
  w.s64(appended!);
  return w.toBytes();
}

function copyValType(r: ByteReader, w: ByteWriter): void {
  const start = r.pos;
  readValType(r, PROPOSALS_NOT_NEEDED);
  w.bytes(r.bytes.subarray(start, r.pos));
}

/**
 * Copies one instruction whose opcode `op` was read at `start`, renumbering function and global
 * indices. Returns the sub-opcode of prefixed instructions, else -1.
 */
function copyInstruction(r: ByteReader, w: ByteWriter, ix: Indices, op: number, start: number): number {
  switch (op) {
    case CALL:
    case 0x12: // return_call
    case 0xd2: // ref.func
      w.u8(op);
      w.u32(func(ix, r.varU32()));
      return -1;
    case GLOBAL_GET:
    case GLOBAL_SET:
      w.u8(op);
      w.u32(glob(ix, r.varU32()));
      return -1;
    default: {
      const sub = skipInstruction(r, op);
      w.bytes(r.bytes.subarray(start, r.pos));
      return sub;
    }
  }
}

/** A constant expression, renumbered, up to and including its `end`. */
function constExpr(r: ByteReader, w: ByteWriter, ix: Indices): void {
  for (;;) {
    const start = r.pos;
    const op = r.u8();
    copyInstruction(r, w, ix, op, start);
    if (op === END) return;
  }
}

function funcIndexVector(r: ByteReader, w: ByteWriter, ix: Indices): void {
  const n = r.count(1);
  w.u32(n);
  for (let i = 0; i < n; i++) w.u32(func(ix, r.varU32()));
}

function exprVector(r: ByteReader, w: ByteWriter, ix: Indices): void {
  const n = r.count(1);
  w.u32(n);
  for (let i = 0; i < n; i++) constExpr(r, w, ix);
}

function copyRefType(r: ByteReader, w: ByteWriter): void {
  const start = r.pos;
  readRefType(r, PROPOSALS_NOT_NEEDED);
  w.bytes(r.bytes.subarray(start, r.pos));
}

function elements(r: ByteReader, w: ByteWriter, ix: Indices): void {
  const n = r.count(1);
  w.u32(n);
  for (let i = 0; i < n; i++) {
    const flags = r.varU32();
    w.u32(flags);
    if (flags > 7) r.fail(`malformed element segment flags ${flags}`);
    if (flags === 2 || flags === 6) w.u32(r.varU32()); // table index
    if ((flags & 1) === 0) constExpr(r, w, ix); // active: offset
    if (flags & 4) {
      if (flags & 3) copyRefType(r, w);
      exprVector(r, w, ix);
    } else {
      if (flags & 3) w.u8(r.u8()); // elemkind
      funcIndexVector(r, w, ix);
    }
  }
}

function data(r: ByteReader, w: ByteWriter, ix: Indices): void {
  const n = r.count(1);
  w.u32(n);
  for (let i = 0; i < n; i++) {
    const flags = r.varU32();
    w.u32(flags);
    if (flags === 2) w.u32(r.varU32());
    if (flags === 0 || flags === 2) constExpr(r, w, ix);
    else if (flags !== 1) r.fail(`malformed data segment flags ${flags}`);
    const len = r.varU32();
    w.u32(len);
    w.bytes(r.bytesView(len));
  }
}

/** The name section with function and global indices renumbered; null if it does not decode. */
function renameSection(bytes: Uint8Array, start: number, end: number, ix: Indices): Uint8Array | null {
  try {
    const r = new ByteReader(bytes, start, end);
    const w = new ByteWriter(end - start + 16);
    while (!r.atEnd()) {
      const id = r.u8();
      const size = r.varU32();
      const subEnd = r.pos + size;
      if (subEnd > end) return null;
      const s = new ByteReader(bytes, r.pos, subEnd);
      const sub = new ByteWriter(size + 8);
      const remap = id === 1 || id === 2 || id === 3 ? func : id === 7 ? glob : null;
      if (!remap) sub.bytes(bytes.subarray(r.pos, subEnd));
      else {
        const n = s.varU32();
        sub.u32(n);
        for (let i = 0; i < n; i++) {
          sub.u32(remap(ix, s.varU32()));
          if (id === 1 || id === 7) sub.name(s.name());
          else {
            // An indirect map: copied as is.
            const inner = s.varU32();
            sub.u32(inner);
            for (let j = 0; j < inner; j++) {
              sub.u32(s.varU32());
              sub.name(s.name());
            }
          }
        }
      }
      w.u8(id);
      w.u32(sub.length);
      w.append(sub);
      r.pos = subEnd;
    }
    return w.toBytes();
  } catch {
    return null;
  }
}

/** Every loop opcode's offset, per defined function, in file order (profile counters). */
function findLoops(
  bytes: Uint8Array,
  defined: Array<{ index: number; bodyOffset?: number; bodySize?: number }>,
  firstCounter: number,
): MeterLayout['loops'] {
  const loops: MeterLayout['loops'] = [];
  for (const f of defined) {
    if (f.bodyOffset === undefined || f.bodySize === undefined) continue;
    const r = new ByteReader(bytes, f.bodyOffset, f.bodyOffset + f.bodySize);
    skipLocals(r);
    while (!r.atEnd()) {
      const at = r.pos;
      const op = r.u8();
      if (op === 0x03)
        loops.push({
          functionIndex: f.index,
          offset: at,
          counter: firstCounter + loops.length,
        });
      skipInstruction(r, op);
    }
  }
  return loops;
}

/** `list` with at least `n` entries (new ones 0), its storage kept. */
function sized(list: number[], n: number): number[] {
  while (list.length < n) list.push(0);
  return list;
}

/** Where the value type reader notes proposals the rewriter does not need (one set, not one per body). */
const PROPOSALS_NOT_NEEDED: ProposalSink = new Set();

/** Skips a body's local declarations; returns how many locals they declare. */
function skipLocals(r: ByteReader): number {
  const groups = r.count(2);
  let total = 0;
  for (let i = 0; i < groups; i++) {
    total += r.varU32();
    readValType(r, PROPOSALS_NOT_NEEDED);
  }
  if (total > 50000) r.fail(`too many locals (${total})`);
  return total;
}

/** Opcodes after which control can arrive from elsewhere: a new segment starts. */
const SPLITS_AFTER = new Uint8Array(256);
for (const op of [0x03, 0x04, 0x05, 0x06, 0x07, 0x0b, 0x18, 0x19]) SPLITS_AFTER[op] = 1;

/** Bound counting: a segment charges, does not, or may (decided with the body: `boundCharges`). */
const NO_CHARGE = 0;
const CHARGES = 1;
const MAY_CHARGE = 2;
/**
 * Bound counting: where paths part with costs further apart than this, the costlier ones charge
 * for themselves (bench/metering.mjs --split-above measured the trade-off; BENCHMARKS.md round 6).
 */
const SPLIT_ABOVE = 32;

/** After these, the rest of the segment is never reached from before them (bound counting). */
const ENDS_STRAIGHT_LINE = new Uint8Array(256);
// unreachable, throw, rethrow, throw_ref, br, br_table, return, return_call*
for (const op of [0x00, 0x08, 0x09, 0x0a, 0x0c, 0x0e, 0x0f, 0x12, 0x13, 0x15]) ENDS_STRAIGHT_LINE[op] = 1;

/** Structured control and branches: the local counter must be current before them (`refresh`). */
const CONTROL = new Uint8Array(256);
for (const op of [0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0b, 0x0c, 0x0d, 0x0e, 0x18, 0x19, 0x1f, 0xd5, 0xd6])
  CONTROL[op] = 1;

/** Where control from elsewhere joins: `loop`, `else`, `end`, `catch`, `catch_all`, `delegate`. */
const JOINS = new Uint8Array(256);
for (const op of [0x03, 0x05, 0x0b, 0x07, 0x19, 0x18]) JOINS[op] = 1;

/** Branches, returns, tail calls and throws: they may leave the constructs around them. */
const BRANCHES = new Uint8Array(256);
// br, br_if, br_table, br_on_null, br_on_non_null, return, return_call*, throw, throw_ref
for (const op of [0x0c, 0x0d, 0x0e, 0xd5, 0xd6, 0x0f, 0x12, 0x13, 0x15, 0x08, 0x0a]) BRANCHES[op] = 1;

/** An unsigned LEB128 at `pos` that the reader has already checked (a label index). */
function leb(bytes: Uint8Array, pos: number): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    const b = bytes[pos++];
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return value;
    scale *= 128;
  }
}

const REMAP_FUNCTION = 1;
const REMAP_GLOBAL = 2;
const PREFIXED_OR_GROW = 3;
/** Copied as they are, but something goes around them (see ROLE) or they decide the body's mode. */
const AROUND = 4;
/** Exception handlers and stack switching: control arrives without a read-back (global mode). */
const HANDLER = 5;
/** One-byte opcodes the rewriter cannot copy as part of a raw run. */
const SPECIAL = new Uint8Array(256);
SPECIAL[CALL] = SPECIAL[0x12] = SPECIAL[0xd2] = REMAP_FUNCTION;
SPECIAL[GLOBAL_GET] = SPECIAL[GLOBAL_SET] = REMAP_GLOBAL;
SPECIAL[0x40] =
  SPECIAL[PREFIX_GC] =
  SPECIAL[PREFIX_MISC] =
  SPECIAL[PREFIX_SIMD] =
  SPECIAL[PREFIX_ATOMIC] =
    PREFIXED_OR_GROW;
// unreachable, throw, throw_ref, return, call_indirect, return_call_indirect, call_ref, return_call_ref
for (const op of [0x00, 0x08, 0x0a, 0x0f, 0x11, 0x13, 0x14, 0x15]) SPECIAL[op] = AROUND;
// try, catch, rethrow, delegate, catch_all, try_table, suspend, resume, resume_throw, switch
for (const op of [0x06, 0x07, 0x09, 0x18, 0x19, 0x1f, 0xe2, 0xe3, 0xe4, 0xe5]) SPECIAL[op] = HANDLER;

const ROLE_CALL = 1;
const ROLE_EXIT = 2;
const ROLE_THROW = 3;
const ROLE_TRAP = 4;
/** What the counter needs around an instruction: a write-back and read-back, an exit, a write-back. */
const ROLE = new Uint8Array(256);
ROLE[CALL] = ROLE[0x11] = ROLE[0x14] = ROLE_CALL;
ROLE[0x0f] = ROLE[0x12] = ROLE[0x13] = ROLE[0x15] = ROLE_EXIT;
ROLE[0x08] = ROLE[0x0a] = ROLE_THROW;
ROLE[UNREACHABLE] = ROLE_TRAP;

/** Locals the rewriter adds to every body, and the engines' limit on a function's locals. */
const ADDED_LOCALS = 6;
const MAX_LOCALS = 50000;
/** Profile globals per defined function: self, calls, inclusive, start, depth. */
/** Static cost of each one-byte opcode. */
const ONE_BYTE_COST = Uint8Array.from({ length: 256 }, (_, op) => staticCost(op, -1));

/** Skips the immediates of a common one-byte instruction inline; -1 sends it to the careful reader. */
function skipShort(bytes: Uint8Array, pos: number, end: number, op: number): number {
  switch (FAST_SHAPE[op]) {
    case FastShape.None:
      return pos;
    case FastShape.Leb:
      return shortLeb(bytes, pos, end);
    case FastShape.TwoLebs: {
      const next = shortLeb(bytes, pos, end);
      return next < 0 ? -1 : shortLeb(bytes, next, end);
    }
    case FastShape.MemArg: {
      if (pos >= end || (bytes[pos] & 0xc0) !== 0) return -1; // multi-memory index: careful reader
      const next = shortLeb(bytes, pos, end);
      return next < 0 ? -1 : shortLeb(bytes, next, end);
    }
    case FastShape.Fixed4:
      return pos + 4 <= end ? pos + 4 : -1;
    case FastShape.Fixed8:
      return pos + 8 <= end ? pos + 8 : -1;
    case FastShape.Block: {
      if (pos >= end) return -1;
      const b = bytes[pos];
      return (b & 0xc0) === 0x40 && b !== 0x63 && b !== 0x64 ? pos + 1 : -1;
    }
    default:
      return -1;
  }
}

/** A LEB128 of at most 4 bytes, skipped; -1 for longer ones or the end of the body. */
function shortLeb(bytes: Uint8Array, pos: number, end: number): number {
  if (pos >= end) return -1;
  const start = pos;
  while (pos < end && (bytes[pos++] & 0x80) !== 0);
  return pos - start > 4 || pos > end || (bytes[pos - 1] & 0x80) !== 0 ? -1 : pos;
}

/** Instructions whose size operand (on top of the stack) is charged at run time. */
type RuntimeCharge = { width: 'i32' | 'i64'; shift: number; direction: 'shr' | 'shl' };

/** A charge sequence with 5-byte placeholders for the segment's cost, patched when it closes. */
interface Template {
  bytes: Uint8Array;
  costAt: number[];
}

/** Thrown when a body turns out to need the counter in the global (exception handlers, stack switching). */
const RESTART_IN_GLOBAL_MODE = Symbol('restart in global mode');
/** Thrown when a body in bound counting turns out to have no call and no handler: its counter goes in a local. */
const RESTART_IN_LOCAL_MODE = Symbol('restart in local mode');
/**
 * Bound counting: a body with a loop that calls nothing keeps its counter in a local (the loop's
 * charges in a register) when it has at most this many calls, whose write-backs cost the
 * optimizing compiler little. Yosys: its warm runs 1.26x -> 1.23x the unmetered time, fresh runs
 * unchanged (BENCHMARKS.md, "Fuel metering, round 8").
 */
const QUIET_LOOP_MAX_CALLS = 4;

/**
 * Rewrites function bodies; one instance per code section, reusing its buffers.
 *
 * Local mode (most functions): the body works on a copy of the counter in a local, which the
 * engine keeps in a register, so a segment's charge is one subtraction. The copy is written back
 * to the imported global before a call, `return`, `unreachable`, `throw` and the end of the
 * function, and read again after a call (the callee and the host charge the global) once the
 * local is next needed (`refresh`): between calls in a row the global stays current. Every
 * path out of the function passes such a point (the body is wrapped in a block so branches to
 * the function's label arrive at the write-back before the final `end`), so the global is exact
 * whenever anything else can see it; only a trap in the middle of a function leaves the units
 * charged since its last call unwritten, the same units every time.
 *
 * Global mode (bodies with `try`, `try_table`, `catch`, `delegate`, `resume`, `suspend`, `switch`):
 * control can arrive at a handler without passing a read-back, so every charge works on the
 * global directly.
 */
class BodyRewriter {
  private readonly code = new ByteWriter(1 << 16);
  /** The prologue, written after the body (it depends on whether the body is a leaf). */
  private readonly head = new ByteWriter(256);
  /** The body's local declarations. */
  private readonly header = new ByteWriter(256);
  /**
   * No loop, no call, no bulk operation: the body cannot run long, so local mode skips its entry
   * check (the caller's next check or loop header sees the fuel it used) and the threshold.
   */
  private leaf = true;
  /** An exception handler or stack switching in the body (its counter stays in the global). */
  private handler = false;
  /** Calls in the body so far; whether a loop that calls nothing was closed. */
  private callCount = 0;
  private quietLoop = false;
  /** Per open construct (by depth): `callCount` when it started. */
  private readonly ctlCalls: number[] = [];
  /**
   * How many entries of the per-body lists below are in use: segments, placeholders, edges and
   * constructs. The lists keep their storage from body to body (a cleared array would be
   * allocated again for each of a large module's functions).
   */
  private segments = 0;
  private placeholderCount = 0;
  private edgeCount = 0;
  private constructCount = 0;
  /** The cost so far of the open segment, `segment`. */
  private segmentCost = 0;
  private segment = 0;
  /** The body's segments: their costs; their cost placeholders in the code, and whose they are. */
  private readonly segmentCosts: number[] = [];
  /** 1 once a branch, return or throw in the segment may have left it before its end. */
  private readonly segmentLeft: number[] = [];
  private readonly placeholders: number[] = [];
  private readonly placeholderSegment: number[] = [];
  /** Per open construct (by depth): the segment open where it started, the outermost label a branch inside it targets, its opcode. */
  private readonly ctlSegment: number[] = [];
  private readonly ctlLowest: number[] = [];
  private readonly ctlOp: number[] = [];
  private check: Template | null = null;
  private plain: Template | null = null;
  /** Templates by the counter local's index (global mode: -1), when not profiling. */
  private readonly templates = new Map<number, { check: Template; plain: Template }>();
  private local = true;
  /**
   * Bound counting: only some segments charge (`segmentCharges`), each the most that any path
   * from it through segments that do not charge can cost (`boundCosts`, from the edges below).
   */
  private readonly bound: boolean;
  private readonly checks: CheckKind;
  private readonly boundCounter: 'auto' | 'local' | 'global';
  private readonly splitAbove: number;
  /**
   * Per segment: CHARGES, NO_CHARGE or MAY_CHARGE (a charge is written and kept only if paths
   * part there with costs far apart); where its charge starts in the code (or -1); 1 if a path
   * leaves it for a charge, a back edge or the exit before its end; its first outgoing edge (or -1).
   */
  private readonly segmentCharges: number[] = [];
  private readonly segmentChargeAt: number[] = [];
  private readonly segmentLeavesEarly: number[] = [];
  private readonly firstEdge: number[] = [];
  /** Edges: the next edge of the same segment; the target segment, or `-1 - construct` for a construct's continuation. */
  private readonly edgeNext: number[] = [];
  private readonly edgeTarget: number[] = [];
  /** Per construct (numbered in order of their start): the segment after its end; 1 if that segment charges. */
  private readonly continuations: number[] = [];
  private readonly continuationCharges: number[] = [];
  /** Per open construct (by depth): its number, the segment that ended at its `if`, the depth of the innermost loop around. */
  private readonly ctlId: number[] = [];
  private readonly ctlIfSegment: number[] = [];
  private readonly ctlLoopDepth: number[] = [];
  /** The open segment ended its straight line (br, return, throw, unreachable): no fallthrough. */
  private deadEnd = false;
  private readonly boundCosts: number[] = [];
  /** Bound counting, per segment: the edges into it; what the segment before it charged for it already; its charge. */
  private readonly boundEntries: number[] = [];
  private readonly boundCharged: number[] = [];
  private readonly boundCharge: number[] = [];
  private readonly boundSplits: number[] = [];
  /** Bound counting: the edits of the body's code (`compactBound`). */
  private readonly edits = { at: [] as number[], removed: [] as number[], values: [] as number[] };
  /**
   * Local mode: a call ran since the counter was last read back. The global is current and the
   * local is not; the read-back waits until something uses the local (a charge, a check, an
   * exit, control flow), so that calls in a row need no write-back and read-back between them.
   */
  private stale = false;
  /**
   * Local mode: the local and the global hold the same value — written back or read back since the
   * last charge, on the only path here (control that joins paths clears it) — so a call needs no
   * write-back.
   */
  private synced = false;
  /** The first of the rewriter's locals: i32 scratch, then i64 scratch, charge, fuel, threshold, mark. */
  private base = 0;
  /** The function's first profile global (self, calls, inclusive, start, depth), or -1. */
  private counters = -1;
  private nextLoop = 0;
  /** Start of the run of original bytes not yet copied. */
  private copyFrom = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly ix: Indices,
    private readonly profile: boolean,
    private readonly layout: MeterLayout,
    private readonly profileBase: number,
    /** The block type that wraps each defined function's body (its results, as a block type). */
    private readonly wrapTypes: Uint8Array[],
    /** Profile in a module with exceptions: the body is wrapped in `try … catch_all exit; rethrow`. */
    private readonly closeOnUnwind: boolean,
    counting: { bound: boolean; counter: 'auto' | 'local' | 'global'; splitAbove: number; checks: CheckKind },
  ) {
    this.checks = counting.checks;
    this.bound = counting.bound;
    this.boundCounter = counting.counter;
    this.splitAbove = counting.splitAbove;
  }

  rewrite(k: number, functionIndex: number, start: number, end: number, out: ByteWriter): void {
    const loop = this.nextLoop;
    // Bound counting charges rarely: with calls, the counter is cheaper in the global than in a
    // local written back and read back around each call, unless a loop calls nothing. Bodies in
    // local mode are mostly small: the rewrite starts in global mode and does those again.
    const local = !this.bound || this.boundCounter === 'local';
    try {
      this.rewriteIn(local, k, functionIndex, start, end, out);
    } catch (error) {
      if (error !== RESTART_IN_GLOBAL_MODE && error !== RESTART_IN_LOCAL_MODE) throw error;
      this.nextLoop = loop;
      this.rewriteIn(error === RESTART_IN_LOCAL_MODE, k, functionIndex, start, end, out);
    }
  }

  /** The i64 scratch local: a 64-bit bulk size, or the fuel left for a global-mode check. */
  private get scratch64(): number {
    return this.base + 1;
  }
  private get fuelLocal(): number {
    return this.base + 3;
  }
  private get thresholdLocal(): number {
    return this.base + 4;
  }
  /** The counter's value when this function's own fuel was last added to its `self` counter. */
  private get markLocal(): number {
    return this.base + 5;
  }

  private rewriteIn(
    local: boolean,
    k: number,
    functionIndex: number,
    start: number,
    end: number,
    out: ByteWriter,
  ): void {
    const r = new ByteReader(this.bytes, start, end);
    const localsStart = r.pos;
    const declared = skipLocals(r);
    const localsEnd = r.pos;
    this.local = local;
    this.base = this.ix.paramCounts[k] + declared;
    if (this.base + ADDED_LOCALS + 1 > MAX_LOCALS)
      throw new RefusedError(`function ${functionIndex}: too many locals to add the meter's own`, start);
    this.code.reset();
    this.segments = this.placeholderCount = this.edgeCount = this.constructCount = 0;
    this.ctlLoopDepth[0] = 0;
    this.ctlLowest[0] = 0;
    this.counters = this.profile ? this.profileBase + GLOBALS_PER_COUNTER * COUNTERS_PER_FUNCTION * k : -1;
    this.useTemplates();
    this.leaf = true;
    this.handler = false;
    this.callCount = 0;
    this.quietLoop = false;
    this.stale = false;
    this.synced = false;
    if (this.closeOnUnwind) {
      this.code.u8(TRY);
      this.code.bytes(this.wrapTypes[k]);
    }
    this.code.u8(BLOCK);
    this.code.bytes(this.wrapTypes[k]);
    // Local mode checks in the prologue (written last, once it is known whether the body is a leaf).
    this.open(!this.local);
    let depth = 0;
    let loopCounter = -1;
    const bytes = this.bytes;
    let pos = r.pos;
    this.copyFrom = pos;
    try {
      while (pos < end) {
        const at = pos;
        const op = bytes[pos++];
        if (this.stale && CONTROL[op] === 1) {
          // Control may go elsewhere or arrive from elsewhere: the local is made current first.
          this.takeRaw(at);
          this.refresh();
        }
        // Paths join here: the local may hold charges another path has not written back.
        if (JOINS[op] === 1) this.synced = false;
        if (SPECIAL[op] === 0) {
          // The common case: copied later as part of a raw run of bytes.
          this.segmentCost += ONE_BYTE_COST[op];
          const next = skipShort(bytes, pos, end, op);
          if (next >= 0) pos = next;
          else {
            r.pos = pos;
            skipInstruction(r, op);
            pos = r.pos;
          }
        } else {
          this.takeRaw(at);
          r.pos = pos;
          const kind = SPECIAL[op];
          if (kind === HANDLER && this.local) throw RESTART_IN_GLOBAL_MODE;
          if (this.bound && (op === 0x1f || op === 0xe3 || op === 0xe4)) this.boundHandlers(op, r, depth);
          const role = ROLE[op];
          if (role === ROLE_CALL) {
            this.leaf = false;
            this.callCount++;
          }
          if (kind === HANDLER) this.handler = true;
          if (role === ROLE_CALL || role === ROLE_TRAP) {
            // After a call the global is current until the local is next needed: nothing to write.
            if (this.local && !this.stale && !this.synced) this.writeBack(this.code);
          } else if (role === ROLE_EXIT) {
            this.refresh();
            this.exit(this.code);
          } else if (role === ROLE_THROW && this.local) {
            this.refresh();
            // The wrapping handler closes the activation if the throw leaves the function.
            if (this.closeOnUnwind) this.writeBack(this.code);
            else this.exit(this.code);
          }
          if (kind === REMAP_FUNCTION) {
            this.code.u8(op);
            this.code.u32(func(this.ix, r.varU32()));
            this.segmentCost += ONE_BYTE_COST[op];
          } else if (kind === REMAP_GLOBAL) {
            this.code.u8(op);
            this.code.u32(glob(this.ix, r.varU32()));
            this.segmentCost += ONE_BYTE_COST[op];
          } else if (kind === PREFIXED_OR_GROW) {
            const sub = op === 0x40 ? -1 : r.varU32();
            // br_on_cast and its kin: treated as leaving every construct (no merging around them).
            if (op === PREFIX_GC && sub >= 24 && sub <= 31) {
              this.refresh();
              this.ctlLowest[depth] = -1;
              this.segmentLeft[this.segment] = 1;
              if (this.bound && (sub === 24 || sub === 25)) {
                r.u8(); // cast flags
                this.boundTarget(depth, depth - r.varU32());
              }
            }
            r.pos = pos;
            const charge = runtimeCharge(op, sub, r, this.ix);
            if (charge) {
              this.refresh();
              this.chargeRuntime(charge);
            }
            skipInstruction(r, op);
            this.code.range(bytes, at, r.pos);
            this.segmentCost += staticCost(op, sub);
          } else {
            skipInstruction(r, op);
            this.code.range(bytes, at, r.pos);
            this.segmentCost += ONE_BYTE_COST[op];
          }
          // Read back lazily (`refresh`): calls in a row share the global without the local.
          if (role === ROLE_CALL && this.local) this.stale = true;
          pos = r.pos;
          this.copyFrom = pos;
        }
        if (BRANCHES[op]) {
          this.branch(op, at, pos, depth);
          if (this.bound) this.boundBranch(op, at, pos, depth);
        }
        if (ENDS_STRAIGHT_LINE[op] === 1) this.deadEnd = true;
        let split = SPLITS_AFTER[op] === 1;
        if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x06 || op === 0x1f) {
          depth++;
          this.ctlSegment[depth] = this.segmentLeft[this.segment] ? -1 : this.segment;
          this.ctlLowest[depth] = depth;
          this.ctlOp[depth] = op;
          this.ctlCalls[depth] = this.callCount;
          if (this.bound) {
            const id = this.constructCount++;
            this.ctlId[depth] = id;
            this.continuations[id] = -1;
            this.continuationCharges[id] = 0;
            this.ctlIfSegment[depth] = -1;
            this.ctlLoopDepth[depth] = op === 0x03 ? depth : this.ctlLoopDepth[depth - 1];
          }
        } else if (op === END || op === 0x18) {
          if (depth > 0 && this.ctlOp[depth] === 0x03 && this.ctlCalls[depth] === this.callCount)
            this.quietLoop = true;
          if (depth > 0) split = this.closeConstruct(depth);
          depth--;
        }
        if (op === 0x03) this.leaf = false;
        if (op === 0x03 && this.profile) {
          const loop = this.layout.loops[this.nextLoop];
          if (!loop || loop.offset !== at)
            throw new RefusedError('internal error: loop pre-scan disagrees', at);
          loopCounter = this.profileBase + GLOBALS_PER_COUNTER * loop.counter;
          this.nextLoop++;
        }
        if (split && depth >= 0) {
          this.takeRaw(pos);
          this.close();
          if (loopCounter >= 0) {
            this.increment(this.code, loopCounter);
            loopCounter = -1;
          }
          // Only function entries and loop headers check: every path that runs long passes one.
          this.open(op === 0x03, this.bound ? this.boundSplit(op, depth) : CHARGES);
        }
      }
    } catch (error) {
      if (error instanceof MalformedError)
        throw new RefusedError(
          `cannot meter function ${functionIndex}: ${error.message} (an instruction the meter does not know is refused, not guessed)`,
          error.offset,
        );
      throw error;
    }
    if (
      !this.local &&
      this.bound &&
      this.boundCounter === 'auto' &&
      !this.handler &&
      (this.callCount === 0 || (this.quietLoop && this.callCount <= QUIET_LOOP_MAX_CALLS))
    )
      throw RESTART_IN_LOCAL_MODE;
    // The body's own final `end` closed the wrapping block: every way out but `return` is here.
    this.takeRaw(pos);
    if (depth !== -1 || pos !== end)
      throw new RefusedError(`function ${functionIndex}: body does not end where its size says`, end);
    this.close();
    this.exit(this.code);
    if (this.closeOnUnwind) {
      // An exception leaving the function (thrown here or by a callee) closes this activation
      // too. The counter is read back first: a callee may have charged the global meanwhile.
      this.code.u8(CATCH_ALL);
      if (this.local) this.readBack(this.code, false);
      this.exit(this.code);
      this.code.u8(RETHROW);
      this.code.u8(0);
      this.code.u8(END);
    }
    this.code.u8(END);
    // Locals: the original declarations, then the rewriter's (i32 scratch, five i64).
    const header = this.header;
    header.reset();
    const lr = new ByteReader(this.bytes, localsStart, localsEnd);
    const groups = lr.varU32();
    header.u32(groups + 2);
    header.range(this.bytes, lr.pos, localsEnd);
    header.u32(1);
    header.u8(I32);
    header.u32(ADDED_LOCALS - 1 + (this.profile ? 1 : 0));
    header.u8(I64);
    this.head.reset();
    this.prologue(this.head);
    this.writeBody(out, functionIndex, start);
  }

  /**
   * The body: its size, the locals, the prologue, then the code with each segment's cost in its
   * shortest encoding in place of the 5-byte placeholder (fewer bytes for the engine to decode
   * and to count toward its tier-up budget).
   */
  private writeBody(out: ByteWriter, functionIndex: number, start: number): void {
    if (this.bound) this.compactBound();
    else
      this.code.shrinkPlaceholders(
        this.placeholders,
        this.placeholderSegment,
        this.segmentCosts,
        this.placeholderCount,
      );
    const size = this.header.length + this.head.length + this.code.length;
    // Engines refuse a larger body: said here, where it is known which function and why.
    if (size > MAX_FUNCTION_BODY_SIZE)
      throw new RefusedError(
        `function ${functionIndex} would be ${size} bytes metered, over the engine's limit of ${MAX_FUNCTION_BODY_SIZE} bytes for a function body`,
        start,
      );
    out.u32(size);
    out.append(this.header);
    out.append(this.head);
    out.append(this.code);
  }

  /** A branch: marks the constructs it leaves (a return or throw leaves them all). */
  private branch(op: number, at: number, end: number, depth: number): void {
    let lowest = depth;
    if (op === 0x0c || op === 0x0d || op === 0xd5 || op === 0xd6) lowest = depth - leb(this.bytes, at + 1);
    else if (op === 0x0e) {
      // The instruction was read in full already: its labels are well-formed up to `end`.
      const bytes = this.bytes;
      let pos = at + 1;
      const n = leb(bytes, pos);
      while (bytes[pos++] & 0x80);
      for (let i = 0; i <= n && pos < end; i++) {
        lowest = Math.min(lowest, depth - leb(bytes, pos));
        while (bytes[pos++] & 0x80);
      }
    } else lowest = -1;
    if (lowest < this.ctlLowest[depth]) this.ctlLowest[depth] = lowest;
    this.segmentLeft[this.segment] = 1;
  }

  /**
   * The `end` of the construct at `depth`: true if a new segment starts after it. When the
   * segment open where a block, `if` or loop started had no branch before it, and nothing inside
   * the construct branches out of it, returns or throws, every run of that segment arrives after
   * the construct's `end` exactly once: the code there is charged with that segment (local mode).
   * A run that completes uses the same fuel as with a segment of its own; one that traps, exits or
   * runs out inside the construct has been charged it already, as with a trap inside a segment.
   */
  private closeConstruct(depth: number): boolean {
    const lowest = this.ctlLowest[depth];
    if (lowest < this.ctlLowest[depth - 1]) this.ctlLowest[depth - 1] = lowest;
    const op = this.ctlOp[depth];
    const outer = this.ctlSegment[depth];
    if (
      this.bound ||
      outer < 0 ||
      lowest < depth ||
      !this.local ||
      (op !== 0x02 && op !== 0x03 && op !== 0x04)
    )
      return true;
    this.close();
    this.segment = outer;
    this.segmentCost = this.segmentCosts[outer];
    this.segmentLeft[outer] = 0; // the branches inside the construct stay inside it
    return false;
  }

  /** Moves the raw bytes from the last copy point up to `to` into the segment. */
  private takeRaw(to: number): void {
    if (to > this.copyFrom) this.code.range(this.bytes, this.copyFrom, to);
    this.copyFrom = to;
  }

  /** Picks (or builds) the charge templates for the function about to be rewritten. */
  private useTemplates(): void {
    // Global mode's check keeps the fuel left in the body's i64 scratch local: by its index.
    const key = this.local ? this.fuelLocal : -1 - this.scratch64;
    let t = this.profile ? undefined : this.templates.get(key);
    if (!t) {
      t = { check: this.template(true), plain: this.template(false) };
      if (!this.profile) this.templates.set(key, t);
    }
    this.check = t.check;
    this.plain = t.plain;
  }

  /**
   * Starts a segment: its charge goes first, the cost patched in when the body is done. Bound
   * counting: only segments where `charge` is true charge.
   */
  private open(check: boolean, charge = CHARGES): void {
    const s = this.segments++;
    this.segment = s;
    this.segmentCosts[s] = 0;
    this.segmentLeft[s] = 0;
    this.segmentCost = 0;
    if (this.bound) {
      this.segmentCharges[s] = charge;
      this.segmentChargeAt[s] = charge === NO_CHARGE ? -1 : this.code.length;
      this.segmentLeavesEarly[s] = 0;
      this.firstEdge[s] = -1;
      this.deadEnd = false;
      if (charge === NO_CHARGE) return;
    }
    const t = (check ? this.check : this.plain)!;
    this.synced = false;
    const at = this.code.length;
    this.code.bytes(t.bytes);
    for (const c of t.costAt) {
      this.placeholders[this.placeholderCount] = at + c;
      this.placeholderSegment[this.placeholderCount++] = s;
    }
  }

  /** Bound counting: `from` may continue at `target` (a segment, or `-1 - construct` for its continuation). */
  private edge(from: number, target: number): void {
    const e = this.edgeCount++;
    this.edgeTarget[e] = target;
    this.edgeNext[e] = this.firstEdge[from];
    this.firstEdge[from] = e;
  }

  /** Bound counting: a branch from the open segment at `depth` to the label at `target` depth. */
  private boundTarget(depth: number, target: number): void {
    // The function's label is its exit; a loop's label is its header, which charges.
    if (target <= 0 || this.ctlOp[target] === 0x03) {
      this.segmentLeavesEarly[this.segment] = 1;
      return;
    }
    const id = this.ctlId[target];
    // Leaving a loop: the continuation charges, or the header would charge it every iteration.
    if (this.ctlLoopDepth[depth] > target) this.continuationCharges[id] = 1;
    this.edge(this.segment, -1 - id);
  }

  /** Bound counting: the labels a branch instruction read in full (`at` to `end`) may go to. */
  private boundBranch(op: number, at: number, end: number, depth: number): void {
    if (op === 0x0c || op === 0x0d || op === 0xd5 || op === 0xd6)
      this.boundTarget(depth, depth - leb(this.bytes, at + 1));
    else if (op !== 0x0e)
      this.segmentLeavesEarly[this.segment] = 1; // return, tail call, throw
    else if (op === 0x0e) {
      const bytes = this.bytes;
      let pos = at + 1;
      const n = leb(bytes, pos);
      while (bytes[pos++] & 0x80);
      for (let i = 0; i <= n && pos < end; i++) {
        this.boundTarget(depth, depth - leb(bytes, pos));
        while (bytes[pos++] & 0x80);
      }
    }
  }

  /**
   * Bound counting: control arrives at the labels of a `try_table`'s catch clauses from a throw,
   * and at those of a `resume`'s handlers from a suspension: their continuations charge.
   */
  private boundHandlers(op: number, r: ByteReader, depth: number): void {
    const save = r.pos;
    if (op === 0x1f)
      readTryTable(r, (label) => {
        const target = depth - label;
        if (target > 0 && this.ctlOp[target] !== 0x03) this.continuationCharges[this.ctlId[target]] = 1;
      });
    else {
      // Handlers of stack switching: every construct around charges after its end (rare).
      for (let d = 1; d <= depth; d++) this.continuationCharges[this.ctlId[d]] = 1;
    }
    r.pos = save;
  }

  /**
   * Bound counting: the segment that just closed after `op` (a split) and where it continues;
   * returns whether the segment about to open charges (loop headers, handlers, loop exits), may
   * charge (arms, continuations) or not (a `try` body).
   */
  private boundSplit(op: number, depth: number): number {
    const closed = this.segment;
    const next = this.segments;
    const falls = !this.deadEnd;
    switch (op) {
      case 0x03: // loop: the header charges
        return CHARGES;
      case 0x04: // if: the then arm follows; the else arm or the continuation is linked later
        if (falls) this.edge(closed, next);
        this.ctlIfSegment[depth] = closed;
        return MAY_CHARGE;
      case 0x05: // else: the then arm goes on after the end
        if (falls) this.edge(closed, -1 - this.ctlId[depth]);
        if (this.ctlIfSegment[depth] >= 0) this.edge(this.ctlIfSegment[depth], next);
        this.ctlIfSegment[depth] = -1;
        return MAY_CHARGE;
      case 0x06: // try
        if (falls) this.edge(closed, next);
        return NO_CHARGE;
      case 0x07: // catch, catch_all: a handler starts, arrived at from a throw
      case 0x19:
        if (falls) this.edge(closed, -1 - this.ctlId[depth]);
        return CHARGES;
      default: {
        // end, delegate: the construct at depth + 1 closed, its continuation opens
        const id = this.ctlId[depth + 1];
        if (falls) this.edge(closed, next);
        if (this.ctlIfSegment[depth + 1] >= 0) this.edge(this.ctlIfSegment[depth + 1], next);
        this.continuations[id] = next;
        return this.ctlOp[depth + 1] === 0x03 || this.continuationCharges[id] === 1 ? CHARGES : MAY_CHARGE;
      }
    }
  }

  /**
   * Bound counting: what each charging segment subtracts, the most any path from it can cost up
   * to the next charge, exit or back edge. Segments only continue at later ones, apart from loop
   * headers (which charge), so one pass from the last segment back computes them. Where paths
   * part with costs more than `splitAbove` apart, the costlier ones that may charge do, so that
   * the cheap path is not charged for them; one entered from there alone then charges less what
   * the segment before it already charged for the paths that stayed uncharged.
   * Returns what each charging segment subtracts.
   */
  private boundCharges(): number[] {
    const n = this.segments;
    const most = sized(this.boundCosts, n);
    const charges = this.segmentCharges;
    const entries = sized(this.boundEntries, n).fill(0, 0, n);
    for (let e = 0; e < this.edgeCount; e++) entries[this.edgeEnd(e)]++;
    const charged = sized(this.boundCharged, n).fill(0, 0, n);
    for (let s = n - 1; s >= 0; s--) {
      let high = 0;
      let low = this.segmentLeavesEarly[s] === 1 ? 0 : Infinity;
      let paths = this.segmentLeavesEarly[s];
      for (let e = this.firstEdge[s]; e >= 0; e = this.edgeNext[e]) {
        const t = this.edgeEnd(e);
        if (!(t > s) && charges[t] !== CHARGES)
          throw new RefusedError('internal error: a segment continues before itself');
        const after = charges[t] === CHARGES ? 0 : most[t];
        if (after > high) high = after;
        if (after < low) low = after;
        paths++;
      }
      if (paths > 1 && high - low > this.splitAbove) {
        high = low;
        const split = this.boundSplits;
        split.length = 0;
        for (let e = this.firstEdge[s]; e >= 0; e = this.edgeNext[e]) {
          const t = this.edgeEnd(e);
          if (charges[t] === MAY_CHARGE && most[t] > low + this.splitAbove) {
            charges[t] = CHARGES;
            split.push(t);
          }
          const after = charges[t] === CHARGES ? 0 : most[t];
          if (after > high) high = after;
        }
        for (const t of split) if (entries[t] === 1) charged[t] = Math.min(high, most[t]);
      }
      most[s] = this.segmentCosts[s] + high;
    }
    const charge = sized(this.boundCharge, n);
    for (let s = 0; s < n; s++) charge[s] = most[s] - charged[s];
    return charge;
  }

  /** The segment an edge goes to. */
  private edgeEnd(e: number): number {
    const label = this.edgeTarget[e];
    return label >= 0 ? label : this.continuations[-1 - label];
  }

  /**
   * Bound counting: the body's code with each kept charge's cost in place of its placeholder, and
   * the charges not kept (still MAY_CHARGE) removed.
   */
  private compactBound(): void {
    const charge = this.boundCharges();
    const { at, removed, values } = this.edits;
    const chargeLength = this.plain!.bytes.length;
    let edits = 0;
    let dropped = -1;
    for (let i = 0; i < this.placeholderCount; i++) {
      const s = this.placeholderSegment[i];
      if (this.segmentCharges[s] === CHARGES) {
        at[edits] = this.placeholders[i];
        removed[edits] = 5;
        values[edits++] = charge[s];
      } else if (s !== dropped) {
        at[edits] = this.segmentChargeAt[s];
        removed[edits] = chargeLength;
        values[edits++] = -1;
        dropped = s;
      }
    }
    this.code.compact(at, removed, values, undefined, edits);
  }

  /** Records the open segment's cost (written into its placeholders with the body). */
  private close(): void {
    this.segmentCosts[this.segment] = this.segmentCost;
  }

  /** `fuel -= cost` (global mode with a profile: `self += cost` too), then the check if asked. */
  private template(check: boolean): Template {
    const w = new ByteWriter(96);
    const costAt: number[] = [];
    if (this.local) {
      w.u8(LOCAL_GET);
      w.u32(this.fuelLocal);
      w.u8(I64_CONST);
      costAt.push(w.placeholder());
      w.u8(I64_SUB);
      if (check) {
        w.u8(LOCAL_TEE);
        w.u32(this.fuelLocal);
        this.checkLeft(w);
      } else {
        w.u8(LOCAL_SET);
        w.u32(this.fuelLocal);
      }
      return { bytes: w.toBytes(), costAt };
    }
    w.u8(GLOBAL_GET);
    w.u32(this.ix.fuel);
    w.u8(I64_CONST);
    costAt.push(w.placeholder());
    w.u8(I64_SUB);
    // The check tests what was stored, not a load of it again.
    if (check) {
      w.u8(LOCAL_TEE);
      w.u32(this.scratch64);
    }
    w.u8(GLOBAL_SET);
    w.u32(this.ix.fuel);
    if (this.counters >= 0) {
      w.u8(I64_CONST);
      costAt.push(w.placeholder());
      this.addTo(w, this.counters);
    }
    if (check) {
      w.u8(LOCAL_GET);
      w.u32(this.scratch64);
      this.checkLeft(w);
    }
    return { bytes: w.toBytes(), costAt };
  }

  /**
   * With the counter on the stack: `if counter < 0 { slow path }` (`'threshold'` checks: `<
   * threshold`), the slow path calling `sample` and trapping if it answers 1. In local mode the
   * counter is written back first (the host reads it), and afterwards the counter the host
   * stepped on (`'zero'`) or the threshold it moved is read.
   */
  private checkLeft(w: ByteWriter): void {
    const zero = this.checks === 'zero';
    if (zero) {
      w.u8(I64_CONST);
      w.u8(0);
    } else if (this.local) {
      w.u8(LOCAL_GET);
      w.u32(this.thresholdLocal);
    } else {
      w.u8(GLOBAL_GET);
      w.u32(this.ix.threshold);
    }
    w.u8(I64_LT_S);
    w.u8(IF);
    w.u8(EMPTY_BLOCK);
    if (this.local) this.writeBack(w);
    w.u8(CALL);
    w.u32(this.ix.slowPath);
    if (this.local) {
      w.u8(GLOBAL_GET);
      w.u32(zero ? this.ix.fuel : this.ix.threshold);
      w.u8(LOCAL_SET);
      w.u32(zero ? this.fuelLocal : this.thresholdLocal);
    }
    w.u8(END);
  }

  /** Local mode, after a call: the counter from the global, before anything uses the local. */
  private refresh(): void {
    if (!this.stale) return;
    this.readBack(this.code, false);
    this.stale = false;
    this.synced = true;
  }

  /** Local mode: the counter to the global; with a profile, the own fuel since the mark to `self`. */
  private writeBack(w: ByteWriter): void {
    w.u8(LOCAL_GET);
    w.u32(this.fuelLocal);
    w.u8(GLOBAL_SET);
    w.u32(this.ix.fuel);
    if (this.counters < 0) return;
    w.u8(LOCAL_GET);
    w.u32(this.markLocal);
    w.u8(LOCAL_GET);
    w.u32(this.fuelLocal);
    w.u8(I64_SUB);
    this.addTo(w, this.counters);
    this.mark(w);
  }

  /**
   * Local mode: the counter from the global (after a call, at entry), and at entry the threshold
   * (`'threshold'` checks).
   * After a call the threshold is not read again: if the callee moved it (it sampled), the stale
   * one is higher, so the next check calls `sample` once more, which answers from the counter
   * alone and reads the threshold back — the same calls on every run.
   */
  private readBack(w: ByteWriter, threshold: boolean): void {
    w.u8(GLOBAL_GET);
    w.u32(this.ix.fuel);
    w.u8(LOCAL_SET);
    w.u32(this.fuelLocal);
    if (threshold && this.checks === 'threshold') {
      w.u8(GLOBAL_GET);
      w.u32(this.ix.threshold);
      w.u8(LOCAL_SET);
      w.u32(this.thresholdLocal);
    }
    if (this.counters >= 0) this.mark(w);
  }

  private mark(w: ByteWriter): void {
    w.u8(LOCAL_GET);
    w.u32(this.fuelLocal);
    w.u8(LOCAL_SET);
    w.u32(this.markLocal);
  }

  /** The fuel left, on the stack. */
  private fuelLeft(w: ByteWriter): void {
    w.u8(this.local ? LOCAL_GET : GLOBAL_GET);
    w.u32(this.local ? this.fuelLocal : this.ix.fuel);
  }

  /**
   * Before the body: the counter into its local; with a profile, one more call, and when no
   * activation of this function is open, the fuel at which this one starts (inclusive fuel).
   */
  private prologue(w: ByteWriter): void {
    if (this.local) {
      if (this.leaf) {
        w.u8(GLOBAL_GET);
        w.u32(this.ix.fuel);
        w.u8(LOCAL_SET);
        w.u32(this.fuelLocal);
        if (this.counters >= 0) this.mark(w);
      } else {
        // The entry check, before the entry segment's charge (the next check sees that).
        this.readBack(w, true);
        w.u8(LOCAL_GET);
        w.u32(this.fuelLocal);
        this.checkLeft(w);
      }
    }
    if (this.counters < 0) return;
    const { calls, start, depth } = this.profileGlobals();
    this.increment(w, calls);
    w.u8(GLOBAL_GET);
    w.u32(depth);
    w.u8(I32_EQZ);
    w.u8(IF);
    w.u8(EMPTY_BLOCK);
    this.fuelLeft(w);
    this.store(w, start);
    w.u8(END);
    this.step(w, depth, I32_ADD);
  }

  /** Leaving the function: the write-back; with a profile, the outermost activation adds its inclusive fuel. */
  private exit(w: ByteWriter): void {
    if (this.local) this.writeBack(w);
    if (this.counters < 0) return;
    const { inclusive, start, depth } = this.profileGlobals();
    this.step(w, depth, I32_SUB);
    w.u8(GLOBAL_GET);
    w.u32(depth);
    w.u8(I32_EQZ);
    w.u8(IF);
    w.u8(EMPTY_BLOCK);
    loadCounter(w, start);
    this.fuelLeft(w);
    w.u8(I64_SUB);
    this.addTo(w, inclusive);
    w.u8(END);
  }

  /** The low globals of this function's counters (`depth` has only its low half in use). */
  private profileGlobals(): { calls: number; inclusive: number; start: number; depth: number } {
    const at = (n: number): number => this.counters + GLOBALS_PER_COUNTER * n;
    const n = FUNCTION_COUNTER;
    return { calls: at(n.calls), inclusive: at(n.inclusive), start: at(n.start), depth: at(n.depth) };
  }

  /** A counter (low global at `low`) plus one, carried into its high half. */
  private increment(w: ByteWriter, low: number): void {
    this.step(w, low, I32_ADD);
    w.u8(GLOBAL_GET);
    w.u32(low);
    w.u8(I32_EQZ);
    w.u8(IF);
    w.u8(EMPTY_BLOCK);
    this.step(w, low + 1, I32_ADD);
    w.u8(END);
  }

  /** `global += 1` or `global -= 1` on an i32 global. */
  private step(w: ByteWriter, global: number, op: number): void {
    w.u8(GLOBAL_GET);
    w.u32(global);
    w.u8(I32_CONST);
    w.u8(1);
    w.u8(op);
    w.u8(GLOBAL_SET);
    w.u32(global);
  }

  /**
   * Adds the i64 on the stack (0 ≤ value < 2^62) to the counter at `low`: the low half plus the
   * value, its low 32 bits to the low half and the rest to the high half.
   */
  private addTo(w: ByteWriter, low: number): void {
    w.u8(GLOBAL_GET);
    w.u32(low);
    w.u8(I64_EXTEND_I32_U);
    w.u8(I64_ADD);
    this.splitLow(w, low);
    w.u8(GLOBAL_GET);
    w.u32(low + 1);
    w.u8(I32_ADD);
    w.u8(GLOBAL_SET);
    w.u32(low + 1);
  }

  /** Stores the i64 on the stack into the counter at `low`, bit for bit. */
  private store(w: ByteWriter, low: number): void {
    this.splitLow(w, low);
    w.u8(GLOBAL_SET);
    w.u32(low + 1);
  }

  /** The low 32 bits of the i64 on the stack into the global `low`; its high 32 bits left on the stack. */
  private splitLow(w: ByteWriter, low: number): void {
    const scratch = this.base + ADDED_LOCALS;
    w.u8(LOCAL_TEE);
    w.u32(scratch);
    w.u8(I32_WRAP_I64);
    w.u8(GLOBAL_SET);
    w.u32(low);
    w.u8(LOCAL_GET);
    w.u32(scratch);
    w.u8(I64_CONST);
    w.u8(32);
    w.u8(I64_SHR_U);
    w.u8(I32_WRAP_I64);
  }

  /** Charges the size on top of the stack (kept there) before a bulk operation runs. */
  private chargeRuntime(c: RuntimeCharge): void {
    this.leaf = false;
    const w = this.code;
    const s32 = this.base;
    const s64 = this.base + 1;
    const charge = this.base + 2;
    if (c.width === 'i32') {
      w.u8(LOCAL_TEE);
      w.u32(s32);
      w.u8(I64_EXTEND_I32_U);
    } else {
      // A 64-bit size is capped at 2^40 first, so the charge can neither wrap nor turn negative.
      w.u8(LOCAL_TEE);
      w.u32(s64);
      w.u8(LOCAL_SET);
      w.u32(charge);
      w.u8(LOCAL_GET);
      w.u32(charge);
      w.u8(I64_CONST);
      w.s64(SIZE_CAP);
      w.u8(LOCAL_GET);
      w.u32(charge);
      w.u8(I64_CONST);
      w.s64(SIZE_CAP);
      w.u8(I64_LT_U);
      w.u8(SELECT);
    }
    if (c.shift > 0) {
      w.u8(I64_CONST);
      w.u8(c.shift);
      w.u8(c.direction === 'shr' ? I64_SHR_U : I64_SHL);
    }
    w.u8(LOCAL_SET);
    w.u32(charge);
    if (this.local) {
      w.u8(LOCAL_GET);
      w.u32(this.fuelLocal);
      w.u8(LOCAL_GET);
      w.u32(charge);
      w.u8(I64_SUB);
      w.u8(LOCAL_TEE);
      w.u32(this.fuelLocal);
    } else {
      w.u8(GLOBAL_GET);
      w.u32(this.ix.fuel);
      w.u8(LOCAL_GET);
      w.u32(charge);
      w.u8(I64_SUB);
      w.u8(GLOBAL_SET);
      w.u32(this.ix.fuel);
      if (this.counters >= 0) {
        w.u8(LOCAL_GET);
        w.u32(charge);
        this.addTo(w, this.counters);
      }
      w.u8(GLOBAL_GET);
      w.u32(this.ix.fuel);
    }
    this.checkLeft(w);
    // Written back: a bulk operation that then traps (out of bounds) has been charged all the same.
    if (this.local) this.writeBack(w);
    // The size goes back on the stack for the instruction itself.
    w.u8(LOCAL_GET);
    w.u32(c.width === 'i32' ? s32 : s64);
  }
}

const SIZE_CAP = 2 ** 40;
const BYTES_SHIFT = Math.log2(COST.bytesPerUnit);

/** The run-time charge of a bulk instruction (memory and table sizes, GC array lengths), if any. */
function runtimeCharge(op: number, sub: number, r: ByteReader, ix: Indices): RuntimeCharge | null {
  const peek = (): number[] => {
    const save = r.pos;
    const values: number[] = [];
    if (op !== 0x40) r.varU32(); // sub-opcode
    for (let i = 0; i < 2 && !r.atEnd(); i++) values.push(r.varU32());
    r.pos = save;
    return values;
  };
  const width = (is64: boolean | undefined): 'i32' | 'i64' => (is64 ? 'i64' : 'i32');
  if (op === 0x40) {
    const [mem] = peek();
    return { width: width(ix.memory64[mem]), shift: COST.growPageShift, direction: 'shl' };
  }
  if (op === PREFIX_MISC) {
    switch (sub) {
      case 8: // memory.init: size is i32
        return { width: 'i32', shift: BYTES_SHIFT, direction: 'shr' };
      case 10: {
        const [dst, src] = peek();
        return { width: width(ix.memory64[dst] && ix.memory64[src]), shift: BYTES_SHIFT, direction: 'shr' };
      }
      case 11: {
        const [mem] = peek();
        return { width: width(ix.memory64[mem]), shift: BYTES_SHIFT, direction: 'shr' };
      }
      case 12: // table.init
        return { width: 'i32', shift: 0, direction: 'shr' };
      case 14: {
        const [dst, src] = peek();
        return { width: width(ix.table64[dst] && ix.table64[src]), shift: 0, direction: 'shr' };
      }
      case 15: // table.grow
      case 17: {
        // table.fill
        const [table] = peek();
        return { width: width(ix.table64[table]), shift: 0, direction: 'shr' };
      }
    }
    return null;
  }
  if (op === PREFIX_GC) {
    // array.new, array.new_default, array.new_data, array.new_elem, array.fill, array.copy, array.init_*
    if (sub === 6 || sub === 7 || sub === 9 || sub === 10 || (sub >= 16 && sub <= 19))
      return { width: 'i32', shift: 0, direction: 'shr' };
  }
  return null;
}
