/**
 * What the code can reach, from the call graph: for each entry point the imported functions it can
 * call (directly or through any chain), for each import the entry points that reach it, the
 * imports nothing reaches, and one shortest path from an entry point to an import. Strongly
 * connected components (iterative Tarjan, so deep graphs cannot overflow the stack) are folded
 * first; each component's set of reachable imports is a bitset built from its successors'.
 */
import type { CallGraph, EntryPoint } from './callGraph';

export interface PathStep {
  funcIndex: number;
  /** How this step was reached from the previous one (absent on the first). */
  via?: 'call' | 'indirect';
}

export interface CallSiteRef {
  caller: number;
  /** Byte offset of the call instruction in the binary. */
  offset: number;
  /** True when the call is indirect (call_indirect / call_ref) and only may reach the callee. */
  indirect: boolean;
}

export interface Reachability {
  graph: CallGraph;
  /** Imported functions (by function index) that `funcIndex` can reach, in index order. */
  importsReachedFrom(funcIndex: number): number[];
  /** Entry points that reach the imported function. */
  entriesReaching(importIndex: number): EntryPoint[];
  /** Imported functions no entry point reaches. */
  neverCalled(): number[];
  /** A shortest path from an entry point to `funcIndex` (entry first, `funcIndex` last), or undefined. */
  pathTo(funcIndex: number): { entry: EntryPoint; steps: PathStep[]; site?: CallSiteRef } | undefined;
  /** Every call instruction whose target is `funcIndex` (directly, or indirectly when asked). */
  callSitesOf(funcIndex: number, includeIndirect?: boolean): CallSiteRef[];
}

/** Components of the graph in reverse topological order (sinks first): comp[node], and count. */
function stronglyConnected(graph: CallGraph): { comp: Int32Array; count: number } {
  const n = graph.nodeCount;
  const { outStart, outList } = graph;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  let sp = 0;
  const callStack = new Int32Array(n);
  const edgePos = new Int32Array(n);
  let counter = 0;
  let count = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] >= 0) continue;
    let depth = 0;
    callStack[0] = root;
    index[root] = low[root] = counter++;
    edgePos[root] = outStart[root];
    stack[sp++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const v = callStack[depth];
      if (edgePos[v] < outStart[v + 1]) {
        const w = outList[edgePos[v]++];
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          edgePos[w] = outStart[w];
          stack[sp++] = w;
          onStack[w] = 1;
          callStack[++depth] = w;
        } else if (onStack[w] && index[w] < low[v]) low[v] = index[w];
        continue;
      }
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack[--sp];
          onStack[w] = 0;
          comp[w] = count;
        } while (w !== v);
        count++;
      }
      depth--;
      if (depth >= 0) {
        const parent = callStack[depth];
        if (low[v] < low[parent]) low[parent] = low[v];
      }
    }
  }
  return { comp, count };
}

