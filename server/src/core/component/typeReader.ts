/**
 * Reads component-model type definitions (the type section, and types inside instance and
 * component types) into `ComponentType`s. Indices resolve against a chain of scopes: the
 * component's own type space and, for outer aliases, the enclosing ones. Every read is bounded by
 * the reader's window; anything malformed is a `MalformedError` at its offset.
 */
import type { ByteReader } from '../module/byteReader';
import type { EntryBudget } from './entryBudget';
import { MAX_TYPE_NESTING, readExternName } from './names';
import { opaque, PRIMITIVES, type ComponentType, type DeclaredExtern } from './types';

/** One level of type index space; `parent` is the enclosing component or type. */
export interface TypeScope {
  types: ComponentType[];
  parent: TypeScope | null;
}

export function newScope(parent: TypeScope | null): TypeScope {
  return { types: [], parent };
}

/** Features a runtime may lack, noticed while reading types and canonical functions. */
export interface FeatureUse {
  feature: 'async' | 'error-context' | 'fixed-size-list' | 'stream' | 'future' | 'threads';
  offset: number;
}

export class TypeReader {
  constructor(
    private readonly r: ByteReader,
    readonly features: FeatureUse[],
    private readonly budget: EntryBudget,
  ) {}

  /** A `deftype`: a value type, function, component, instance or resource type. */
  defType(scope: TypeScope, depth: number): ComponentType {
    const r = this.r;
    const at = r.pos;
    const tag = r.peekU8();
    switch (tag) {
      case 0x40:
      case 0x43:
        r.u8();
        if (tag === 0x43) this.features.push({ feature: 'async', offset: at });
        return this.funcType(scope, tag === 0x43);
      case 0x41:
      case 0x42: {
        r.u8();
        if (depth >= MAX_TYPE_NESTING)
          r.fail(`component types nested more than ${MAX_TYPE_NESTING} deep`, at);
        return this.declarations(scope, tag === 0x41, depth + 1);
      }
      case 0x3f:
      case 0x3e: {
        r.u8();
        if (r.u8() !== 0x7f) r.fail('malformed resource representation (expected i32, 0x7f)', r.pos - 1);
        this.optionalIndex();
        if (tag === 0x3e) {
          this.features.push({ feature: 'async', offset: at });
          this.optionalIndex();
        }
        return { kind: 'resource', name: '' };
      }
      default:
        return this.defValType(scope);
    }
  }

  private optionalIndex(): void {
    const flag = this.r.u8();
    if (flag === 0x01) this.r.varU32();
    else if (flag !== 0x00) this.r.fail(`malformed option flag 0x${flag.toString(16)}`, this.r.pos - 1);
  }

  private funcType(scope: TypeScope, async: boolean): ComponentType {
    const r = this.r;
    const n = this.budget.count(r, 2);
    const params: Array<{ name: string; type: ComponentType }> = [];
    for (let i = 0; i < n; i++) params.push({ name: r.name(), type: this.valType(scope) });
    const results: ComponentType[] = [];
    const at = r.pos;
    const form = r.u8();
    if (form === 0x00) results.push(this.valType(scope));
    else if (form === 0x01) {
      // 0x01 0x00 is "no result"; older binaries list named results here.
      const m = this.budget.count(r, 2);
      for (let i = 0; i < m; i++) {
        r.name();
        results.push(this.valType(scope));
      }
    } else r.fail(`malformed function result list 0x${form.toString(16)}`, at);
    return { kind: 'func', async, params, results };
  }

  /** A `valtype`: a primitive, or (s33 ≥ 0) an index into the type space. */
  valType(scope: TypeScope): ComponentType {
    const r = this.r;
    const at = r.pos;
    const value = r.varSint(33);
    if (value >= 0n) return this.typeAt(scope, Number(value));
    const byte = Number(value) + 0x80;
    const name = PRIMITIVES[byte];
    if (name === undefined) r.fail(`malformed value type 0x${(byte & 0xff).toString(16)}`, at);
    if (name === 'error-context') this.features.push({ feature: 'error-context', offset: at });
    return { kind: 'primitive', name };
  }

  /** An index to nothing is invalid, not undecodable: a placeholder keeps the rest readable. */
  typeAt(scope: TypeScope, index: number): ComponentType {
    return scope.types[index] ?? opaque(`type ${index} (undefined)`);
  }

