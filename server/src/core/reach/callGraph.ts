/**
 * The call graph of a core module, read from its code section on demand (like the body scan in
 * module/code.ts, and with the same instruction decoder). Direct calls (`call`, `return_call`)
 * are edges between functions. Indirect calls cannot be resolved exactly, so they go through a
 * node of their own, one per (table, signature) for `call_indirect` and per signature for
 * `call_ref`, whose edges lead to every function that could be there: the functions an element
 * segment puts in that table or that a `ref.func` takes the address of, with a matching
 * signature; or, when the table is imported or exported (the host can fill it), every function
 * of that signature. That keeps the graph linear in the size of the code however many indirect
 * calls there are. Entry points are exported functions, the start function and the functions in
 * imported or exported tables.
 */
import { ByteReader, MalformedError } from '../module/byteReader';
import { readTypeSignatures } from '../module/coreModule';
import { CallSiteLog, scanFunctionBodies } from '../module/code';
import { skipInstruction } from '../module/instructions';
import { IntList } from '../module/intList';
import type { FuncSignature, ModuleFacts } from '../module/model';
import { readValType } from '../module/valueTypes';

export { IntList };

export const enum CallOp {
  Call = 0x10,
  CallIndirect = 0x11,
  ReturnCall = 0x12,
  ReturnCallIndirect = 0x13,
  CallRef = 0x14,
  ReturnCallRef = 0x15,
}

export interface IndirectTarget {
  /** `call_indirect` through a table, or `call_ref`. */
  kind: 'table' | 'ref';
  /** The table (call_indirect only). */
  table?: number;
  /** The type index of the instruction, and its signature when it is a function type. */
  typeIndex: number;
  signature: FuncSignature | null;
  /** True when any function of the signature may be there (imported or exported table, unknown type). */
  open: boolean;
}

export interface EntryPoint {
  funcIndex: number;
  kind: 'export' | 'start' | 'table';
  /** The export name, `start`, or the exported/imported table's name. */
  name: string;
}

export interface CallGraph {
  /** Functions (imports first); nodes at and above this number are indirect targets. */
  functionCount: number;
  importCount: number;
  nodeCount: number;
  indirect: IndirectTarget[];
  /** Out edges: node n's successors are outList[outStart[n] .. outStart[n+1]). */
  outStart: Int32Array;
  outList: Int32Array;
  /** In edges, the same shape. */
  inStart: Int32Array;
  inList: Int32Array;
  /** Every call instruction: caller, target node, byte offset of the opcode, opcode. */
  sites: { caller: IntList; target: IntList; offset: IntList; op: IntList };
  /** The call sites of function f (as caller) are sites [siteStart[f], siteStart[f+1]). */
  siteStart: Int32Array;
  entries: EntryPoint[];
  /** Functions whose address is taken (element segments, ref.func), by index. */
  addressTaken: Uint8Array;
  /** Bodies that could not be read to the end (their calls before the bad byte are kept). */
  problems: Array<{ funcIndex: number; offset: number; message: string }>;
}

function signatureKey(sig: FuncSignature | null | undefined): string {
  return sig ? `${sig.params.join(',')}->${sig.results.join(',')}` : '?';
}

function sectionPayload(facts: ModuleFacts, id: number): { start: number; end: number } | undefined {
  const s = facts.sections?.find((x) => x.id === id);
  return s ? { start: s.payloadOffset, end: s.offset + s.size } : undefined;
}

/** Reads a constant expression to its `end`, noting the functions a `ref.func` names. */
function readConstExprRefs(r: ByteReader, onFunc: (index: number) => void): void {
  for (;;) {
    const op = r.u8();
    if (op === 0x0b) return;
    if (op === 0xd2) onFunc(r.varU32());
    else skipInstruction(r, op);
  }
}

interface TableContents {
  /** Functions placed in each table by active segments. */
  byTable: Map<number, number[]>;
  /** Functions in passive and declarative segments (table.init / ref.func can put them anywhere). */
  loose: number[];
}

