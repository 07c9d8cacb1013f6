/** Constant expressions (offsets, initialisers, element items): their value and the proposals they show. */
import type { Proposal } from '../module/model';
import { isAtom } from './cursor';
import { parseIntBits } from './literals';
import type { SNode } from './sexpr';
import { ABSTRACT_HEAP } from './valueTypes';

/** The arithmetic the extended-const proposal allows in a constant expression. */
const EXTENDED_CONST_ARITHMETIC = /^i(?:32|64)\.(?:add|sub|mul)$/;

/**
 * Proposals a constant expression shows, as the binary reader counts them: arithmetic is
 * extended-const, `ref.null` counts its heap type's proposal (bounded walk; folded or flat).
 */
export function noteConstantExpression(nodes: SNode[], seen: Set<Proposal>): void {
  const lists: SNode[][] = [nodes];
  for (let visited = 0; lists.length > 0 && visited < 10_000; visited++) {
    const items = lists.pop()!;
    for (let k = 0; k < items.length; k++) {
      const node = items[k];
      if (node.type === 'list') {
        lists.push(node.children);
        continue;
      }
      if (node.kind !== 'keyword') continue;
      if (EXTENDED_CONST_ARITHMETIC.test(node.text)) seen.add('extended-const');
      else if (node.text === 'ref.null') {
        const heap = items[k + 1];
        const abstract = isAtom(heap, 'keyword') ? ABSTRACT_HEAP[heap.text] : undefined;
        if (abstract) seen.add(abstract.proposal);
        else if (heap) seen.add('function-references');
      }
    }
  }
}

/**
 * The value of a constant expression when it is a plain `i32.const`/`i64.const` or
 * extended-const arithmetic on constants (read unsigned, as an address); null otherwise.
 * Folded forms are flattened to postfix order; nesting deeper than a constant ever needs gives null.
 */
export function constantValue(nodes: SNode[]): number | null {
  const ops: SNode[] = [];
  const flatten = (list: SNode[], depth: number): boolean => {
    if (depth > 64) return false;
    for (const node of list) {
      if (node.type === 'list') {
        if (node.isAnnotation) continue;
        const [head, ...args] = node.children;
        if (
          !flatten(
            args.filter((a) => a.type === 'list'),
            depth + 1,
          )
        )
          return false;
        ops.push(head, ...args.filter((a) => a.type === 'atom'));
      } else ops.push(node);
    }
    return true;
  };
  if (!flatten(nodes, 0)) return null;
  const stack: Array<bigint | null> = [];
  let bits: 32 | 64 = 32;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (!isAtom(op, 'keyword')) return null;
    const text = op.token.text;
    if (text === 'i32.const' || text === 'i64.const') {
      bits = text === 'i64.const' ? 64 : 32;
      const immediate = ops[++i];
      const value = isAtom(immediate) ? parseIntBits(immediate.token.text, bits) : null;
      if (value === null) return null;
      stack.push(value);
    } else if (EXTENDED_CONST_ARITHMETIC.test(text)) {
      const b = stack.pop() ?? null;
      const a = stack.pop() ?? null;
      const op3 = text.slice(4);
      stack.push(a === null || b === null ? null : op3 === 'add' ? a + b : op3 === 'sub' ? a - b : a * b);
    } else if (text === 'global.get') {
      i++;
      stack.push(null);
    } else return null;
  }
  if (stack.length !== 1 || stack[0] === null) return null;
  const n = Number(BigInt.asUintN(bits, stack[0]));
  return Number.isSafeInteger(n) ? n : null;
}