  private optionalValType(scope: TypeScope): ComponentType | null {
    const at = this.r.pos;
    const flag = this.r.u8();
    if (flag === 0x00) return null;
    if (flag !== 0x01) this.r.fail(`malformed option flag 0x${flag.toString(16)}`, at);
    return this.valType(scope);
  }

  private labels(): string[] {
    const n = this.budget.count(this.r, 1);
    const names: string[] = [];
    for (let i = 0; i < n; i++) names.push(this.r.name());
    return names;
  }

  private defValType(scope: TypeScope): ComponentType {
    const r = this.r;
    const at = r.pos;
    const tag = r.u8();
    const primitive = PRIMITIVES[tag];
    if (primitive !== undefined) {
      if (primitive === 'error-context') this.features.push({ feature: 'error-context', offset: at });
      return { kind: 'primitive', name: primitive };
    }
    switch (tag) {
      case 0x72: {
        const n = this.budget.count(r, 2);
        const fields: Array<{ name: string; type: ComponentType }> = [];
        for (let i = 0; i < n; i++) fields.push({ name: r.name(), type: this.valType(scope) });
        return { kind: 'record', fields };
      }
      case 0x71: {
        const n = this.budget.count(r, 3);
        const cases: Array<{ name: string; type: ComponentType | null }> = [];
        for (let i = 0; i < n; i++) {
          const name = r.name();
          const type = this.optionalValType(scope);
          const refines = r.u8(); // 0x00 today; older binaries could name a refined case
          if (refines === 0x01) r.varU32();
          else if (refines !== 0x00) r.fail(`malformed variant case 0x${refines.toString(16)}`, r.pos - 1);
          cases.push({ name, type });
        }
        return { kind: 'variant', cases };
      }
      case 0x70:
        return { kind: 'list', element: this.valType(scope) };
      case 0x67: {
        this.features.push({ feature: 'fixed-size-list', offset: at });
        const element = this.valType(scope);
        return { kind: 'list', element, length: r.varU32() };
      }
      case 0x6f: {
        const n = this.budget.count(r, 1);
        const elements: ComponentType[] = [];
        for (let i = 0; i < n; i++) elements.push(this.valType(scope));
        return { kind: 'tuple', elements };
      }
      case 0x6e:
        return { kind: 'flags', names: this.labels() };
      case 0x6d:
        return { kind: 'enum', names: this.labels() };
      case 0x6b:
        return { kind: 'option', element: this.valType(scope) };
      case 0x6a: {
        const ok = this.optionalValType(scope);
        return { kind: 'result', ok, error: this.optionalValType(scope) };
      }
      case 0x69:
      case 0x68: {
        const resource = this.typeAt(scope, r.varU32());
        return { kind: tag === 0x69 ? 'own' : 'borrow', resource };
      }
      case 0x66:
      case 0x65:
        this.features.push({ feature: tag === 0x66 ? 'stream' : 'future', offset: at });
        return { kind: tag === 0x66 ? 'stream' : 'future', element: this.optionalValType(scope) };
      default:
        return r.fail(`malformed component type 0x${tag.toString(16)}`, at);
    }
  }