function readElementFunctions(bytes: Uint8Array, facts: ModuleFacts): TableContents {
  const contents: TableContents = { byTable: new Map(), loose: [] };
  const payload = sectionPayload(facts, 9);
  if (!payload) return contents;
  const r = new ByteReader(bytes, payload.start, payload.end);
  const n = r.count(1);
  for (let i = 0; i < n; i++) {
    const flags = r.varU32();
    const passiveOrDeclarative = (flags & 0x01) !== 0;
    const explicitTable = (flags & 0x02) !== 0;
    const usesExpressions = (flags & 0x04) !== 0;
    let table = -1;
    if (!passiveOrDeclarative) {
      table = explicitTable ? r.varU32() : 0;
      readConstExprRefs(r, () => undefined);
    }
    if (passiveOrDeclarative || explicitTable) {
      if (usesExpressions) readValType(r, new Set());
      else r.u8();
    }
    let list = contents.loose;
    if (table >= 0) {
      list = contents.byTable.get(table) ?? [];
      contents.byTable.set(table, list);
    }
    const count = r.count(1);
    for (let k = 0; k < count; k++) {
      if (usesExpressions) readConstExprRefs(r, (f) => list.push(f));
      else list.push(r.varU32());
    }
  }
  return contents;
}

/** `ref.func`s in global initialisers also take a function's address. */
function readGlobalRefs(bytes: Uint8Array, facts: ModuleFacts, onFunc: (index: number) => void): void {
  const payload = sectionPayload(facts, 6);
  if (!payload) return;
  const r = new ByteReader(bytes, payload.start, payload.end);
  const n = r.count(2);
  for (let i = 0; i < n; i++) {
    readValType(r, new Set());
    r.u8();
    readConstExprRefs(r, onFunc);
  }
}

/**
 * Builds the call graph of a binary core module (`facts` read from `bytes`; offsets absolute).
 * `calls`: the module's calls as the body pass logged them (module/code.ts), when that pass has
 * run already for its counts or proposals; otherwise the pass runs here. Malformed bodies and
 * sections are noted and skipped: the graph then holds what could be read.
 */