export function analyseReachability(graph: CallGraph): Reachability {
  const { importCount, functionCount } = graph;
  const words = Math.max(1, Math.ceil(importCount / 32));
  let built: { comp: Int32Array; sets: Uint32Array } | undefined;
  const build = () => {
    if (built) return built;
    const { comp, count } = stronglyConnected(graph);
    const sets = new Uint32Array(count * words);
    // Members of each component, so a component's set is the union over its members' edges.
    const byComp: number[][] = Array.from({ length: count }, () => []);
    for (let v = 0; v < graph.nodeCount; v++) byComp[comp[v]].push(v);
    for (let c = 0; c < count; c++) {
      const base = c * words;
      for (const v of byComp[c]) {
        if (v < importCount) sets[base + (v >>> 5)] |= 1 << (v & 31);
        for (let e = graph.outStart[v]; e < graph.outStart[v + 1]; e++) {
          const d = comp[graph.outList[e]];
          if (d === c) continue;
          const from = d * words; // a sink-first order: d < c, already complete
          for (let k = 0; k < words; k++) sets[base + k] |= sets[from + k];
        }
      }
    }
    built = { comp, sets };
    return built;
  };
  const has = (funcIndex: number, imp: number) => {
    const { comp, sets } = build();
    return (sets[comp[funcIndex] * words + (imp >>> 5)] & (1 << (imp & 31))) !== 0;
  };

  let reached: Uint8Array | undefined;
  /** Which imports any entry point reaches: one walk forwards from all of them (no per-node sets). */
  const reachedImports = () => {
    if (reached) return reached;
    reached = new Uint8Array(importCount);
    const visited = new Uint8Array(graph.nodeCount);
    const queue = new Int32Array(graph.nodeCount);
    let tail = 0;
    for (const entry of graph.entries)
      if (!visited[entry.funcIndex]) {
        visited[entry.funcIndex] = 1;
        queue[tail++] = entry.funcIndex;
      }
    for (let head = 0; head < tail; head++) {
      const v = queue[head];
      if (v < importCount) reached[v] = 1;
      for (let e = graph.outStart[v]; e < graph.outStart[v + 1]; e++) {
        const w = graph.outList[e];
        if (visited[w]) continue;
        visited[w] = 1;
        queue[tail++] = w;
      }
    }
    return reached;
  };

  const callSitesOf = (funcIndex: number, includeIndirect = true): CallSiteRef[] => {
    const { sites } = graph;
    const result: CallSiteRef[] = [];
    const indirectNodes = new Set<number>();
    if (includeIndirect)
      for (let e = graph.inStart[funcIndex]; e < graph.inStart[funcIndex + 1]; e++)
        if (graph.inList[e] >= functionCount) indirectNodes.add(graph.inList[e]);
    for (let i = 0; i < sites.target.length; i++) {
      const t = sites.target.data[i];
      if (t === funcIndex || indirectNodes.has(t))
        result.push({
          caller: sites.caller.data[i],
          offset: sites.offset.data[i],
          indirect: t !== funcIndex,
        });
    }
    return result;
  };

  return {
    graph,
    importsReachedFrom(funcIndex) {
      const out: number[] = [];
      for (let i = 0; i < importCount; i++) if (has(funcIndex, i)) out.push(i);
      return out;
    },
    entriesReaching(importIndex) {
      return graph.entries.filter((e) => has(e.funcIndex, importIndex));
    },
    neverCalled() {
      const r = reachedImports();
      const out: number[] = [];
      for (let i = 0; i < importCount; i++) if (!r[i]) out.push(i);
      return out;
    },
    pathTo(funcIndex) {
      // Breadth first backwards from the target until an entry point: the path is then shortest.
      const entryAt = new Map<number, EntryPoint>();
      for (const e of graph.entries) if (!entryAt.has(e.funcIndex)) entryAt.set(e.funcIndex, e);
      const next = new Int32Array(graph.nodeCount).fill(-1);
      next[funcIndex] = funcIndex;
      const queue = new Int32Array(graph.nodeCount);
      let head = 0;
      let tail = 0;
      queue[tail++] = funcIndex;
      let found = -1;
      while (head < tail) {
        const v = queue[head++];
        if (v < functionCount && entryAt.has(v)) {
          found = v;
          break;
        }
        for (let e = graph.inStart[v]; e < graph.inStart[v + 1]; e++) {
          const u = graph.inList[e];
          if (next[u] >= 0) continue;
          next[u] = v;
          queue[tail++] = u;
        }
      }
      if (found < 0) return undefined;
      const steps: PathStep[] = [{ funcIndex: found }];
      let indirectHop = false;
      let v = found;
      while (v !== funcIndex) {
        v = next[v];
        if (v >= functionCount) {
          indirectHop = true;
          continue;
        }
        steps.push({ funcIndex: v, via: indirectHop ? 'indirect' : 'call' });
        indirectHop = false;
      }
      const result: ReturnType<Reachability['pathTo']> = { entry: entryAt.get(found)!, steps };
      if (steps.length > 1) {
        const caller = steps[steps.length - 2].funcIndex;
        const direct = steps[steps.length - 1].via === 'call';
        const { sites } = graph;
        for (let i = graph.siteStart[caller]; i < graph.siteStart[caller + 1]; i++) {
          const t = sites.target.data[i];
          if (t === next[caller]) {
            result.site = { caller, offset: sites.offset.data[i], indirect: !direct };
            break;
          }
        }
      }
      return result;
    },
    callSitesOf,
  };
}
