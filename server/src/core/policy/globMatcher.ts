/**
 * Glob patterns of `overrides[].files`, matched in time linear in the path times the pattern
 * whatever the pattern holds. picomatch compiles a glob to a backtracking regular expression, and
 * `**\/a*a*a*a*a*a*a*a*a*a*b` took it 20 s on a 40-character path: a policy next to a module
 * would stall every check. Here a glob becomes a small automaton (Thompson's construction) that
 * is run over the path once, tracking every live state at the same time, so nothing backtracks.
 *
 * Syntax (the part of picomatch's that policies use): `*` any characters but `/`; `**` as a whole
 * segment, any number of segments; `?` one character but `/`; `[abc]`, `[a-z]`, `[!a]`/`[^a]`;
 * `{a,b}` alternatives (nested); `\x` a literal x. Wildcards never match a `.` or `..` segment,
 * so a module outside the policy's folder (`../x.wasm`) is matched only by a glob that names `..`.
 * Where picomatch's own readings are irregular (`**.wasm` reaching into folders while `**x` does
 * not; `a*\/**` not matching `ab` while `a/**` matches `a`) this takes the plain reading:
 * `**` inside a segment is `*`, and a last `/**` also matches the folder itself.
 */

/** Longer globs are refused by policy validation: no module path is that long. */
export const MAX_GLOB_LENGTH = 4096;

type Test = (char: string) => boolean;

/** One automaton state: consume one character passing `test`, or a free move to `next` / `alt`. */
interface State {
  test?: Test;
  /** A wildcard: may not consume a character of a `.` or `..` segment. */
  wild?: boolean;
  next: number;
  alt?: number;
}

const ACCEPT = -1;

/** A glob's parse: a sequence of items, alternatives nested inside. */
type Item =
  | { kind: 'char'; test: Test; wild: boolean }
  | { kind: 'star' }
  /** `**`: whole segments each ending in `/`; anything at all; or nothing or `/` and anything. */
  | { kind: 'globstar'; form: 'segments' | 'anything' | 'slash-anything' }
  | { kind: 'alt'; options: Item[][] };

const notSlash: Test = (c) => c !== '/';

function parseClass(glob: string, start: number): { test: Test; end: number } | undefined {
  let i = start + 1;
  const negate = glob[i] === '!' || glob[i] === '^';
  if (negate) i++;
  const ranges: Array<[string, string]> = [];
  let first = true;
  while (i < glob.length && (glob[i] !== ']' || first)) {
    first = false;
    let low = glob[i]!;
    if (low === '\\' && i + 1 < glob.length) low = glob[++i]!;
    let high = low;
    if (glob[i + 1] === '-' && i + 2 < glob.length && glob[i + 2] !== ']') {
      high = glob[i + 2] === '\\' && i + 3 < glob.length ? glob[i + 3]! : glob[i + 2]!;
      i += glob[i + 2] === '\\' ? 3 : 2;
    }
    ranges.push([low, high]);
    i++;
  }
  if (i >= glob.length) return undefined;
  const inClass = (c: string) => ranges.some(([low, high]) => c >= low && c <= high);
  return { test: (c) => c !== '/' && inClass(c) !== negate, end: i + 1 };
}

/** Parses `glob[from…]` up to `stops` (inside braces: `,` and `}`). */
function parseSequence(glob: string, from: number, inBraces: boolean): { items: Item[]; end: number } {
  const items: Item[] = [];
  let i = from;
  while (i < glob.length) {
    const c = glob[i]!;
    if (inBraces && (c === ',' || c === '}')) break;
    if (c === '\\' && i + 1 < glob.length) {
      const literal = glob[i + 1]!;
      items.push({ kind: 'char', test: (x) => x === literal, wild: false });
      i += 2;
    } else if (c === '*') {
      let end = i;
      while (glob[end] === '*') end++;
      const wholeSegment = (i === 0 || glob[i - 1] === '/') && (end === glob.length || glob[end] === '/');
      if (end - i === 2 && wholeSegment && !inBraces) {
        const last = end === glob.length;
        if (!last) items.push({ kind: 'globstar', form: 'segments' });
        else {
          // `a/**` also matches `a` itself: the slash before a last `**` belongs to it.
          const before = items[items.length - 1];
          const slash = before?.kind === 'char' && !before.wild && before.test('/');
          if (slash) items.pop();
          items.push({ kind: 'globstar', form: slash ? 'slash-anything' : 'anything' });
        }
        i = last ? end : end + 1;
      } else {
        items.push({ kind: 'star' });
        i = end;
      }
    } else if (c === '?') {
      items.push({ kind: 'char', test: notSlash, wild: true });
      i++;
    } else if (c === '[') {
      const parsed = parseClass(glob, i);
      if (parsed) {
        items.push({ kind: 'char', test: parsed.test, wild: true });
        i = parsed.end;
      } else {
        items.push({ kind: 'char', test: (x) => x === '[', wild: false });
        i++;
      }
    } else if (c === '{') {
      const options: Item[][] = [];
      let j = i + 1;
      let closed = false;
      while (j <= glob.length) {
        const option = parseSequence(glob, j, true);
        options.push(option.items);
        j = option.end;
        if (glob[j] === '}') {
          closed = true;
          j++;
          break;
        }
        if (glob[j] !== ',') break;
        j++;
      }
      if (closed) {
        items.push({ kind: 'alt', options });
        i = j;
      } else {
        items.push({ kind: 'char', test: (x) => x === '{', wild: false });
        i++;
      }
    } else {
      items.push({ kind: 'char', test: (x) => x === c, wild: false });
      i++;
    }
  }
  return { items, end: i };
}

