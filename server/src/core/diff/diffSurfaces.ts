/**
 * `wasm-warden diff`: what NEW can do that OLD could not, and the reverse. Pure: two surfaces in,
 * plain data out; the CLI, the `capability-change` rule and the editor's lens all read this.
 */
import type { Proposal } from '../module/model';
import type { Capability } from '../wasi/capabilities';
import type { ModuleSurface, SurfaceExport, SurfaceImport, SurfaceLimits, SurfaceSigner } from './surface';

export interface SetChange<T> {
  added: T[];
  removed: T[];
}

export interface Change<T> {
  before: T;
  after: T;
}

export interface LimitsChange {
  key: string;
  before: SurfaceLimits | null;
  after: SurfaceLimits | null;
}

export interface ModuleDiff {
  kind?: Change<ModuleSurface['kind']>;
  size: Change<number>;
  capabilities: SetChange<Capability>;
  imports: SetChange<SurfaceImport>;
  /** Imports present in both whose type changed (a signature, a memory's limits). */
  importTypes: Array<{ key: string; before: string; after: string }>;
  exports: SetChange<SurfaceExport>;
  /**
   * Components: functions an interface present in both versions gained or lost (a changed
   * signature is one removed and one added), as WIT.
   */
  functions: Array<{ side: 'import' | 'export'; key: string } & SetChange<string>>;
  memories: LimitsChange[];
  tables: LimitsChange[];
  start?: Change<string | null>;
  signature: {
    signed?: Change<boolean>;
    status?: Change<string | undefined>;
    signers: SetChange<SurfaceSigner>;
  };
  proposals: SetChange<Proposal>;
  customSections: SetChange<string>;
  producers: SetChange<string>;
  /** Nested core modules and components (components only): counts before and after. */
  nested?: Change<ModuleSurface['nested']>;
}

/** Added and removed members, keyed by `key`; each list keeps its own order. Counts duplicates. */
export function setChange<T>(before: readonly T[], after: readonly T[], key: (t: T) => string): SetChange<T> {
  const count = (list: readonly T[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const t of list) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
    return m;
  };
  const minus = (from: readonly T[], other: Map<string, number>): T[] => {
    const left = new Map(other);
    const out: T[] = [];
    for (const t of from) {
      const k = key(t);
      const n = left.get(k) ?? 0;
      if (n > 0) left.set(k, n - 1);
      else out.push(t);
    }
    return out;
  };
  return { added: minus(after, count(before)), removed: minus(before, count(after)) };
}

const same = (s: string): string => s;

function limitsChanges(before: SurfaceLimits[], after: SurfaceLimits[]): LimitsChange[] {
  const keys = [...new Set([...before, ...after].map((l) => l.key))];
  const out: LimitsChange[] = [];
  for (const key of keys) {
    const b = before.find((l) => l.key === key) ?? null;
    const a = after.find((l) => l.key === key) ?? null;
    const equal =
      b &&
      a &&
      b.initial === a.initial &&
      b.maximum === a.maximum &&
      b.imported === a.imported &&
      b.detail === a.detail;
    if (!equal) out.push({ key, before: b, after: a });
  }
  return out;
}

/** Function changes of the items present on both sides (matched by key and kind). */
function functionChanges<T extends { kind: string; functions?: string[] }>(
  side: 'import' | 'export',
  before: T[],
  after: T[],
  key: (t: T) => string,
): ModuleDiff['functions'] {
  const old = new Map(before.map((t) => [`${key(t)}\0${t.kind}`, t]));
  const out: ModuleDiff['functions'] = [];
  for (const t of after) {
    const o = old.get(`${key(t)}\0${t.kind}`);
    if (!o || (!o.functions && !t.functions)) continue;
    const change = setChange(o.functions ?? [], t.functions ?? [], same);
    if (change.added.length || change.removed.length) out.push({ side, key: key(t), ...change });
  }
  return out;
}

export function diffSurfaces(before: ModuleSurface, after: ModuleSurface): ModuleDiff {
  const beforeImports = new Map(before.imports.map((i) => [i.key, i]));
  const importTypes: ModuleDiff['importTypes'] = [];
  for (const i of after.imports) {
    const old = beforeImports.get(i.key);
    if (old && old.kind === i.kind && old.type !== i.type)
      importTypes.push({ key: i.key, before: old.type, after: i.type });
  }
  const diff: ModuleDiff = {
    size: { before: before.size, after: after.size },
    capabilities: setChange(before.capabilities, after.capabilities, same),
    imports: setChange(before.imports, after.imports, (i) => `${i.key}\0${i.kind}`),
    importTypes,
    exports: setChange(before.exports, after.exports, (e) => `${e.name}\0${e.kind}`),
    functions: [
      ...functionChanges('import', before.imports, after.imports, (i) => i.key),
      ...functionChanges('export', before.exports, after.exports, (e) => e.name),
    ],
    memories: limitsChanges(before.memories, after.memories),
    tables: limitsChanges(before.tables, after.tables),
    signature: {
      signers: setChange(before.signers, after.signers, (s) => `${s.keyId}\0${s.status ?? ''}`),
    },
    proposals: setChange(before.proposals, after.proposals, same),
    customSections: setChange(before.customSections, after.customSections, same),
    producers: setChange(before.producers, after.producers, same),
  };
  if (before.kind !== after.kind) diff.kind = { before: before.kind, after: after.kind };
  if (before.start !== after.start) diff.start = { before: before.start, after: after.start };
  if (before.signed !== after.signed) diff.signature.signed = { before: before.signed, after: after.signed };
  if (before.signatureStatus !== after.signatureStatus)
    diff.signature.status = { before: before.signatureStatus, after: after.signatureStatus };
  if (JSON.stringify(before.nested) !== JSON.stringify(after.nested))
    diff.nested = { before: before.nested, after: after.nested };
  return diff;
}

/** True when nothing but the size changed (or not even that). */
export function isUnchanged(diff: ModuleDiff): boolean {
  const empty = (c: SetChange<unknown>): boolean => c.added.length === 0 && c.removed.length === 0;
  return (
    !diff.kind &&
    !diff.start &&
    !diff.nested &&
    !diff.signature.signed &&
    !diff.signature.status &&
    empty(diff.signature.signers) &&
    empty(diff.capabilities) &&
    empty(diff.imports) &&
    diff.importTypes.length === 0 &&
    empty(diff.exports) &&
    diff.functions.length === 0 &&
    diff.memories.length === 0 &&
    diff.tables.length === 0 &&
    empty(diff.proposals) &&
    empty(diff.customSections) &&
    empty(diff.producers)
  );
}
