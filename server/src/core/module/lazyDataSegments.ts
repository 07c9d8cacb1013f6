/**
 * `ModuleFacts.dataSegments` of a binary module, built from its DataSegmentTable on first read:
 * `check` and the workspace scan read the table and never need the objects. The property then
 * replaces itself with the plain array, so JSON and every reader see the facts as they always were.
 * A spread or a structured clone reads it too, so copies of facts go through `copyFacts`.
 */
import type { DataSegmentTable } from './dataSegmentTable';
import type { DataSegmentFact, ModuleFacts } from './model';

/** Tables of the facts whose `dataSegments` nobody has read yet. */
const unread = new WeakMap<ModuleFacts, DataSegmentTable>();

/** Makes `facts.dataSegments` the table's segments, built when first read. */
export function attachDataSegments(facts: ModuleFacts, table: DataSegmentTable): void {
  unread.set(facts, table);
  Object.defineProperty(facts, 'dataSegments', {
    configurable: true,
    enumerable: true,
    get: () => settle(facts, table.facts()),
    set: (segments: DataSegmentFact[]) => settle(facts, segments),
  });
}

/** The table behind `facts.dataSegments` while the objects are not built; undefined after. */
export function dataSegmentTable(facts: ModuleFacts): DataSegmentTable | undefined {
  return unread.get(facts);
}

/** Count, passive count and total bytes of the segments, without building them. */
export function dataSegmentTotals(facts: ModuleFacts): { count: number; passive: number; bytes: number } {
  const table = unread.get(facts);
  if (table) return table.totals();
  const segments = facts.dataSegments;
  return {
    count: segments.length,
    passive: segments.filter((d) => d.mode === 'passive').length,
    bytes: segments.reduce((sum, d) => sum + d.size, 0),
  };
}

/**
 * `{ ...lead, ...facts, ...fields }` without reading `dataSegments` (which would build every
 * segment): a copy that keeps the segments stays lazy on the same table. Keys come in the spread's
 * order (`lead` names keys the facts do not have, such as the file `inspect --json` prints first).
 */
export function copyFacts(
  facts: ModuleFacts,
  fields: Partial<ModuleFacts>,
  lead: Record<string, unknown> = {},
): ModuleFacts {
  const table = unread.get(facts);
  const source = facts as unknown as Record<string, unknown>;
  const replaced = fields as Record<string, unknown>;
  const copy: Record<string, unknown> = { ...lead };
  for (const key of Object.keys(facts)) {
    if (Object.hasOwn(replaced, key)) copy[key] = replaced[key];
    else if (key === 'dataSegments' && table) attachDataSegments(copy as unknown as ModuleFacts, table);
    else copy[key] = source[key];
  }
  for (const key of Object.keys(replaced)) if (!Object.hasOwn(copy, key)) copy[key] = replaced[key];
  return copy as unknown as ModuleFacts;
}

/** Turns the property into the plain one it stands for (defineProperty keeps its key position). */
function settle(facts: ModuleFacts, segments: DataSegmentFact[]): DataSegmentFact[] {
  unread.delete(facts);
  Object.defineProperty(facts, 'dataSegments', {
    configurable: true,
    enumerable: true,
    writable: true,
    value: segments,
  });
  return segments;
}
