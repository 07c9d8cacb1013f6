/**
 * The type definitions of a text module (`(type …)` and `(rec …)`) and the type uses that refer to
 * them: a function's signature comes from its `(type x)` or its inline params and results, and an
 * inline signature no type has yet becomes an implicit type, as a binary encoder adds it.
 */
import type { FuncSignature, Proposal } from '../module/model';
import { Cursor, FieldError, describe, isAtom, isListOf } from './cursor';
import type { FieldProblems } from './fieldProblems';
import type { IndexSpaces } from './indexSpaces';
import { idName } from './literals';
import type { SList, SNode } from './sexpr';
import type { ValueTypeReader } from './valueTypes';

interface PendingType {
  list: SList;
  index: number;
}

export class TypeDefinitions {
  private readonly typeSignatures: Array<FuncSignature | null> = [];
  private readonly pendingTypes: PendingType[] = [];
  /** Indexes of `(type (func …))` outside rec groups: the ones an inline type use may reuse. */
  private readonly plainFunctionTypes: number[] = [];
  /** Function types added by inline type uses, numbered after the explicit ones. */
  private readonly implicitTypes: FuncSignature[] = [];

  constructor(
    private readonly spaces: IndexSpaces,
    private readonly types: ValueTypeReader,
    private readonly seen: Set<Proposal>,
    private readonly problems: FieldProblems,
  ) {}

  /** Reads the module's type definitions (first: every other field's type use may name any type id). */
  declare(fields: SNode[]): void {
    for (const field of fields) {
      this.problems.guard(field, () => {
        if (isListOf(field, 'type')) {
          const index = this.spaces.counts.type;
          this.declareType(field);
          if (
            isListOf(
              new Cursor(field).rest().find((n) => n.type === 'list'),
              'func',
            )
          )
            this.plainFunctionTypes.push(index);
        } else if (isListOf(field, 'rec')) {
          this.seen.add('gc');
          const c = new Cursor(field);
          while (!c.atEnd()) {
            const sub = c.next();
            if (!isListOf(sub, 'type'))
              return c.fail(`Expected "(type …)" in a rec group, found ${describe(sub)}.`, sub);
            this.declareType(sub);
          }
        }
      });
    }
    for (const pending of this.pendingTypes) {
      this.problems.guard(pending.list, () => {
        this.typeSignatures[pending.index] = this.compositeSignature(pending.list);
      });
    }
  }

  private declareType(list: SList): void {
    const c = new Cursor(list);
    const id = c.optId();
    const index = this.spaces.counts.type++;
    this.typeSignatures.push(null);
    this.spaces.declareId('type', id, index);
    this.pendingTypes.push({ list, index });
  }

  /** The signature of `(type $t? comptype)`: a function type's params/results, else null. */
  private compositeSignature(typeList: SList): FuncSignature | null {
    const c = new Cursor(typeList);
    c.optId();
    let def = c.next();
    if (isListOf(def, 'sub')) {
      this.seen.add('gc');
      const sub = new Cursor(def);
      sub.optKeyword('final');
      while (isAtom(sub.peek(), 'id') || isAtom(sub.peek(), 'number'))
        this.spaces.resolve('type', sub.next());
      def = sub.next();
      sub.expectEnd('a sub type');
    }
    c.expectEnd('a type definition');
    if (isListOf(def, 'func')) {
      const f = new Cursor(def);
      const signature = this.types.paramsAndResults(f);
      f.expectEnd('a function type');
      return signature;
    }
    if (isListOf(def, 'struct') || isListOf(def, 'array')) {
      this.seen.add('gc');
      const f = new Cursor(def);
      const fieldIds = new Set<string>();
      for (const field of f.rest()) {
        const id = isListOf(field, 'field') ? new Cursor(field).optId() : undefined;
        if (id) {
          const name = idName(id.text);
          if (fieldIds.has(name)) throw new FieldError(`Duplicate field id ${id.text}.`, id.start, id.end);
          fieldIds.add(name);
        }
        this.types.storageField(field);
      }
      return null;
    }
    if (isListOf(def, 'cont')) {
      this.seen.add('stack-switching');
      const f = new Cursor(def);
      this.spaces.resolve('type', f.next());
      f.expectEnd('a continuation type');
      return null;
    }
    return c.fail(
      `Expected a composite type "(func …)", "(struct …)", "(array …)" or "(sub …)", found ${describe(def)}.`,
      def ?? undefined,
    );
  }

  /** A type use: `(type x)? (param …)* (result …)*`; an explicit type decides the signature. */
  typeUse(c: Cursor): FuncSignature | null {
    const typeRef = c.optList('type');
    const inline = this.types.paramsAndResults(c);
    if (!typeRef) {
      this.noteImplicitType(inline);
      return inline;
    }
    const t = new Cursor(typeRef);
    const index = this.spaces.resolve('type', t.next(), 'a type index');
    t.expectEnd('a type use');
    if (index < this.spaces.counts.type) return this.typeSignatures[index] ?? null;
    const implicit = this.implicitTypes[index - this.spaces.counts.type];
    if (implicit) return implicit;
    // A type the text defines implicitly further down: fill the signature in once it exists.
    const signature: FuncSignature = { params: [], results: [] };
    this.problems.later(() => {
      const found = this.implicitTypes[index - this.spaces.counts.type];
      if (!found) {
        const defined = this.spaces.counts.type + this.implicitTypes.length;
        throw new FieldError(
          `Unknown type ${index}: the module defines ${defined} types.`,
          typeRef.start,
          typeRef.end,
        );
      }
      Object.assign(signature, found);
    });
    return signature;
  }

  /**
   * A type use without `(type x)` refers to the first plain function type with its signature, or
   * adds one after all explicit types (spec §6.6.3), which a later `(type N)` may name. Type uses
   * inside function bodies (block types, call_indirect) are not followed.
   */
  private noteImplicitType(signature: FuncSignature): void {
    const same = (other: FuncSignature | null): boolean =>
      other !== null &&
      other.params.length === signature.params.length &&
      other.results.length === signature.results.length &&
      other.params.every((p, i) => p === signature.params[i]) &&
      other.results.every((r, i) => r === signature.results[i]);
    if (this.plainFunctionTypes.some((i) => same(this.typeSignatures[i]))) return;
    if (this.implicitTypes.some(same)) return;
    this.implicitTypes.push(signature);
  }
}
