/**
 * Reads WAT tokens into an s-expression tree, tolerantly: an unclosed list runs to the end of the
 * file (and is reported at its open paren), a stray `)` is reported and skipped. The reader is
 * iterative, so 100,000 nested parentheses cost memory, not stack. Nodes are small class
 * instances whose token texts are sliced on demand: a 5 MB file has a million of them, and what
 * they retain is what the garbage collector has to copy.
 */
import { Interner } from './interner';
import { scanTokens, type LexError, type Token, type TokenKind } from './lexer';

/** An atom is its own token (`atom.token === atom`). */
export class SAtom implements Token {
  constructor(
    readonly kind: TokenKind,
    readonly start: number,
    readonly end: number,
    private readonly source: string,
  ) {}

  get text(): string {
    return this.source.slice(this.start, this.end);
  }

  /** `this.text === word` without slicing the text (the field readers ask this constantly). */
  is(word: string): boolean {
    return this.end - this.start === word.length && this.source.startsWith(word, this.start);
  }

  get token(): Token {
    return this;
  }

  // On the prototype, not in every node.
  get type(): 'atom' {
    return 'atom';
  }
}

/** The children of a list until the reader closes it (it then gets an array of its own). */
const UNREAD: SNode[] = [];

export class SList {
  children: SNode[] = UNREAD;
  /** Offset after the closing paren; the end of the text while the list is unclosed. */
  end: number;
  closed = false;
  /** Set on a function whose body was not read into `children` (see `SExprOptions`). */
  skippedBody?: SkippedBody;

  constructor(
    readonly start: number,
    /** End of the open token: `(` or `(@name`. */
    private readonly openEnd: number,
    private readonly source: string,
  ) {
    this.end = source.length;
  }

  /** The `(` token, or the `(@name` annotation token. */
  get open(): Token {
    return {
      kind: this.isAnnotation ? 'annotation' : 'lparen',
      start: this.start,
      end: this.openEnd,
      text: this.source.slice(this.start, this.openEnd),
    };
  }

  /** Opened by `(@name` (a plain `(` is one character long). */
  get isAnnotation(): boolean {
    return this.openEnd > this.start + 1;
  }

  get type(): 'list' {
    return 'list';
  }

  /** Missing when the list is never closed. */
  get close(): Token | undefined {
    return this.closed ? { kind: 'rparen', start: this.end - 1, end: this.end, text: ')' } : undefined;
  }
}

export type SNode = SAtom | SList;

/**
 * What the reader kept of a function body it skipped: the instruction keywords used (for the
 * proposals a module uses) and the reserved tokens (errors), as [start, end) offset pairs.
 */
export interface SkippedBody {
  start: number;
  keywords: Set<string>;
  reserved: number[];
}

export interface SExprResult {
  nodes: SNode[];
  errors: LexError[];
}

export interface SExprOptions {
  /**
   * Do not build trees for function bodies (everything in a module's `(func …)` after its id,
   * exports, import, type use and locals): module facts never need them, and they are most of a
   * big file. The function's list gets `skippedBody` instead.
   */
  skipFunctionBodies?: boolean;
}

/** The list heads that may open a function's header; anything else starts its body. */
const FUNC_HEADER = new Set(['export', 'import', 'type', 'param', 'result', 'local']);

