/** Table and memory types: address type (memory64), limits, page size and sharing. */
import type { MemoryType, Proposal, TableType } from '../module/model';
import { Cursor, FieldError, describe, isAtom } from './cursor';
import { parseNat } from './literals';
import type { SAtom } from './sexpr';
import type { ValueTypeReader } from './valueTypes';

/** An optional `i64` or `i32` address type: true for 64-bit addresses (memory64). */
export function addressType(c: Cursor, seen: Set<Proposal>): boolean {
  if (c.optKeyword('i64')) {
    seen.add('memory64');
    return true;
  }
  c.optKeyword('i32');
  return false;
}

function limits(c: Cursor, is64: boolean, what: string): { initial: number; maximum: number | null } {
  const first = c.peek();
  if (!isAtom(first, 'number'))
    c.fail(`Expected the ${what}'s initial size (a number), found ${describe(first)}.`);
  c.next();
  const initial = limit(first, is64);
  let maximum: number | null = null;
  if (isAtom(c.peek(), 'number')) maximum = limit(c.next() as SAtom, is64);
  return { initial, maximum };
}

function limit(node: SAtom, is64: boolean): number {
  const value = parseNat(node.token.text);
  if (value === null || value >= 1n << (is64 ? 64n : 32n)) {
    throw new FieldError(
      `Limit ${node.token.text} is not a ${is64 ? '64' : '32'}-bit unsigned integer.`,
      node.start,
      node.end,
    );
  }
  return Number(value);
}

/** An optional `(pagesize n)`: 65536 when absent (custom-page-sizes). */
export function readPageSize(c: Cursor, seen: Set<Proposal>): number {
  const list = c.optList('pagesize');
  if (!list) return 65536;
  const p = new Cursor(list);
  const node = p.next();
  p.expectEnd('a page size');
  const value = isAtom(node, 'number') ? parseNat(node.token.text) : null;
  if (value === null || value === 0n || (value & (value - 1n)) !== 0n || value > 65536n) {
    p.fail('A page size is a power of two no larger than 65536.', node);
  }
  seen.add('custom-page-sizes');
  return Number(value);
}

/** `at? limits shared? pagesize?`: a memory type (an import's, or a definition's without data). */
export function memoryType(c: Cursor, seen: Set<Proposal>): MemoryType {
  return memoryTypeAfterAddress(c, addressType(c, seen), seen);
}

/** The rest of a memory type, for a definition that read the address type to look past it. */
export function memoryTypeAfterAddress(c: Cursor, memory64: boolean, seen: Set<Proposal>): MemoryType {
  const { initial, maximum } = limits(c, memory64, 'memory');
  const shared = c.optKeyword('shared');
  if (!shared) c.optKeyword('unshared');
  const pageSize = readPageSize(c, seen);
  if (shared) seen.add('threads');
  return { initial, maximum, shared, memory64, pageSize };
}

/** `at? limits reftype`: a table type. */
export function tableType(c: Cursor, types: ValueTypeReader, seen: Set<Proposal>): TableType {
  return tableTypeAfterAddress(c, addressType(c, seen), types, seen);
}

/** The rest of a table type, for a definition that read the address type to look past it. */
export function tableTypeAfterAddress(
  c: Cursor,
  table64: boolean,
  types: ValueTypeReader,
  seen: Set<Proposal>,
): TableType {
  const { initial, maximum } = limits(c, table64, 'table');
  const elementType = types.refTypeOrShorthand(c.next() ?? c.fail('Expected the table element type.'));
  if (elementType !== 'funcref') seen.add('reference-types');
  return { elementType, initial, maximum, table64 };
}