export function buildCallGraph(facts: ModuleFacts, bytes: Uint8Array, calls?: CallSiteLog): CallGraph {
  const functionCount = facts.functions.length;
  const importCount = facts.functions.filter((f) => f.imported).length;
  const problems: CallGraph['problems'] = [];
  const note = (funcIndex: number, error: unknown, offset: number) =>
    problems.push({
      funcIndex,
      offset: error instanceof MalformedError ? error.offset : offset,
      message: (error as Error).message,
    });

  let types: Array<FuncSignature | null> = [];
  const typePayload = sectionPayload(facts, 1);
  if (typePayload) {
    try {
      types = readTypeSignatures(bytes, typePayload.start, typePayload.end);
    } catch (error) {
      note(-1, error, typePayload.start);
    }
  }

  const addressTaken = new Uint8Array(functionCount);
  const take = (f: number) => {
    if (f >= 0 && f < functionCount) addressTaken[f] = 1;
  };
  let tables: TableContents = { byTable: new Map(), loose: [] };
  try {
    tables = readElementFunctions(bytes, facts);
  } catch (error) {
    note(-1, error, 0);
  }
  for (const list of tables.byTable.values()) list.forEach(take);
  tables.loose.forEach(take);
  try {
    readGlobalRefs(bytes, facts, take);
  } catch (error) {
    note(-1, error, 0);
  }

  // Indirect targets are numbered as they are met; their edges are filled in after the scan,
  // when every ref.func is known.
  const indirect: IndirectTarget[] = [];
  const indirectIds = new Map<string, number>();
  const openTables = new Set(
    facts.tables.filter((t) => t.imported || t.exportedAs.length > 0).map((t) => t.index),
  );
  const byImmediate = new Map<number, number>();
  const indirectNode = (kind: 'table' | 'ref', typeIndex: number, table: number): number => {
    const immediate = kind === 'ref' ? -1 - typeIndex : table * 0x1000000 + typeIndex;
    const known = byImmediate.get(immediate);
    if (known !== undefined) return known;
    const node = indirectNodeFor(kind, typeIndex, table);
    byImmediate.set(immediate, node);
    return node;
  };
  const indirectNodeFor = (kind: 'table' | 'ref', typeIndex: number, table: number): number => {
    const signature = types[typeIndex] ?? null;
    const key = `${kind}:${kind === 'table' ? table : ''}:${signatureKey(signature)}`;
    let id = indirectIds.get(key);
    if (id === undefined) {
      id = indirect.length;
      indirectIds.set(key, id);
      const target: IndirectTarget = {
        kind,
        typeIndex,
        signature,
        open: signature === null || (kind === 'table' ? openTables.has(table) : openTables.size > 0),
      };
      if (kind === 'table') target.table = table;
      indirect.push(target);
    }
    return functionCount + id;
  };

  const siteStart = new Int32Array(functionCount + 1);
  const edgeFrom = new IntList();
  const edgeTo = new IntList();
  // Deduplicates a caller's edges: seenBy[target] is the last caller that had an edge to it.
  const seenBy = new Int32Array(functionCount + 1024).fill(-1);
  let seenByIndirect = new Int32Array(64).fill(-1);
  const addEdge = (from: number, to: number) => {
    if (to < functionCount) {
      if (seenBy[to] === from) return;
      seenBy[to] = from;
    } else {
      const id = to - functionCount;
      if (id >= seenByIndirect.length) {
        const grown = new Int32Array(seenByIndirect.length * 2).fill(-1);
        grown.set(seenByIndirect);
        seenByIndirect = grown;
      }
      if (seenByIndirect[id] === from) return;
      seenByIndirect[id] = from;
    }
    edgeFrom.push(from);
    edgeTo.push(to);
  };

  let log = calls;
  if (!log) {
    log = new CallSiteLog();
    scanFunctionBodies(bytes, { facts, collect: false, calls: log });
  }
  for (const p of log.problems) problems.push(p);
  for (let i = 0; i < log.refFuncs.length; i++) take(log.refFuncs.data[i] >>> 0);
  // Sites are the log's calls (shared, not copied) with their target node; a direct call past
  // the function space is invalid (the validator says so) and has no site. They come in body
  // order, so a function's sites are contiguous: siteStart[f] counts the sites before f's.
  const target = new Int32Array(log.length);
  let kept = 0;
  for (let i = 0; i < log.length; i++) {
    const op = log.op.data[i];
    const first = log.first.data[i] >>> 0;
    let t: number;
    if (op === CallOp.Call || op === CallOp.ReturnCall) t = first < functionCount ? first : -1;
    else if (op === CallOp.CallIndirect || op === CallOp.ReturnCallIndirect)
      t = indirectNode('table', first, log.second.data[i] >>> 0);
    else t = indirectNode('ref', first, 0);
    target[i] = t;
    if (t >= 0) kept++;
  }
  let sites: CallGraph['sites'] = {
    caller: log.caller,
    target: IntList.over(target, log.length),
    offset: log.offset,
    op: log.op,
  };
  if (kept < log.length) sites = keptSites(sites, kept);
  let nextStart = 0;
  for (let i = 0; i < sites.caller.length; i++) {
    const f = sites.caller.data[i];
    while (nextStart <= f) siteStart[nextStart++] = i;
    addEdge(f, sites.target.data[i]);
  }
  while (nextStart <= functionCount) siteStart[nextStart++] = sites.caller.length;

  const nodeCount = functionCount + indirect.length;
  // Functions of one type share its signature object: one key per type, not per function.
  const keyOf = new Map<FuncSignature | null, string>();
  const signatureKeys = facts.functions.map((fn) => {
    let key = keyOf.get(fn.signature);
    if (key === undefined) keyOf.set(fn.signature, (key = signatureKey(fn.signature)));
    return key;
  });
  const bySignature = new Map<string, number[]>();
  for (let f = 0; f < functionCount; f++) {
    const list = bySignature.get(signatureKeys[f]);
    if (list) list.push(f);
    else bySignature.set(signatureKeys[f], [f]);
  }
  for (const [id, target] of indirect.entries()) {
    const node = functionCount + id;
    const key = signatureKey(target.signature);
    // An unknown type (not a function type, or an unreadable type section) matches anything.
    const sameType = target.signature === null ? undefined : (bySignature.get(key) ?? []);
    if (target.open) {
      if (sameType) for (const f of sameType) addEdge(node, f);
      else for (let f = 0; f < functionCount; f++) addEdge(node, f);
      continue;
    }
    const matches = (f: number) => f >= 0 && f < functionCount && (!sameType || signatureKeys[f] === key);
    for (const f of target.kind === 'table' ? (tables.byTable.get(target.table!) ?? []) : [])
      if (matches(f)) addEdge(node, f);
    for (const f of sameType ?? facts.functions.map((fn) => fn.index))
      if (addressTaken[f] && matches(f)) addEdge(node, f);
  }

  const { start: outStart, list: outList } = toAdjacency(nodeCount, edgeFrom, edgeTo);
  const { start: inStart, list: inList } = toAdjacency(nodeCount, edgeTo, edgeFrom);

  const entries: EntryPoint[] = [];
  for (const e of facts.exports)
    if (e.kind === 'func' && e.index < functionCount)
      entries.push({ funcIndex: e.index, kind: 'export', name: e.name });
  if (facts.start && facts.start.funcIndex < functionCount)
    entries.push({ funcIndex: facts.start.funcIndex, kind: 'start', name: 'start' });
  for (const t of facts.tables) {
    if (!openTables.has(t.index)) continue;
    const name = t.exportedAs[0] ?? `table ${t.index}`;
    for (const f of tables.byTable.get(t.index) ?? [])
      if (f >= 0 && f < functionCount) entries.push({ funcIndex: f, kind: 'table', name });
  }

  return {
    functionCount,
    importCount,
    nodeCount,
    indirect,
    outStart,
    outList,
    inStart,
    inList,
    sites,
    siteStart,
    entries,
    addressTaken,
    problems,
  };
}