export function readSExpressions(text: string, options: SExprOptions = {}): SExprResult {
  // Children wait on one shared stack and each list gets an array of exactly its own size when it
  // closes: most lists hold one to three nodes, and arrays grown by push reserve room for 17.
  const nodes: SNode[] = [];
  let top = 0;
  /** Open lists, and where each one's children start in `nodes` (the file's top level at 0). */
  const stack: SList[] = [];
  const bases: number[] = [0];
  let base = 0;
  const closeErrors: LexError[] = [];
  const skipBodies = options.skipFunctionBodies === true;
  const words = new Interner(text);
  /** A module-level `(func` whose header is being read. */
  let header: SList | null = null;
  /** A list just opened inside the header: kept if its head is a header keyword. */
  let pending: SList | null = null;
  /** The function whose body is being skipped, and how deep inside the body the scan is. */
  let skipping: SList | null = null;
  let body: SkippedBody | null = null;
  let depth = 0;

  const isWord = (start: number, end: number, word: string) =>
    end - start === word.length && text.startsWith(word, start);
  const open = (list: SList): void => {
    nodes[top++] = list;
    stack.push(list);
    bases.push((base = top));
  };
  /** Closes the innermost open list: its children leave the shared stack. */
  const close = (end: number, closed = true): SList => {
    const list = stack.pop()!;
    list.children = nodes.slice(base, top);
    list.closed = closed;
    list.end = end;
    top = base;
    bases.pop();
    base = bases[bases.length - 1];
    return list;
  };
  const startBody = (func: SList, start: number, nested: number): SkippedBody => {
    skipping = func;
    depth = nested;
    header = null;
    pending = null;
    return (func.skippedBody = { start, keywords: new Set(), reserved: [] });
  };
  const noteBodyToken = (b: SkippedBody, kind: TokenKind, start: number, end: number): void => {
    if (kind === 'keyword') b.keywords.add(words.get(start, end));
    else if (kind === 'reserved') b.reserved.push(start, end);
  };

  const errors = scanTokens(text, (kind, start, end) => {
    if (skipping && body) {
      if (kind === 'lparen' || kind === 'annotation') depth++;
      else if (kind === 'rparen') {
        if (depth > 0) depth--;
        else {
          // The function itself closes.
          skipping = null;
          body = null;
          close(end);
        }
      } else noteBodyToken(body, kind, start, end);
      return;
    }
    if (kind === 'lparen' || kind === 'annotation') {
      const list = new SList(start, end, text);
      if (header && stack[stack.length - 1] === header && kind === 'lparen') pending = list;
      open(list);
    } else if (kind === 'rparen') {
      if (stack.length === 0) {
        closeErrors.push({ start, end, message: 'Unbalanced ")": nothing to close here.' });
        return;
      }
      const list = close(end);
      if (list === header) header = null;
      if (list === pending) pending = null;
    } else {
      const list = stack[stack.length - 1];
      if (pending && list === pending) {
        // The first token of a list inside a function header: a header item, or the body begins.
        pending = null;
        if (!(kind === 'keyword' && FUNC_HEADER.has(words.get(start, end)))) {
          // The list is the body's first instruction: drop it from the function's children.
          const func = header!;
          stack.pop();
          top = bases.pop()! - 1;
          base = bases[bases.length - 1];
          body = startBody(func, list.start, 1);
          noteBodyToken(body, kind, start, end);
          return;
        }
      } else if (header && list === header && !(kind === 'id' && top - base === 1)) {
        body = startBody(header, start, 0);
        noteBodyToken(body, kind, start, end);
        return;
      }
      if (skipBodies && top === base && kind === 'keyword' && isWord(start, end, 'func')) {
        // The parent's head is the first node of its open range (bases[0] is the top level's).
        const parentHead = stack.length > 1 ? nodes[bases[stack.length - 1]] : undefined;
        if (
          stack.length === 1 ||
          (parentHead?.type === 'atom' && parentHead.kind === 'keyword' && parentHead.is('module'))
        )
          header = list;
      }
      nodes[top++] = new SAtom(kind, start, end, text);
    }
  });
  errors.push(...closeErrors);
  // Report each unclosed list at its open paren; innermost first is noise, so report outermost only
  // when nested unclosed lists share the problem (the common "one missing paren" case).
  if (stack.length > 0) {
    const outer = stack[0];
    const inside = stack.length - 1 + depth;
    errors.push({
      start: outer.open.start,
      end: outer.open.end,
      message:
        inside === 0
          ? 'Unbalanced "(": this list is never closed.'
          : `Unbalanced "(": this list and ${inside} inside it are never closed.`,
    });
    // Unclosed lists run to the end of the text.
    while (stack.length > 0) close(text.length, false);
  }
  return { nodes: nodes.slice(0, top), errors };
}

/** The head keyword of a list (`module` in `(module ...)`), if it starts with one. */
export function headKeyword(list: SList): string | undefined {
  const first = list.children[0];
  return first?.type === 'atom' && first.kind === 'keyword' ? first.text : undefined;
}
