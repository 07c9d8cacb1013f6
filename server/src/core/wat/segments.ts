/**
 * Element and data segments: `(elem …)` and `(data …)` fields, and the active segment that a
 * table's inline `(elem …)` or a memory's inline `(data …)` stands for.
 */
import type { LineIndex } from '../location';
import type { DataSegmentFact, ElementSegmentFact, ModuleFacts, Proposal } from '../module/model';
import { constantValue, noteConstantExpression } from './constantExpression';
import { Cursor, describe, isAtom, isKeyword, isListOf } from './cursor';
import type { FieldProblems } from './fieldProblems';
import type { IndexSpaces } from './indexSpaces';
import { stringByteLength } from './literals';
import type { SList, SNode } from './sexpr';
import type { ValueTypeReader } from './valueTypes';

/** The bytes of the strings from the cursor to the end of the list (`what` names them in errors). */
export function byteStringsLength(c: Cursor, what: string): number {
  let size = 0;
  while (!c.atEnd()) size += stringByteLength(c.string(what).token.text);
  return size;
}

export class SegmentReader {
  constructor(
    private readonly facts: ModuleFacts,
    private readonly spaces: IndexSpaces,
    private readonly types: ValueTypeReader,
    private readonly seen: Set<Proposal>,
    private readonly problems: FieldProblems,
    private readonly lines: LineIndex,
  ) {}

  elemField(field: SList): void {
    const c = new Cursor(field);
    const id = c.optId();
    const index = this.spaces.counts.elem;
    this.spaces.declareId('elem', id, index);
    if (c.optKeyword('declare')) {
      this.seen.add('reference-types');
      const count = this.elementItems(c, undefined);
      this.addElementSegment(field, { mode: 'declarative', count });
      return;
    }
    let tableRef: SNode | undefined;
    const tableUse = c.optList('table');
    if (tableUse) {
      const t = new Cursor(tableUse);
      tableRef = t.next();
      t.expectEnd('a table use');
    } else if (isAtom(c.peek(), 'number') || (isAtom(c.peek(), 'id') && c.peek(1)?.type === 'list'))
      tableRef = c.next(); // legacy `(elem 0 (offset …) …)`
    const offset = this.optOffset(c);
    if (!offset) {
      if (tableRef) c.fail('An element segment with a table needs an offset.', tableRef);
      this.seen.add('bulk-memory');
      const count = this.elementItems(c, undefined);
      this.addElementSegment(field, { mode: 'passive', count });
      return;
    }
    const count = this.elementItems(c, undefined, true);
    const segment = this.addElementSegment(field, { mode: 'active', tableIndex: 0, count, offset: true });
    if (tableRef) {
      this.problems.later(() => {
        segment.tableIndex = this.spaces.resolve('table', tableRef);
        if (segment.tableIndex !== 0) this.seen.add('reference-types');
      });
    }
  }

  /** Adds an element segment (from `(elem …)` or a table's inline `(elem …)`). */
  addElementSegment(
    list: SList,
    segment: { mode: ElementSegmentFact['mode']; tableIndex?: number; count: number; offset?: boolean },
  ): ElementSegmentFact {
    const fact: ElementSegmentFact = {
      index: this.spaces.counts.elem++,
      mode: segment.mode,
      count: segment.count,
      location: this.span(list),
    };
    if (segment.tableIndex !== undefined) fact.tableIndex = segment.tableIndex;
    this.facts.elementSegments.push(fact);
    return fact;
  }

