/**
 * A cursor over the children of one s-expression list, for the field parsers. Annotations
 * (`(@name …)`) are skipped: they may appear anywhere and mean nothing to the module's facts.
 * Parse errors are thrown as `FieldError` and caught per field, so one bad field never stops the
 * rest of the module from being read.
 */
import type { SAtom, SList, SNode } from './sexpr';

export class FieldError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

export function isAtom(node: SNode | undefined, kind?: SAtom['token']['kind']): node is SAtom {
  return node?.type === 'atom' && (kind === undefined || node.kind === kind);
}

export function isKeyword(node: SNode | undefined, keyword?: string): node is SAtom {
  return isAtom(node, 'keyword') && (keyword === undefined || node.is(keyword));
}

/** A list that starts with the keyword `head` (annotations are never plain lists). */
export function isListOf(node: SNode | undefined, head?: string): node is SList {
  if (node?.type !== 'list' || node.isAnnotation) return false;
  const first = node.children[0];
  return head === undefined ? isKeyword(first) : isKeyword(first, head);
}

function isAnnotationList(node: SNode): boolean {
  return node.type === 'list' && node.isAnnotation;
}

export function describe(node: SNode | undefined): string {
  if (!node) return 'the end of the list';
  if (node.type === 'atom')
    return JSON.stringify(node.token.text.length > 40 ? node.token.text.slice(0, 40) + '…' : node.token.text);
  const head = node.children[0];
  return head?.type === 'atom' ? `"(${head.token.text.slice(0, 40)}"` : 'a list';
}

export class Cursor {
  private readonly items: SNode[];
  private index: number;

  /** `skip` children are consumed already (usually the head keyword). */
  constructor(
    readonly list: SList,
    skip = 1,
  ) {
    // Most lists hold no annotation: walk the children in place rather than copy them.
    const children = list.children;
    if (children.some(isAnnotationList)) {
      this.items = children.slice(skip).filter((c) => !isAnnotationList(c));
      this.index = 0;
    } else {
      this.items = children;
      this.index = Math.min(skip, children.length);
    }
  }

  peek(offset = 0): SNode | undefined {
    return this.items[this.index + offset];
  }

  next(): SNode | undefined {
    return this.items[this.index++];
  }

  atEnd(): boolean {
    return this.index >= this.items.length;
  }

  rest(): SNode[] {
    const rest = this.items.slice(this.index);
    this.index = this.items.length;
    return rest;
  }

  /** Fails at `node`, or at the list's closing paren when the list ended too early. */
  fail(message: string, node: SNode | undefined = this.peek()): never {
    if (node) throw new FieldError(message, node.start, node.end);
    const at = this.list.close ?? this.list.open;
    throw new FieldError(message, at.start, at.end);
  }

  /** Consumes the keyword `keyword` if it is next. */
  optKeyword(keyword: string): boolean {
    if (isKeyword(this.peek(), keyword)) {
      this.index++;
      return true;
    }
    return false;
  }

  optId(): SAtom | undefined {
    const node = this.peek();
    if (isAtom(node, 'id')) {
      this.index++;
      return node;
    }
    return undefined;
  }

  optString(): SAtom | undefined {
    const node = this.peek();
    if (isAtom(node, 'string')) {
      this.index++;
      return node;
    }
    return undefined;
  }

  string(what: string): SAtom {
    const node = this.peek();
    if (!isAtom(node, 'string')) this.fail(`Expected ${what} (a string), found ${describe(node)}.`);
    this.index++;
    return node;
  }

  /** Consumes the next child if it is a list with head `head`. */
  optList(head: string): SList | undefined {
    const node = this.peek();
    if (isListOf(node, head)) {
      this.index++;
      return node;
    }
    return undefined;
  }

  expectEnd(what: string): void {
    const node = this.peek();
    if (node) this.fail(`Unexpected ${describe(node)} in ${what}.`, node);
  }
}
