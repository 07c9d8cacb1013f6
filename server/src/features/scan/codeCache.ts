/**
 * What function bodies say, shared by modules with the same code: builds that differ only in
 * custom sections or in the bytes of data segments (a signature, a build id, an embedded asset)
 * have one call graph and its reachability (the largest part of the import rules' work,
 * esbuild-wasm: 45-120 ms a file), one set of per-function opcode counts (the body pass of
 * `table-exposure` and `cryptominer`) and one list of the proposals in their bodies. These hold
 * byte offsets of bodies and call sites, so the key is the module's engine key
 * (features/analysisCache.ts: every non-custom byte but the data segments' own), where it starts
 * and the offset of each non-custom section: the same code at the same place. A component's core
 * modules are keyed one by one.
 */
import type { ModuleFacts } from '../../core/module/model';
import type { Reachability } from '../../core/reach/reachability';
import type { CodeResults } from '../../core/rules/support/codeView';

/**
 * How many bytes of results each cache keeps: the real-world set's ten modules other than
 * ffmpeg-core take about 5 MB between them (esbuild-wasm's graph 2.5 MB, ffmpeg-core's alone 5 MB).
 * Small, since a scan of modules that all differ in code keeps this much per worker for nothing.
 */
const BUDGET_BYTES = 8 * 1024 * 1024;

/** The typed arrays a graph holds (what it answers is derived from them and smaller). */
function graphWeight(reach: Reachability): number {
  const g = reach.graph;
  const { sites } = g;
  return (
    g.outStart.byteLength +
    g.outList.byteLength +
    g.inStart.byteLength +
    g.inList.byteLength +
    g.siteStart.byteLength +
    g.addressTaken.byteLength +
    sites.caller.data.byteLength +
    sites.target.data.byteLength +
    sites.offset.data.byteLength +
    sites.op.data.byteLength
  );
}

function weightOf(results: CodeResults): number {
  return (
    (results.reachability ? graphWeight(results.reachability) : 0) + (results.functions?.byteLength ?? 0)
  );
}

export class CodeCache {
  /** Most recently used last. */
  private readonly entries = new Map<string, CodeResults>();

  constructor(private readonly budget = BUDGET_BYTES) {}

  /**
   * What `analyzeModule` takes as `codeResults` for a file whose core modules have these engine
   * keys (by where each starts). A module without a key, or that the reader found malformed, gets
   * a record of its own.
   */
  for(engineKeys: ReadonlyMap<number, string>): (facts: ModuleFacts) => CodeResults {
    return (facts) => {
      const at = facts.location.kind === 'binary' ? facts.location.offset : undefined;
      const engineKey = at === undefined ? undefined : engineKeys.get(at);
      const malformed = facts.problems.some((p) => p.severity === 'error');
      if (engineKey === undefined || !facts.sections || malformed) return {};
      const layout = facts.sections.filter((s) => s.id !== 0).map((s) => s.offset);
      return this.get(`${engineKey}@${at}:${layout.join(',')}`);
    };
  }

  /**
   * The record of `key`, new when there is none. Records fill in after they are handed out, so
   * the budget is kept here, on the next request: the least recently used go first, and a record
   * that alone is over the budget is not kept.
   */
  private get(key: string): CodeResults {
    const known = this.entries.get(key);
    this.entries.delete(key);
    this.trim();
    const results = known && weightOf(known) <= this.budget ? known : {};
    if (results === known) results.shared = true;
    this.entries.set(key, results);
    return results;
  }

  private trim(): void {
    const weights = [...this.entries].map(([key, results]) => ({ key, weight: weightOf(results) }));
    let total = weights.reduce((sum, w) => sum + w.weight, 0);
    for (const { key, weight } of weights) {
      if (total <= this.budget) break;
      this.entries.delete(key);
      total -= weight;
    }
  }
}