  /**
   * Counts an element list: `func x*`, `reftype (item …)*` / `reftype (instr)*`, or bare indexes
   * (legacy, after an offset). `elementType` is set for a table's inline elements, whose list may
   * omit the type.
   */
  elementItems(c: Cursor, elementType: string | undefined, legacyAllowed = false): number {
    const first = c.peek();
    if (isKeyword(first, 'func')) {
      c.next();
      return this.countIndexes(c);
    }
    if (
      first &&
      !isAtom(first, 'id') &&
      !isAtom(first, 'number') &&
      !(isListOf(first) && !isListOf(first, 'ref'))
    ) {
      const type = this.types.refTypeOrShorthand(c.next());
      if (type !== 'funcref') this.seen.add('reference-types');
      return this.countExpressions(c);
    }
    if (elementType !== undefined || legacyAllowed || first === undefined) {
      if (isListOf(first)) return this.countExpressions(c);
      return this.countIndexes(c);
    }
    return c.fail(
      `Expected an element list ("func $f …" or a reference type and expressions), found ${describe(first)}.`,
    );
  }

  private countIndexes(c: Cursor): number {
    let count = 0;
    while (!c.atEnd()) {
      const node = c.next();
      if (!isAtom(node, 'id') && !isAtom(node, 'number'))
        c.fail(`Expected a function index, found ${describe(node)}.`, node);
      count++;
    }
    return count;
  }

  private countExpressions(c: Cursor): number {
    let count = 0;
    while (!c.atEnd()) {
      const node = c.next();
      if (node) noteConstantExpression([node], this.seen);
      if (!isListOf(node))
        c.fail(
          `Expected an element expression such as "(ref.func $f)" or "(item …)", found ${describe(node)}.`,
          node,
        );
      count++;
    }
    return count;
  }

  dataField(field: SList): void {
    const c = new Cursor(field);
    const id = c.optId();
    const index = this.spaces.counts.data;
    this.spaces.declareId('data', id, index);
    let memoryRef: SNode | undefined;
    const memoryUse = c.optList('memory');
    if (memoryUse) {
      const m = new Cursor(memoryUse);
      memoryRef = m.next();
      m.expectEnd('a memory use');
    } else if (isAtom(c.peek(), 'number') || isAtom(c.peek(), 'id')) memoryRef = c.next(); // legacy `(data 0 (offset …) …)`
    const offset = this.optOffset(c);
    const size = byteStringsLength(c, 'data bytes');
    const segment: DataSegmentFact = {
      index: this.spaces.counts.data++,
      mode: offset ? 'active' : 'passive',
      size,
      location: this.span(field),
    };
    if (!offset) {
      if (memoryRef) c.fail('A data segment with a memory needs an offset.', memoryRef);
      this.seen.add('bulk-memory');
    } else {
      segment.memoryIndex = 0;
      segment.offset = offset.value;
      if (memoryRef) {
        this.problems.later(() => {
          segment.memoryIndex = this.spaces.resolve('memory', memoryRef);
        });
      }
    }
    this.facts.dataSegments.push(segment);
  }

  /** `(offset expr)` or a single folded instruction as the offset; its constant value when it has one. */
  private optOffset(c: Cursor): { value: number | null } | null {
    const node = c.peek();
    if (isListOf(node, 'offset')) {
      c.next();
      const expression = new Cursor(node).rest();
      noteConstantExpression(expression, this.seen);
      return { value: constantValue(expression) };
    }
    if (
      isListOf(node) &&
      !isListOf(node, 'item') &&
      !isListOf(node, 'ref') &&
      !isListOf(node, 'memory') &&
      !isListOf(node, 'table')
    ) {
      c.next();
      noteConstantExpression([node], this.seen);
      return { value: constantValue([node]) };
    }
    return null;
  }

  /** The active segment at offset 0 of a memory's inline `(data …)`; returns its size in bytes. */
  addInlineData(data: SList, memoryIndex: number): number {
    const size = byteStringsLength(new Cursor(data), 'data bytes');
    this.facts.dataSegments.push({
      index: this.spaces.counts.data++,
      mode: 'active',
      memoryIndex,
      offset: 0,
      size,
      location: this.span(data),
    });
    return size;
  }

  private span(node: SNode) {
    return this.lines.span(node.start, node.end);
  }
}
