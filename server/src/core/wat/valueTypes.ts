/**
 * Value, reference and heap types of the text format (and the field, global and signature types
 * built from them), spelled as the binary reader spells them, noting the proposal each one shows.
 */
import type { FuncSignature, GlobalType, Proposal } from '../module/model';
import { Cursor, FieldError, describe, isAtom, isKeyword, isListOf } from './cursor';
import type { SList, SNode } from './sexpr';

const NUMERIC_TYPE_NAMES = ['i32', 'i64', 'f32', 'f64', 'v128'] as const;
const NUMERIC_TYPES = new Set<string>(NUMERIC_TYPE_NAMES);

/** Abstract heap types and their nullable shorthand, spelled as the binary reader spells them. */
export const ABSTRACT_HEAP: Record<string, { short: string; proposal: Proposal }> = {
  func: { short: 'funcref', proposal: 'reference-types' },
  extern: { short: 'externref', proposal: 'reference-types' },
  any: { short: 'anyref', proposal: 'gc' },
  eq: { short: 'eqref', proposal: 'gc' },
  i31: { short: 'i31ref', proposal: 'gc' },
  struct: { short: 'structref', proposal: 'gc' },
  array: { short: 'arrayref', proposal: 'gc' },
  none: { short: 'nullref', proposal: 'gc' },
  noextern: { short: 'nullexternref', proposal: 'gc' },
  nofunc: { short: 'nullfuncref', proposal: 'gc' },
  exn: { short: 'exnref', proposal: 'exnref' },
  noexn: { short: 'nullexnref', proposal: 'exnref' },
  cont: { short: 'contref', proposal: 'stack-switching' },
  nocont: { short: 'nullcontref', proposal: 'stack-switching' },
};
const SHORTHAND_REFS = new Map(Object.values(ABSTRACT_HEAP).map((h) => [h.short, h.proposal]));

/** Resolves a type index or `$id` (a heap type or a supertype names a type). */
export type ResolveType = (node: SNode | undefined, what?: string) => number;

/** Reads types, adding the proposals they show to `seen`. */
export class ValueTypeReader {
  constructor(
    private readonly seen: Set<Proposal>,
    private readonly resolveType: ResolveType,
  ) {}

  /** A struct or array field: `(field $x t)`, `(field t*)` or a bare storage type. */
  storageField(node: SNode): void {
    if (isListOf(node, 'field')) {
      const f = new Cursor(node);
      const named = f.optId();
      const types = f.rest();
      if (named && types.length !== 1)
        throw new FieldError('A named field has exactly one type.', node.start, node.end);
      for (const t of types) this.storageType(t);
      return;
    }
    this.storageType(node);
  }

  /** A field's storage type, `(mut t)` at most once (no recursion: nesting is an error, not a stack). */
  private storageType(node: SNode): void {
    let type: SNode = node;
    if (isListOf(node, 'mut')) {
      const m = new Cursor(node);
      type = m.next() ?? m.fail('Expected a type after "mut".');
      m.expectEnd('a mutable field type');
    }
    if (isKeyword(type, 'i8') || isKeyword(type, 'i16')) return;
    this.valueType(type);
  }

  /** A value type as the binary reader spells it; `funcrefIsMvp` where `funcref` shows no proposal. */
  valueType(node: SNode | undefined, funcrefIsMvp = false): string {
    if (isAtom(node, 'keyword')) {
      // Compared in place: the name goes into every signature, and these are shared strings.
      for (const numeric of NUMERIC_TYPE_NAMES) {
        if (!node.is(numeric)) continue;
        if (numeric === 'v128') this.seen.add('simd');
        return numeric;
      }
      const name = node.token.text;
      const proposal = SHORTHAND_REFS.get(name);
      if (proposal) {
        if (!(funcrefIsMvp && name === 'funcref')) this.seen.add(proposal);
        return name;
      }
    }
    if (isListOf(node, 'ref')) return this.refType(node);
    const at = node ?? { start: 0, end: 0 };
    throw new FieldError(
      `Expected a value type (i32, i64, f32, f64, v128 or a reference type), found ${describe(node)}.`,
      at.start,
      at.end,
    );
  }

  private refType(list: SList): string {
    const c = new Cursor(list);
    const nullable = c.optKeyword('null');
    const heap = c.next();
    c.expectEnd('a reference type');
    if (isAtom(heap, 'keyword')) {
      const abstract = ABSTRACT_HEAP[heap.token.text];
      if (!abstract) c.fail(`Unknown heap type ${describe(heap)}.`, heap);
      this.seen.add(abstract.proposal);
      if (!nullable) this.seen.add('function-references');
      return nullable ? abstract.short : `(ref ${heap.token.text})`;
    }
    const index = this.resolveType(heap, 'a heap type');
    this.seen.add('function-references');
    return nullable ? `(ref null ${index})` : `(ref ${index})`;
  }

  /** `(param …)* (result …)*` at the cursor. */
  paramsAndResults(c: Cursor): FuncSignature {
    const params: string[] = [];
    const results: string[] = [];
    for (let list = c.optList('param'); list; list = c.optList('param')) {
      const p = new Cursor(list);
      if (p.optId()) {
        params.push(this.valueType(p.next()));
        p.expectEnd('a named parameter (one type per name)');
      } else while (!p.atEnd()) params.push(this.valueType(p.next()));
    }
    for (let list = c.optList('result'); list; list = c.optList('result')) {
      const r = new Cursor(list);
      while (!r.atEnd()) results.push(this.valueType(r.next()));
    }
    if (isListOf(c.peek(), 'param')) c.fail('Parameters must come before results.');
    if (results.length > 1) this.seen.add('multi-value');
    return { params, results };
  }

  /** A table's or element list's reference type; `funcref` there is MVP, not reference-types. */
  refTypeOrShorthand(node: SNode | undefined): string {
    const type = this.valueType(node, true);
    if (NUMERIC_TYPES.has(type))
      throw new FieldError(`Expected a reference type, found ${describe(node)}.`, node!.start, node!.end);
    return type;
  }

  /** `t` or `(mut t)`. */
  globalType(node: SNode): GlobalType {
    if (isListOf(node, 'mut')) {
      const m = new Cursor(node);
      const valueType = this.valueType(m.next());
      m.expectEnd('a mutable global type');
      return { valueType, mutable: true };
    }
    return { valueType: this.valueType(node), mutable: false };
  }
}
