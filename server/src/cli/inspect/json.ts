/**
 * `wasm-warden inspect --json`: module facts as JSON, streamed. Data segments print from their
 * table a batch at a time (Go modules have ~100,000), lists print natively in batches, and the text
 * goes out in chunks, so a large module's output is never built whole. Byte for byte what
 * `JSON.stringify(body, null, 2)` prints.
 */
import { copyFacts, dataSegmentTable } from '../../core/module/lazyDataSegments';
import type { ModuleFacts } from '../../core/module/model';
import type { Reachability } from '../../core/reach/reachability';
import { exportReachRows, neverCalledImports } from '../../core/reach/summary';
import type { CliIo } from '../command';
import { LazyList, writeJson, type JsonRows } from '../jsonStream';

/**
 * Writes `body` (facts, a copy made with `copyFacts`, or any value holding facts) through `write`.
 * `lazy`: an object inside `body` that holds a LazyList, to walk rather than print natively.
 */
export function writeFactsJson(body: unknown, write: (text: string) => void, lazy?: object): void {
  const rows = (holder: object, key: string): JsonRows | undefined => {
    const table = key === 'dataSegments' ? dataSegmentTable(holder as ModuleFacts) : undefined;
    return table && { length: table.length, at: (row) => table.fact(row) };
  };
  // The body is walked so that its lists print in batches; module facts (the top ones and a
  // component's nested ones) are what hold data segments.
  const walk = (value: object): boolean => value === body || 'dataSegments' in value || value === lazy;
  writeJson(body, write, { rows, walk });
}

/**
 * Facts as `inspect --json` prints them: `fields` replace or follow the facts' own, `lead` comes
 * first. The per-item lists `functions` and `dataSegments` (tens of thousands of items in large
 * modules: most of their JSON) are left out, in nested modules too, unless `detail`.
 */
export function jsonFacts(
  facts: ModuleFacts,
  detail: boolean,
  fields: Partial<ModuleFacts> = {},
  lead: Record<string, unknown> = {},
): ModuleFacts {
  if (detail) return copyFacts(facts, fields, lead);
  const nested = facts.modules ? { modules: facts.modules.map((m) => jsonFacts(m, false)) } : {};
  const copy: Partial<ModuleFacts> = copyFacts(facts, { ...nested, ...fields }, lead);
  delete copy.functions;
  delete copy.dataSegments;
  return copy as ModuleFacts;
}

/** The JSON of `body` and a newline on stdout. */
export function printJson(body: unknown, lazy: object | undefined, io: CliIo): void {
  writeFactsJson(body, io.stdout, lazy);
  io.stdout('\n');
}

/**
 * `reachability` in JSON: what nothing calls; with `--reach` first what each exported function
 * reaches, made as it prints (duckdb-wasm has 75,000). `labels`: the facts that name the imports.
 */
export function reachabilityJson(labels: ModuleFacts, reach: Reachability, perExport: boolean): object {
  const rows = exportReachRows(labels, reach);
  return {
    ...(perExport ? { exports: new LazyList(rows.length, rows.at) } : {}),
    neverCalled: neverCalledImports(labels, reach),
  };
}
