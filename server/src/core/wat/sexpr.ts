/**
 * Reads WAT tokens into an s-expression tree, tolerantly: an unclosed list runs to the end of the
 * file (and is reported at its open paren), a stray `)` is reported and skipped. The reader is
 * iterative, so 100,000 nested parentheses cost memory, not stack. Nodes are small class
 * instances whose token texts are sliced on demand: a 5 MB file has a million of them, and what
 * they retain is what the garbage collector has to copy.
 */
import { scanTokens, type LexError, type Token, type TokenKind } from './lexer';

/** An atom is its own token (`atom.token === atom`). */
export class SAtom implements Token {
  readonly type = 'atom' as const;

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
}

export class SList {
  readonly type = 'list' as const;
  readonly children: SNode[] = [];
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
  const root: SNode[] = [];
  const stack: SList[] = [];
  let siblings = root;
  const closeErrors: LexError[] = [];
  const skipBodies = options.skipFunctionBodies === true;
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
  const startBody = (func: SList, start: number, nested: number): SkippedBody => {
    skipping = func;
    depth = nested;
    header = null;
    pending = null;
    return (func.skippedBody = { start, keywords: new Set(), reserved: [] });
  };
  const noteBodyToken = (b: SkippedBody, kind: TokenKind, start: number, end: number): void => {
    if (kind === 'keyword') b.keywords.add(text.slice(start, end));
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
          const func = stack.pop()!;
          func.closed = true;
          func.end = end;
          siblings = stack.length > 0 ? stack[stack.length - 1].children : root;
        }
      } else noteBodyToken(body, kind, start, end);
      return;
    }
    if (kind === 'lparen' || kind === 'annotation') {
      const list = new SList(start, end, text);
      if (header && stack[stack.length - 1] === header && kind === 'lparen') pending = list;
      siblings.push(list);
      stack.push(list);
      siblings = list.children;
    } else if (kind === 'rparen') {
      const list = stack.pop();
      if (!list) {
        closeErrors.push({ start, end, message: 'Unbalanced ")": nothing to close here.' });
        return;
      }
      if (list === header) header = null;
      if (list === pending) pending = null;
      list.closed = true;
      list.end = end;
      siblings = stack.length > 0 ? stack[stack.length - 1].children : root;
    } else {
      const top = stack[stack.length - 1];
      if (pending && top === pending) {
        // The first token of a list inside a function header: a header item, or the body begins.
        const list = pending;
        pending = null;
        if (!(kind === 'keyword' && FUNC_HEADER.has(text.slice(start, end)))) {
          const func = header!;
          func.children.pop();
          stack.pop();
          body = startBody(func, list.start, 1);
          noteBodyToken(body, kind, start, end);
          siblings = func.children;
          return;
        }
      } else if (header && top === header && !(kind === 'id' && header.children.length === 1)) {
        body = startBody(header, start, 0);
        noteBodyToken(body, kind, start, end);
        return;
      }
      if (skipBodies && siblings.length === 0 && kind === 'keyword' && isWord(start, end, 'func')) {
        const parent = stack[stack.length - 2];
        if (!parent || headKeyword(parent) === 'module') header = top;
      }
      siblings.push(new SAtom(kind, start, end, text));
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
  }
  return { nodes: root, errors };
}

/** The head keyword of a list (`module` in `(module ...)`), if it starts with one. */
export function headKeyword(list: SList): string | undefined {
  const first = list.children[0];
  return first?.type === 'atom' && first.kind === 'keyword' ? first.text : undefined;
}
