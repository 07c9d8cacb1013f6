/**
 * Reachability (the call graph and what it answers) shared by modules with the same code: builds
 * that differ only in custom sections or in the bytes of data segments (a signature, a build id,
 * an embedded asset) have one call graph, and building it is the largest part of the import rules'
 * work (esbuild-wasm: 45-120 ms a file). The graph holds byte offsets of call sites, so the key is
 * the module's engine key (features/analysisCache.ts: every non-custom byte but the data segments'
 * own), where it starts and the offset of each non-custom section: the same code at the same
 * place. A component's core modules are keyed one by one.
 */
import type { Reachability } from '../../core/reach/reachability';
import type { ModuleFacts } from '../../core/module/model';

/**
 * How many bytes of graphs each cache keeps: the real-world set's ten modules other than
 * ffmpeg-core take 3.5 MB between them (esbuild-wasm 2.5 MB, ffmpeg-core alone 5 MB). Small, since
 * a scan of modules that all differ in code keeps this much per worker for nothing.
 */
const BUDGET_BYTES = 8 * 1024 * 1024;

/** The typed arrays a graph holds (what it answers is derived from them and smaller). */
function weightOf(reach: Reachability): number {
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

export class ReachabilityCache {
  private readonly entries = new Map<string, { reach: Reachability; weight: number }>();
  private total = 0;

  constructor(private readonly budget = BUDGET_BYTES) {}

  /**
   * What `analyzeModule` takes as `reachability` for a file whose core modules have these engine
   * keys (by where each starts). A module without a key, or that the reader found malformed, gets
   * its own graph.
   */
  for(
    engineKeys: ReadonlyMap<number, string>,
  ): (facts: ModuleFacts, build: () => Reachability) => Reachability {
    return (facts, build) => {
      const at = facts.location.kind === 'binary' ? facts.location.offset : undefined;
      const engineKey = at === undefined ? undefined : engineKeys.get(at);
      const malformed = facts.problems.some((p) => p.severity === 'error');
      if (engineKey === undefined || !facts.sections || malformed) return build();
      const layout = facts.sections.filter((s) => s.id !== 0).map((s) => s.offset);
      const key = `${engineKey}@${at}:${layout.join(',')}`;
      return this.get(key) ?? this.set(key, build());
    };
  }

  private get(key: string): Reachability | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key); // most recently used last
    this.entries.set(key, entry);
    return entry.reach;
  }

  private set(key: string, reach: Reachability): Reachability {
    const weight = weightOf(reach);
    if (weight > this.budget) return reach;
    for (const [oldest, entry] of this.entries) {
      if (this.total + weight <= this.budget) break;
      this.entries.delete(oldest);
      this.total -= entry.weight;
    }
    this.entries.set(key, { reach, weight });
    this.total += weight;
    return reach;
  }
}
