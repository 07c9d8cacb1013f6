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

export interface SExprResult {
  nodes: SNode[];
  errors: LexError[];
}

export function readSExpressions(text: string): SExprResult {
  const root: SNode[] = [];
  const stack: SList[] = [];
  let siblings = root;
  const closeErrors: LexError[] = [];

  const errors = scanTokens(text, (kind, start, end) => {
    if (kind === 'lparen' || kind === 'annotation') {
      const list = new SList(start, end, text);
      siblings.push(list);
      stack.push(list);
      siblings = list.children;
    } else if (kind === 'rparen') {
      const list = stack.pop();
      if (!list) {
        closeErrors.push({ start, end, message: 'Unbalanced ")": nothing to close here.' });
        return;
      }
      list.closed = true;
      list.end = end;
      siblings = stack.length > 0 ? stack[stack.length - 1].children : root;
    } else siblings.push(new SAtom(kind, start, end, text));
  });
  errors.push(...closeErrors);
  // Report each unclosed list at its open paren; innermost first is noise, so report outermost only
  // when nested unclosed lists share the problem (the common "one missing paren" case).
  if (stack.length > 0) {
    const outer = stack[0];
    errors.push({
      start: outer.open.start,
      end: outer.open.end,
      message:
        stack.length === 1
          ? 'Unbalanced "(": this list is never closed.'
          : `Unbalanced "(": this list and ${stack.length - 1} inside it are never closed.`,
    });
  }
  return { nodes: root, errors };
}

/** The head keyword of a list (`module` in `(module ...)`), if it starts with one. */
export function headKeyword(list: SList): string | undefined {
  const first = list.children[0];
  return first?.type === 'atom' && first.kind === 'keyword' ? first.text : undefined;
}
