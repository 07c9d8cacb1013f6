/** Adapts the module reader's lazy body scan to what rules read, scanning at most once. */
import type { SourceLocation } from '../../location';
import { scanFunctionBodies, type BodyScanResult } from '../../module/code';
import type { ModuleFacts } from '../../module/model';
import type { CodeView, FunctionCodeStats } from '../rule';

export function binaryCodeView(
  facts: ModuleFacts,
  bytes: Uint8Array,
  /** Where to point for a function: its body by default; text modules map back to their `(func` span. */
  locate: (funcIndex: number, bodyLocation: SourceLocation) => SourceLocation = (_index, location) =>
    location,
): CodeView {
  let scan: BodyScanResult | undefined;
  let functions: FunctionCodeStats[] | undefined;
  const run = () => (scan ??= scanFunctionBodies(bytes, { facts }));
  return {
    functions: () =>
      (functions ??= run().functions.map((fn) => ({
        funcIndex: fn.index,
        counts: fn.counts,
        location: locate(fn.index, facts.functions[fn.index]?.location ?? facts.location),
      }))),
    proposals: () => run().proposals,
  };
}