  /** The declarations of an instance type (0x42) or component type (0x41), in their own scope. */
  private declarations(outer: TypeScope, isComponent: boolean, depth: number): ComponentType {
    const r = this.r;
    const scope = newScope(outer);
    const imports: DeclaredExtern[] = [];
    const exports: DeclaredExtern[] = [];
    const n = this.budget.count(r, 2);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const tag = r.u8();
      if (tag === 0x00) skipCoreType(r, depth);
      else if (tag === 0x01) scope.types.push(this.defType(scope, depth));
      else if (tag === 0x02) this.outerAlias(scope);
      else if (tag === 0x04 || (tag === 0x03 && isComponent)) {
        const name = readExternName(r);
        const declared = this.externDesc(scope, name);
        (tag === 0x03 ? imports : exports).push(declared);
      } else
        r.fail(
          `malformed ${isComponent ? 'component' : 'instance'} type declaration 0x${tag.toString(16)}`,
          at,
        );
    }
    return isComponent ? { kind: 'component', imports, exports } : { kind: 'instance', exports };
  }

  /** `alias` inside a type: only outer aliases are allowed; types join the scope. */
  outerAlias(scope: TypeScope): void {
    const r = this.r;
    const at = r.pos;
    const sort = r.u8();
    if (sort === 0x00) r.u8();
    const target = r.u8();
    if (target !== 0x02)
      r.fail(`malformed alias in a type (only outer aliases, got 0x${target.toString(16)})`, at);
    const count = r.varU32();
    const index = r.varU32();
    if (sort !== 0x03) return;
    let s: TypeScope | null = scope;
    for (let i = 0; i < count && s; i++) s = s.parent;
    scope.types.push(s?.types[index] ?? opaque(`outer type ${count} ${index}`));
  }

  /** An `externdesc` naming `name`; a type bound joins the scope (eq: a name for it; sub resource: a new resource). */
  externDesc(scope: TypeScope, name: string): DeclaredExtern {
    const r = this.r;
    const at = r.pos;
    const tag = r.u8();
    switch (tag) {
      case 0x00:
        if (r.u8() !== 0x11) r.fail('malformed core module descriptor (expected 0x11)', at + 1);
        r.varU32();
        return { name, kind: 'module', type: opaque('core module') };
      case 0x01:
      case 0x04:
      case 0x05: {
        const type = this.typeAt(scope, r.varU32());
        const kind = tag === 0x01 ? 'func' : tag === 0x04 ? 'component' : 'instance';
        return { name, kind, type };
      }
      case 0x02: {
        const bound = r.u8();
        if (bound === 0x00) {
          r.varU32();
          return { name, kind: 'value', type: opaque('value') };
        }
        if (bound !== 0x01) r.fail(`malformed value bound 0x${bound.toString(16)}`, r.pos - 1);
        return { name, kind: 'value', type: this.valType(scope) };
      }
      case 0x03: {
        const bound = r.u8();
        let type: ComponentType;
        if (bound === 0x00) {
          type = { kind: 'named', name, target: this.typeAt(scope, r.varU32()) };
        } else if (bound === 0x01) type = { kind: 'resource', name };
        else return r.fail(`malformed type bound 0x${bound.toString(16)}`, r.pos - 1);
        scope.types.push(type);
        return { name, kind: 'type', type };
      }
      default:
        return r.fail(`malformed extern descriptor 0x${tag.toString(16)}`, at);
    }
  }
}

/** Skips a core type definition (a function or module type); component facts do not need it. */
export function skipCoreType(r: ByteReader, depth: number): void {
  const at = r.pos;
  const tag = r.u8();
  if (tag === 0x60) {
    skipCoreValTypes(r);
    skipCoreValTypes(r);
    return;
  }
  if (tag !== 0x50) r.fail(`unsupported core type 0x${tag.toString(16)} in a component`, at);
  if (depth >= MAX_TYPE_NESTING) r.fail(`core module types nested more than ${MAX_TYPE_NESTING} deep`, at);
  const n = r.count(2);
  for (let i = 0; i < n; i++) {
    const declAt = r.pos;
    const decl = r.u8();
    if (decl === 0x00) {
      r.name();
      r.name();
      skipCoreImportDesc(r);
    } else if (decl === 0x01) skipCoreType(r, depth + 1);
    else if (decl === 0x02) {
      r.u8(); // sort
      if (r.u8() !== 0x01) r.fail('malformed core alias in a module type', r.pos - 1);
      r.varU32();
      r.varU32();
    } else if (decl === 0x03) {
      r.name();
      skipCoreImportDesc(r);
    } else r.fail(`malformed module type declaration 0x${decl.toString(16)}`, declAt);
  }
}

function skipCoreValTypes(r: ByteReader): void {
  const n = r.count(1);
  for (let i = 0; i < n; i++) skipCoreValType(r);
}

function skipCoreValType(r: ByteReader): void {
  const b = r.u8();
  if (b === 0x63 || b === 0x64) r.skipVarInt(33);
}

function skipCoreImportDesc(r: ByteReader): void {
  const at = r.pos;
  const tag = r.u8();
  if (tag === 0x00) r.varU32();
  else if (tag === 0x01) {
    skipCoreValType(r);
    skipLimits(r);
  } else if (tag === 0x02) skipLimits(r);
  else if (tag === 0x03) {
    skipCoreValType(r);
    r.u8();
  } else if (tag === 0x04) {
    r.u8();
    r.varU32();
  } else r.fail(`malformed core import descriptor 0x${tag.toString(16)}`, at);
}

function skipLimits(r: ByteReader): void {
  const flags = r.u8();
  r.varU64();
  if (flags & 0x01) r.varU64();
  if (flags & 0x08) r.varU32();
}
