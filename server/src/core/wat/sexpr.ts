/**
 * Reads WAT tokens into an s-expression tree, tolerantly: an unclosed list runs to the end of the
 * file (and is reported at its open paren), a stray `)` is reported and skipped. The reader is
 * iterative, so 100,000 nested parentheses cost memory, not stack.
 */
import { lex, type LexError, type Token } from './lexer';

export interface SAtom {
  type: 'atom';
  token: Token;
  start: number;
  end: number;
}

export interface SList {
  type: 'list';
  /** The `(` token, or the `(@name` annotation token. */
  open: Token;
  /** Missing when the list is never closed. */
  close?: Token;
  children: SNode[];
  start: number;
  end: number;
}

export type SNode = SAtom | SList;

export interface SExprResult {
  nodes: SNode[];
  errors: LexError[];
}

export function readSExpressions(text: string): SExprResult {
  const { tokens, errors } = lex(text);
  const root: SNode[] = [];
  const stack: SList[] = [];

  const push = (node: SNode): void => {
    const parent = stack[stack.length - 1];
    (parent ? parent.children : root).push(node);
  };

  for (const token of tokens) {
    if (token.kind === 'lparen' || token.kind === 'annotation') {
      const list: SList = { type: 'list', open: token, children: [], start: token.start, end: text.length };
      push(list);
      stack.push(list);
    } else if (token.kind === 'rparen') {
      const list = stack.pop();
      if (!list) {
        errors.push({ start: token.start, end: token.end, message: 'Unbalanced ")": nothing to close here.' });
        continue;
      }
      list.close = token;
      list.end = token.end;
    } else {
      push({ type: 'atom', token, start: token.start, end: token.end });
    }
  }
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
  return first?.type === 'atom' && first.token.kind === 'keyword' ? first.token.text : undefined;
}