/** The sites whose target is not -1, copied (`kept` of them). */
function keptSites(all: CallGraph['sites'], kept: number): CallGraph['sites'] {
  const lists = {
    caller: new Int32Array(kept),
    target: new Int32Array(kept),
    offset: new Int32Array(kept),
    op: new Int32Array(kept),
  };
  let k = 0;
  for (let i = 0; i < all.target.length; i++) {
    if (all.target.data[i] < 0) continue;
    lists.caller[k] = all.caller.data[i];
    lists.target[k] = all.target.data[i];
    lists.offset[k] = all.offset.data[i];
    lists.op[k] = all.op.data[i];
    k++;
  }
  return {
    caller: IntList.over(lists.caller),
    target: IntList.over(lists.target),
    offset: IntList.over(lists.offset),
    op: IntList.over(lists.op),
  };
}

/** Compressed adjacency (CSR) from parallel edge lists, dropping edges to nodes out of range. */
function toAdjacency(nodeCount: number, from: IntList, to: IntList): { start: Int32Array; list: Int32Array } {
  const start = new Int32Array(nodeCount + 1);
  for (let i = 0; i < from.length; i++)
    if (to.data[i] < nodeCount && from.data[i] < nodeCount) start[from.data[i] + 1]++;
  for (let n = 0; n < nodeCount; n++) start[n + 1] += start[n];
  const fill = start.slice(0, nodeCount);
  const list = new Int32Array(start[nodeCount]);
  for (let i = 0; i < from.length; i++) {
    const a = from.data[i];
    const b = to.data[i];
    if (b < nodeCount && a < nodeCount) list[fill[a]++] = b;
  }
  return { start, list };
}
