/** Adapts the module reader's lazy body scan to what rules read, scanning as little as asked. */
import type { SourceLocation } from '../../location';
import {
  CallSiteLog,
  scanFunctionBodies,
  type BodyScanResult,
  type FunctionBodyStats,
} from '../../module/code';
import { copyFacts } from '../../module/lazyDataSegments';
import type { ModuleFacts, Proposal } from '../../module/model';
import { buildCallGraph } from '../../reach/callGraph';
import { analyseReachability, type Reachability } from '../../reach/reachability';
import type { CodeView, FunctionCodeStats } from '../rule';
import { packStats, unpackStats } from './packedStats';

/**
 * What a code view works out from function bodies alone, so the same for every module with the
 * same code at the same offsets: a caller that knows such a module (features/scan/codeCache.ts)
 * hands in the record it kept, and the view fills in what it computes.
 */
export interface CodeResults {
  /**
   * Another module with this code was analysed before: then one full pass over the bodies, kept
   * for the ones after, beats each module prefiltering them on its own.
   */
  shared?: boolean;
  /** Every function's index and opcode counts (`packStats`). */
  functions?: Int32Array;
  proposals?: Proposal[];
  reachability?: Reachability;
}

export function binaryCodeView(
  facts: ModuleFacts,
  bytes: Uint8Array,
  /** Where to point for a function: its body by default; text modules map back to their `(func` span. */
  locate: (funcIndex: number, bodyLocation: SourceLocation) => SourceLocation = (_index, location) =>
    location,
  /** Results known for this code already (filled in as they are computed); a record of its own by default. */
  known: CodeResults = {},
): CodeView {
  // A component has no bodies of its own: each core module inside gets its own view, so a
  // component-level rule must not see (and report) its modules' functions a second time.
  if (facts.kind === 'component')
    return {
      functions: () => [],
      functionsWhere: () => [],
      proposals: () => [],
      reachability: () => undefined,
    };
  let scan: BodyScanResult | undefined;
  let functions: FunctionCodeStats[] | undefined;
  const locateFunction = (index: number) => locate(index, facts.functions[index]?.location ?? facts.location);
  const toStats = (fn: FunctionBodyStats): FunctionCodeStats => ({
    funcIndex: fn.index,
    counts: fn.counts,
    location: locateFunction(fn.index),
  });
  const allFunctions = (): FunctionCodeStats[] => {
    if (known.functions) return unpackStats(known.functions, locateFunction);
    const stats = run().functions.map(toStats);
    known.functions = packStats(stats);
    return stats;
  };
  // One pass over the bodies gives the counts, the proposals and the calls the graph needs.
  const calls = new CallSiteLog();
  const run = () => (scan ??= scanFunctionBodies(bytes, { facts, calls }));
  return {
    functions: () => (functions ??= allFunctions()),
    functionsWhere(prefilter) {
      // Every function is a superset the caller filters anyway: cheaper than a pass of its own once
      // the bodies have been scanned, and kept for other modules with this code.
      if (known.functions || scan || known.shared) return this.functions();
      const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const candidates = facts.functions.filter(
        (fn) =>
          fn.bodyOffset !== undefined &&
          fn.bodySize !== undefined &&
          prefilter(file, fn.bodyOffset, Math.min(file.length, fn.bodyOffset + fn.bodySize)),
      );
      if (candidates.length === 0) return [];
      if (candidates.length === facts.functions.length) return this.functions();
      const some = copyFacts(facts, { functions: candidates });
      return scanFunctionBodies(bytes, { facts: some }).functions.map(toStats);
    },
    proposals: () => (known.proposals ??= run().proposals),
    reachability: () => {
      if (!known.reachability) {
        run();
        known.reachability = analyseReachability(buildCallGraph(facts, bytes, calls));
      }
      return known.reachability;
    },
  };
}
