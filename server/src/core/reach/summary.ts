/**
 * Reachability as plain data for reports (`inspect --json`, policy generation): for every export
 * the imports it can reach, and the imports nothing reaches ("module.name" each).
 */
import type { ModuleFacts } from '../module/model';
import { buildCallGraph } from './callGraph';
import { analyseReachability, type Reachability } from './reachability';

export interface ReachabilitySummary {
  exports: Array<{ name: string; imports: string[] }>;
  neverCalled: string[];
}

/** The reachability of a binary core module (facts read from `bytes`); undefined for components. */
export function reachabilityOf(facts: ModuleFacts, bytes: Uint8Array): Reachability | undefined {
  if (facts.kind !== 'module') return undefined;
  return analyseReachability(buildCallGraph(facts, bytes));
}

export function summariseReachability(facts: ModuleFacts, reach: Reachability): ReachabilitySummary {
  const names = new Map<number, string>();
  for (const imp of facts.imports) if (imp.kind === 'func') names.set(imp.index, `${imp.module}.${imp.name}`);
  const label = (f: number) => names.get(f) ?? `func[${f}]`;
  return {
    exports: facts.exports
      .filter((e) => e.kind === 'func')
      .map((e) => ({ name: e.name, imports: reach.importsReachedFrom(e.index).map(label) })),
    neverCalled: reach.neverCalled().map(label),
  };
}
