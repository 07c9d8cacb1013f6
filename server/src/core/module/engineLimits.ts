/**
 * How many of each thing a module may have: the limits of the WebAssembly JS API ("Limits"), which
 * V8 and the other Web engines enforce when they compile. A module past one is rejected by every
 * such engine, so the reader may reject it too; and it must, before building a fact per entry: a
 * 120 MB function section of one-byte entries declares 120 million functions, whose facts would
 * need tens of gigabytes (an `inspect` of such a file ran out of heap after 95 s).
 * Where the limits differ between engines or versions, the higher one is used, so that nothing an
 * engine accepts is called malformed.
 */
export interface CountLimit {
  max: number;
  /** What is counted, plural ("functions"). */
  what: string;
  /** Whose limit it is, after "more than the N": "a module may have (…)". */
  whose: string;
}

const ENGINES = 'a module may have (the limit WebAssembly engines enforce)';
const limit = (max: number, what: string): CountLimit => ({ max, what, whose: ENGINES });

export const ENGINE_LIMITS = {
  types: limit(1_000_000, 'types'),
  /** Imported and defined together. */
  functions: limit(1_000_000, 'functions'),
  imports: limit(1_000_000, 'imports'),
  exports: limit(1_000_000, 'exports'),
  globals: limit(1_000_000, 'globals'),
  tags: limit(1_000_000, 'tags'),
  tables: limit(100_000, 'tables'),
  /** V8 allows 100 with multi-memory; nothing larger is known. */
  memories: limit(100_000, 'memories'),
  dataSegments: limit(100_000, 'data segments'),
  elementSegments: limit(10_000_000, 'element segments'),
  /** A name map names functions, so it has no more entries than a module has functions. */
  functionNames: limit(1_000_000, 'function names'),
} as const;

/** The largest function body, in bytes, engines compile (the JS API's limit, V8's too). */
export const MAX_FUNCTION_BODY_SIZE = 7_654_321;

/** The message for a count past its limit. */
export function overLimitMessage(count: number, { max, what, whose }: CountLimit): string {
  return `${count} ${what} is more than the ${max.toLocaleString('en-US')} ${whose}`;
}
