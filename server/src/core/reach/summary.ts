/**
 * Reachability as plain data for reports (`inspect --json`, policy generation): for every export
 * the imports it can reach, and the imports nothing reaches ("module.name" each).
 */
import type { CallSiteLog } from '../module/code';
import type { ModuleFacts } from '../module/model';
import { buildCallGraph } from './callGraph';
import { analyseReachability, type Reachability } from './reachability';

export interface ReachabilitySummary {
  exports: ExportReach[];
  neverCalled: string[];
}

/**
 * The reachability of a binary core module (facts read from `bytes`); undefined for components.
 * `calls`: the module's calls, when the body pass has logged them already.
 */
export function reachabilityOf(
  facts: ModuleFacts,
  bytes: Uint8Array,
  calls?: CallSiteLog,
): Reachability | undefined {
  if (facts.kind !== 'module') return undefined;
  return analyseReachability(buildCallGraph(facts, bytes, calls));
}

export interface ExportReach {
  name: string;
  imports: string[];
}

/**
 * The summary's `exports`, each built when asked for: duckdb-wasm exports 75,000 functions and
 * most reach hundreds of imports, so the whole list is ~250 MB as JSON and is best printed row by
 * row (`inspect --json`) rather than built.
 */
export function exportReachRows(
  facts: ModuleFacts,
  reach: Reachability,
): { length: number; at(row: number): ExportReach } {
  const label = importLabels(facts);
  const exported = facts.exports.filter((e) => e.kind === 'func');
  return {
    length: exported.length,
    at: (row) => ({
      name: exported[row].name,
      imports: reach.importsReachedFrom(exported[row].index).map(label),
    }),
  };
}

export function summariseReachability(facts: ModuleFacts, reach: Reachability): ReachabilitySummary {
  const rows = exportReachRows(facts, reach);
  return {
    exports: Array.from({ length: rows.length }, (_, row) => rows.at(row)),
    neverCalled: neverCalledImports(facts, reach),
  };
}

/** The summary's `neverCalled`: imported functions no entry point reaches, "module.name" each. */
export function neverCalledImports(facts: ModuleFacts, reach: Reachability): string[] {
  return reach.neverCalled().map(importLabels(facts));
}

/** "module.name" of an imported function by its index (`func[i]` for any other). */
function importLabels(facts: ModuleFacts): (funcIndex: number) => string {
  const names = new Map<number, string>();
  for (const imp of facts.imports) if (imp.kind === 'func') names.set(imp.index, `${imp.module}.${imp.name}`);
  return (f) => names.get(f) ?? `func[${f}]`;
}
