/**
 * Writes a value as `JSON.stringify(value, null, 2)` would, byte for byte, in chunks as it goes:
 * the whole text never exists at once (a 34 MB module's facts print as ~56 MB of JSON), and a
 * list that `rows` supplies is printed a batch at a time without being built as an array.
 */

/** A list printed a batch at a time: `at(i)` may build row i afresh; it is dropped once printed. */
export interface JsonRows {
  length: number;
  at(index: number): unknown;
}

/** A value printed as the list of its rows, made as they print (`toJSON` builds them all). */
export class LazyList implements JsonRows {
  constructor(
    readonly length: number,
    readonly at: (index: number) => unknown,
  ) {}

  toJSON(): unknown[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }
}

export interface JsonStreamOptions {
  /**
   * Called with each walked object and each of its keys before the value is read: rows to print
   * in place of `holder[key]` (which is then never read), or undefined to print the value.
   */
  rows?: (holder: object, key: string) => JsonRows | undefined;
  /**
   * Which objects to walk key by key (those that may hold `rows` or a LazyList; printed natively,
   * a LazyList is built whole by its `toJSON`, which is right but slow). Every other object, and every
   * run of list items that are not walked, is printed by native `JSON.stringify`, in batches.
   * Without it every object and array is walked. (A `toJSON` of a natively printed list item sees
   * its index within its batch as the key.)
   */
  walk?: (value: object) => boolean;
  /** Characters gathered before each `write` (default 256 Ki). */
  chunk?: number;
}

const STEP = '  ';
/** List items stringified natively in one call. */
const BATCH = 1024;

/** Prints `value` through `write` in chunks, exactly as `JSON.stringify(value, null, 2)`. */
export function writeJson(
  value: unknown,
  write: (text: string) => void,
  options: JsonStreamOptions = {},
): void {
  const chunk = options.chunk ?? 1 << 18;
  const { rows, walk } = options;
  let pending = '';
  const emit = (text: string): void => {
    pending += text;
    if (pending.length >= chunk) {
      write(pending);
      pending = '';
    }
  };
  const indents = [''];
  const indentAt = (depth: number): string => (indents[depth] ??= indentAt(depth - 1) + STEP);
  const walked = (v: unknown): boolean => !walk || (typeof v === 'object' && v !== null && walk(v));

  /**
   * Items as native JSON prints them inside a list at `depth`, joined by `,\n` and the items'
   * indent: the batch is nested in `depth` one-item lists so that JSON indents it in place, and
   * the nesting's own brackets are cut off.
   */
  const nativeItems = (batch: unknown[], depth: number): string => {
    let nested: unknown = batch;
    let head = `[\n${indentAt(depth + 1)}`;
    let tail = `\n${indentAt(depth)}]`;
    for (let level = depth; level > 0; level--) {
      nested = [nested];
      head = `[\n${indentAt(level)}${head}`;
      tail = `${tail}\n${indentAt(level - 1)}]`;
    }
    const text = JSON.stringify(nested, null, 2);
    return text.slice(head.length, text.length - tail.length);
  };

  /** The value JSON would print for `raw` under `key`: after toJSON; undefined when it is skipped. */
  const prepare = (raw: unknown, key: string): unknown => {
    let v = raw;
    if (v instanceof LazyList) return v;
    if (v !== null && (typeof v === 'object' || typeof v === 'bigint')) {
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') v = (toJSON as (k: string) => unknown).call(v, key);
    }
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
    if (v instanceof Number || v instanceof String || v instanceof Boolean) return v.valueOf();
    return v;
  };

  const list = (length: number, at: (i: number) => unknown, depth: number): void => {
    if (length === 0) {
      emit('[]');
      return;
    }
    const separator = `,\n${indentAt(depth + 1)}`;
    let printed = 0;
    const next = (): void => emit(printed++ === 0 ? `[\n${indentAt(depth + 1)}` : separator);
    let batch: unknown[] = [];
    const flush = (): void => {
      if (batch.length === 0) return;
      next();
      printed += batch.length - 1;
      emit(nativeItems(batch, depth));
      batch = [];
    };
    for (let i = 0; i < length; i++) {
      const raw = at(i);
      if (!walked(raw)) {
        batch.push(raw);
        if (batch.length === BATCH) flush();
        continue;
      }
      flush();
      next();
      const item = prepare(raw, String(i));
      if (item === undefined) emit('null');
      else print(item, depth + 1);
    }
    flush();
    emit(`\n${indentAt(depth)}]`);
  };

  const print = (v: unknown, depth: number): void => {
    switch (typeof v) {
      case 'string':
        emit(JSON.stringify(v));
        return;
      case 'number':
        emit(Number.isFinite(v) ? String(v) : 'null');
        return;
      case 'boolean':
        emit(v ? 'true' : 'false');
        return;
      case 'bigint':
        // JSON.stringify's own TypeError ("Do not know how to serialize a BigInt").
        emit(JSON.stringify(v));
        return;
    }
    if (v === null) {
      emit('null');
      return;
    }
    if (Array.isArray(v)) {
      list(v.length, (i) => v[i], depth);
      return;
    }
    if (v instanceof LazyList) {
      list(v.length, v.at, depth);
      return;
    }
    if (!walked(v)) {
      // As the one item of a list one level up: the same indentation as a value at this depth.
      emit(depth === 0 ? JSON.stringify(v, null, 2) : nativeItems([v], depth - 1));
      return;
    }
    const holder = v as Record<string, unknown>;
    const inner = indentAt(depth + 1);
    let first = true;
    for (const key of Object.keys(holder)) {
      const supplied = rows?.(holder, key);
      const item = supplied ? undefined : prepare(holder[key], key);
      if (!supplied && item === undefined) continue;
      emit(`${first ? '{\n' : ',\n'}${inner}${JSON.stringify(key)}: `);
      first = false;
      if (supplied) list(supplied.length, (i) => supplied.at(i), depth + 1);
      else print(item, depth + 1);
    }
    emit(first ? '{}' : `\n${indentAt(depth)}}`);
  };

  const top = prepare(value, '');
  // JSON.stringify of undefined, a function or a symbol is undefined: nothing to print.
  if (top !== undefined) print(top, 0);
  if (pending) write(pending);
}