/** Thompson's construction: each item's states lead to `next`; returns the entry state. */
class Builder {
  readonly states: State[] = [];

  private add(state: State): number {
    this.states.push(state);
    return this.states.length - 1;
  }

  sequence(items: Item[], next: number): number {
    let entry = next;
    for (let k = items.length - 1; k >= 0; k--) entry = this.item(items[k]!, entry);
    return entry;
  }

  private item(item: Item, next: number): number {
    switch (item.kind) {
      case 'char':
        return this.add({ test: item.test, wild: item.wild, next });
      case 'star': {
        // loop: either consume one non-slash character and come back, or move on.
        const loop = this.add({ next });
        const step = this.add({ test: notSlash, wild: true, next: loop });
        this.states[loop]!.alt = step;
        return loop;
      }
      case 'globstar': {
        // Anything: every character, slashes included.
        const anything = (after: number) => {
          const loop = this.add({ next: after });
          this.states[loop]!.alt = this.add({ test: () => true, wild: true, next: loop });
          return loop;
        };
        if (item.form === 'anything') return anything(next);
        if (item.form === 'slash-anything') {
          const slash = this.add({ test: (c) => c === '/', next: anything(next) });
          return this.add({ next, alt: slash });
        }
        // Any number of whole segments, each `[^/]*/`.
        const loop = this.add({ next });
        const slash = this.add({ test: (c) => c === '/', next: loop });
        const segment = this.add({ next: slash });
        this.states[segment]!.alt = this.add({ test: notSlash, wild: true, next: segment });
        this.states[loop]!.alt = segment;
        return loop;
      }
      case 'alt': {
        const entries = item.options.map((option) => this.sequence(option, next));
        return entries.reduceRight((rest, entry) => this.add({ next: entry, alt: rest }));
      }
    }
  }
}

/** Marks each character that lies in a `.` or `..` path segment. */
function dotSegments(text: string): boolean[] {
  const marks = new Array<boolean>(text.length).fill(false);
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text[i] === '/') {
      const segment = text.slice(start, i);
      if (segment === '.' || segment === '..') for (let k = start; k < i; k++) marks[k] = true;
      start = i + 1;
    }
  }
  return marks;
}

/** Compiles a glob to a matcher of `/`-separated relative paths. */
export function compileGlob(glob: string): (path: string) => boolean {
  const builder = new Builder();
  const entry = builder.sequence(parseSequence(glob, 0, false).items, ACCEPT);
  const states = builder.states;

  /** Adds `state` and everything reachable from it by free moves (iteratively: no deep recursion). */
  const close = (start: number, into: Set<number>) => {
    const stack = [start];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (into.has(s)) continue;
      into.add(s);
      if (s === ACCEPT) continue;
      const state = states[s]!;
      if (state.test) continue;
      stack.push(state.next);
      if (state.alt !== undefined) stack.push(state.alt);
    }
  };

  return (path) => {
    const dots = dotSegments(path);
    let current = new Set<number>();
    close(entry, current);
    for (let i = 0; i < path.length && current.size > 0; i++) {
      const c = path[i]!;
      const next = new Set<number>();
      for (const s of current) {
        if (s === ACCEPT) continue;
        const state = states[s]!;
        if (state.test && (!state.wild || !dots[i]) && state.test(c)) close(state.next, next);
      }
      current = next;
    }
    return current.has(ACCEPT);
  };
}
