/**
 * The index spaces of one component, filled section by section in file order: types, functions,
 * instances, and the core functions and instances that wire nested core modules together. From
 * them come the component's typed imports and exports and, for every import of a nested core
 * module, what satisfies it (a lowered component function, a canonical built-in, or the export of
 * another core module).
 */
import type { ByteReader } from '../module/byteReader';
import type { EntryBudget } from './entryBudget';
import { readExternName } from './names';
import { newScope, skipCoreType, TypeReader, type FeatureUse, type TypeScope } from './typeReader';
import { opaque, underlying, type ComponentType, type DeclaredExtern } from './types';

/** Where a component function comes from. */
export type FuncOrigin =
  | { kind: 'import'; import: string; name: string }
  | { kind: 'lift' }
  | { kind: 'instance-export'; name: string }
  /** An index that refers to nothing: the component is invalid, which validation reports. */
  | { kind: 'unknown' };

interface FuncEntry {
  type: ComponentType;
  origin: FuncOrigin;
}

interface InstanceEntry {
  /** The import that brought it, if any. */
  importName?: string;
  exports: DeclaredExtern[];
  /** Functions exported by an instance built from inline exports, by name. */
  funcs?: Map<string, FuncEntry>;
}

/** What satisfies an import of a nested core module. */
export type CoreImportSource =
  /** A component function lowered into core code: an import's function (or a lifted one). */
  | { kind: 'lowered'; import?: string; function: string }
  /** A canonical built-in such as `resource.drop`. */
  | { kind: 'builtin'; builtin: string; resource?: string }
  /** The export of another nested core module's instance (`module` indexes the component's `modules`). */
  | { kind: 'core-export'; module: number; name: string }
  | { kind: 'unknown' };

type CoreFunc = CoreImportSource;

type CoreInstance =
  | { kind: 'instantiate'; module: number; args: Map<string, number> }
  | { kind: 'exports'; funcs: Map<string, number> };

export interface CoreImportLink {
  /** Index of the core module in the component's `modules`. */
  module: number;
  importModule: string;
  importName: string;
  source: CoreImportSource;
}

/** A nested core module's imports, as the section reader knows them. */
export interface NestedModuleImports {
  ordinal: number;
  imports: Array<{ module: string; name: string; kind: string }>;
}

export const CANON_BUILTINS: Record<
  number,
  { name: string; operands: 'none' | 'type' | 'type-opts' | 'opts' | 'flag' | 'type-flag' }
> = {
  0x02: { name: 'resource.new', operands: 'type' },
  0x03: { name: 'resource.drop', operands: 'type' },
  0x07: { name: 'resource.drop async', operands: 'type' },
  0x04: { name: 'resource.rep', operands: 'type' },
  0x08: { name: 'backpressure.set', operands: 'none' },
  0x24: { name: 'backpressure.inc', operands: 'none' },
  0x25: { name: 'backpressure.dec', operands: 'none' },
  0x05: { name: 'task.cancel', operands: 'none' },
  0x0c: { name: 'yield', operands: 'flag' },
  0x06: { name: 'subtask.cancel', operands: 'flag' },
  0x0d: { name: 'subtask.drop', operands: 'none' },
  0x0e: { name: 'stream.new', operands: 'type' },
  0x0f: { name: 'stream.read', operands: 'type-opts' },
  0x10: { name: 'stream.write', operands: 'type-opts' },
  0x11: { name: 'stream.cancel-read', operands: 'type-flag' },
  0x12: { name: 'stream.cancel-write', operands: 'type-flag' },
  0x13: { name: 'stream.drop-readable', operands: 'type' },
  0x14: { name: 'stream.drop-writable', operands: 'type' },
  0x15: { name: 'future.new', operands: 'type' },
  0x16: { name: 'future.read', operands: 'type-opts' },
  0x17: { name: 'future.write', operands: 'type-opts' },
  0x18: { name: 'future.cancel-read', operands: 'type-flag' },
  0x19: { name: 'future.cancel-write', operands: 'type-flag' },
  0x1a: { name: 'future.drop-readable', operands: 'type' },
  0x1b: { name: 'future.drop-writable', operands: 'type' },
  0x1c: { name: 'error-context.new', operands: 'opts' },
  0x1d: { name: 'error-context.debug-message', operands: 'opts' },
  0x1e: { name: 'error-context.drop', operands: 'none' },
  0x1f: { name: 'waitable-set.new', operands: 'none' },
  0x22: { name: 'waitable-set.drop', operands: 'none' },
  0x23: { name: 'waitable.join', operands: 'none' },
  0x42: { name: 'thread.available-parallelism', operands: 'none' },
};

export interface ComponentItem {
  name: string;
  kind: DeclaredExtern['kind'];
  type: ComponentType;
  /** For exported instances built inline: their functions. */
  funcs?: DeclaredExtern[];
}

// Indices that refer to nothing make the component invalid, not unreadable: they resolve to
// placeholders here, and the reader reports only bytes it cannot decode.
const NO_FUNC: FuncEntry = { type: opaque('func'), origin: { kind: 'unknown' } };
const NO_INSTANCE: InstanceEntry = { exports: [] };
const NO_TYPE = opaque('undefined type');

export class ComponentSpaces {
  readonly scope: TypeScope;
  private readonly funcs: FuncEntry[] = [];
  private readonly instances: InstanceEntry[] = [];
  /** Component space: the index in `modules` of a nested component, or -1 (imported/aliased). */
  private readonly components: number[] = [];
  /** Exports of nested components, by their index in `modules`. */
  readonly nestedExports = new Map<number, ComponentItem[]>();
  /** Core module space: the index in `modules` of a nested core module, or -1. */
  private readonly coreModules: number[] = [];
  private readonly coreFuncs: CoreFunc[] = [];
  private readonly coreInstances: CoreInstance[] = [];
  readonly imports: ComponentItem[] = [];
  readonly exports: ComponentItem[] = [];
  readonly features: FeatureUse[] = [];
  readonly links: CoreImportLink[] = [];
  private readonly nestedImports = new Map<number, NestedModuleImports>();

  constructor(
    parent: TypeScope | null,
    /** Entries read from the file so far (a hostile component declares millions). */
    private readonly budget: EntryBudget,
  ) {
    this.scope = newScope(parent);
  }

  /** Feeds one typed section (core instance … export) to the index spaces. */
  section(id: number, r: ByteReader): void {
    if (id === 2) this.coreInstanceSection(r);
    else if (id === 3) this.coreTypeSection(r);
    else if (id === 5) this.instanceSection(r);
    else if (id === 6) this.aliasSection(r);
    else if (id === 7) this.typeSection(r);
    else if (id === 8) this.canonSection(r);
    else if (id === 10) this.importSection(r);
    else if (id === 11) this.exportSection(r);
  }

  /** A nested core module or component section: it takes the next index of its space. */
  nested(ordinal: number, isComponent: boolean, imports: NestedModuleImports['imports']): void {
    if (isComponent) this.components.push(ordinal);
    else {
      this.coreModules.push(ordinal);
      this.nestedImports.set(ordinal, { ordinal, imports });
    }
  }

  typeSection(r: ByteReader): void {
    const reader = new TypeReader(r, this.features, this.budget);
    const n = this.budget.count(r, 1);
    for (let i = 0; i < n; i++) this.scope.types.push(reader.defType(this.scope, 0));
  }

  coreTypeSection(r: ByteReader): void {
    const n = this.budget.count(r, 1);
    for (let i = 0; i < n; i++) skipCoreType(r, 0);
  }

  importSection(r: ByteReader): void {
    const reader = new TypeReader(r, this.features, this.budget);
    const n = this.budget.count(r, 3);
    for (let i = 0; i < n; i++) {
      const name = readExternName(r);
      const declared = reader.externDesc(this.scope, name);
      this.addImported(declared);
      this.imports.push({ ...declared });
    }
  }

  private addImported(declared: DeclaredExtern): void {
    const t = underlying(declared.type);
    if (declared.kind === 'func')
      this.funcs.push({ type: t, origin: { kind: 'import', import: declared.name, name: declared.name } });
    else if (declared.kind === 'instance')
      this.instances.push({ importName: declared.name, exports: t.kind === 'instance' ? t.exports : [] });
    else if (declared.kind === 'component') this.components.push(-1);
    else if (declared.kind === 'module') this.coreModules.push(-1);
  }

  exportSection(r: ByteReader): void {
    const reader = new TypeReader(r, this.features, this.budget);
    const n = this.budget.count(r, 3);
    for (let i = 0; i < n; i++) {
      const name = readExternName(r);
      const { sort, index } = readSortIndex(r);
      const hasType = r.u8();
      let ascribed: DeclaredExtern | null = null;
      if (hasType === 0x01) ascribed = reader.externDesc(this.scope, name);
      else if (hasType !== 0x00) r.fail(`malformed export type flag 0x${hasType.toString(16)}`, r.pos - 1);
      this.exports.push(this.exported(name, sort, index, ascribed));
    }
  }

  /** An export: what it refers to, with its type; it also takes a new index in its space. */
  private exported(name: string, sort: Sort, index: number, ascribed: DeclaredExtern | null): ComponentItem {
    switch (sort) {
      case 'func': {
        const f = this.funcs[index] ?? NO_FUNC;
        this.funcs.push(f);
        return { name, kind: 'func', type: ascribed ? underlying(ascribed.type) : f.type };
      }
      case 'instance': {
        const inst = this.instances[index] ?? NO_INSTANCE;
        this.instances.push(inst);
        const type = ascribed
          ? underlying(ascribed.type)
          : { kind: 'instance' as const, exports: inst.exports };
        return { name, kind: 'instance', type };
      }
      case 'type': {
        if (ascribed) return { name, kind: 'type', type: ascribed.type };
        const target = this.scope.types[index] ?? NO_TYPE;
        const type: ComponentType = { kind: 'named', name, target };
        this.scope.types.push(type);
        return { name, kind: 'type', type };
      }
      case 'component':
        this.components.push(this.components[index] ?? -1);
        return { name, kind: 'component', type: opaque('component') };
      case 'module':
        this.coreModules.push(this.coreModules[index] ?? -1);
        return { name, kind: 'module', type: opaque('core module') };
      default:
        return { name, kind: 'value', type: opaque('value') };
    }
  }

  aliasSection(r: ByteReader): void {
    const n = this.budget.count(r, 3);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const sortByte = r.u8();
      const coreSort = sortByte === 0x00 ? r.u8() : -1;
      const target = r.u8();
      if (target === 0x00) {
        const instance = r.varU32();
        const name = r.name();
        this.aliasExport(sortByte, instance, name);
      } else if (target === 0x01) {
        const instance = r.varU32();
        const name = r.name();
        if (coreSort === 0x00) this.coreFuncs.push(this.coreExport(instance, name));
        else if (coreSort === 0x11) this.coreModules.push(-1);
      } else if (target === 0x02) {
        const count = r.varU32();
        const index = r.varU32();
        if (sortByte === 0x03) {
          let s: TypeScope | null = this.scope;
          for (let k = 0; k < count && s; k++) s = s.parent;
          this.scope.types.push(s?.types[index] ?? opaque(`outer type ${count} ${index}`));
        } else if (sortByte === 0x04) this.components.push(-1);
        else if (sortByte === 0x00 && coreSort === 0x11) this.coreModules.push(-1);
      } else r.fail(`malformed alias target 0x${target.toString(16)}`, at);
    }
  }

  private coreExport(instance: number, name: string): CoreFunc {
    const inst = this.coreInstances[instance];
    if (!inst) return { kind: 'unknown' };
    if (inst.kind === 'instantiate') return { kind: 'core-export', module: inst.module, name };
    const f = inst.funcs.get(name);
    return f === undefined ? { kind: 'unknown' } : (this.coreFuncs[f] ?? { kind: 'unknown' });
  }

  private aliasExport(sortByte: number, instance: number, name: string): void {
    const inst = this.instances[instance] ?? NO_INSTANCE;
    const declared = inst.exports.find((e) => e.name === name);
    if (sortByte === 0x01) {
      const inline = inst.funcs?.get(name);
      const origin: FuncOrigin = inst.importName
        ? { kind: 'import', import: inst.importName, name }
        : { kind: 'instance-export', name };
      this.funcs.push(inline ?? { type: declared ? underlying(declared.type) : opaque('func'), origin });
    } else if (sortByte === 0x03) this.scope.types.push(declared?.type ?? opaque(`type ${name}`));
    else if (sortByte === 0x05) {
      const t = declared && underlying(declared.type);
      this.instances.push({ exports: t?.kind === 'instance' ? t.exports : [] });
    } else if (sortByte === 0x04) this.components.push(-1);
  }

  canonSection(r: ByteReader): void {
    const n = this.budget.count(r, 2);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const op = r.u8();
      if (op === 0x00) {
        if (r.u8() !== 0x00) r.fail('malformed canon lift', at + 1);
        r.varU32();
        this.canonOptions(r);
        const type = this.scope.types[r.varU32()] ?? NO_TYPE;
        this.funcs.push({ type: underlying(type), origin: { kind: 'lift' } });
      } else if (op === 0x01) {
        if (r.u8() !== 0x00) r.fail('malformed canon lower', at + 1);
        const f = this.funcs[r.varU32()] ?? NO_FUNC;
        this.canonOptions(r);
        this.coreFuncs.push(lowered(f));
      } else if (op === 0x09) {
        this.features.push({ feature: 'async', offset: at });
        const form = r.u8();
        if (form === 0x00) new TypeReader(r, this.features, this.budget).valType(this.scope);
        else if (form === 0x01) r.u8();
        else r.fail(`malformed task.return result 0x${form.toString(16)}`, at + 1);
        this.canonOptions(r);
        this.coreFuncs.push({ kind: 'builtin', builtin: 'task.return' });
      } else if (op === 0x0a || op === 0x0b) {
        this.features.push({ feature: 'async', offset: at });
        r.u8();
        r.varU32();
        this.coreFuncs.push({ kind: 'builtin', builtin: op === 0x0a ? 'context.get' : 'context.set' });
      } else if (op === 0x20 || op === 0x21) {
        this.features.push({ feature: 'async', offset: at });
        r.u8();
        r.varU32();
        this.coreFuncs.push({
          kind: 'builtin',
          builtin: op === 0x20 ? 'waitable-set.wait' : 'waitable-set.poll',
        });
      } else if (op === 0x40 || op === 0x41) {
        this.features.push({ feature: 'threads', offset: at });
        r.varU32();
        if (op === 0x41) r.varU32();
        this.coreFuncs.push({
          kind: 'builtin',
          builtin: op === 0x40 ? 'thread.spawn-ref' : 'thread.spawn-indirect',
        });
      } else {
        const builtin = CANON_BUILTINS[op] ?? r.fail(`malformed canonical function 0x${op.toString(16)}`, at);
        let resource: string | undefined;
        if (builtin.operands.startsWith('type')) {
          const t = this.scope.types[r.varU32()] ?? NO_TYPE;
          if (op <= 0x07) resource = typeName(t);
        }
        if (builtin.operands.endsWith('opts')) this.canonOptions(r);
        if (builtin.operands.endsWith('flag')) r.u8();
        if (!/^resource\.(new|drop|rep)$/.test(builtin.name))
          this.features.push({
            feature: builtin.name.startsWith('error-context') ? 'error-context' : 'async',
            offset: at,
          });
        this.coreFuncs.push({ kind: 'builtin', builtin: builtin.name, resource });
      }
    }
  }

  private canonOptions(r: ByteReader): void {
    const n = this.budget.count(r, 1);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const opt = r.u8();
      if (opt === 0x03 || opt === 0x04 || opt === 0x05 || opt === 0x07 || opt === 0x08) r.varU32();
      else if (opt === 0x06) this.features.push({ feature: 'async', offset: at });
      else if (opt > 0x09) r.fail(`malformed canonical option 0x${opt.toString(16)}`, at);
    }
  }

  coreInstanceSection(r: ByteReader): void {
    const n = this.budget.count(r, 2);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const tag = r.u8();
      if (tag === 0x00) {
        const ordinal = this.coreModules[r.varU32()] ?? -1;
        const args = new Map<string, number>();
        const m = this.budget.count(r, 3);
        for (let k = 0; k < m; k++) {
          const name = r.name();
          if (r.u8() !== 0x12)
            r.fail('malformed instantiation argument (expected an instance, 0x12)', r.pos - 1);
          args.set(name, r.varU32());
        }
        this.coreInstances.push({ kind: 'instantiate', module: ordinal, args });
        this.link(ordinal, args);
      } else if (tag === 0x01) {
        const funcs = new Map<string, number>();
        const m = this.budget.count(r, 3);
        for (let k = 0; k < m; k++) {
          const name = r.name();
          const sort = r.u8();
          const index = r.varU32();
          if (sort === 0x00) funcs.set(name, index);
        }
        this.coreInstances.push({ kind: 'exports', funcs });
      } else r.fail(`malformed core instance 0x${tag.toString(16)}`, at);
    }
  }

  /** Ties each function import of an instantiated nested module to what its argument provides. */
  private link(ordinal: number, args: Map<string, number>): void {
    const nested = this.nestedImports.get(ordinal);
    if (!nested) return;
    for (const imp of nested.imports) {
      if (imp.kind !== 'func') continue;
      if (
        this.links.some(
          (l) => l.module === ordinal && l.importModule === imp.module && l.importName === imp.name,
        )
      )
        continue;
      const arg = args.get(imp.module);
      const source = arg === undefined ? { kind: 'unknown' as const } : this.coreExport(arg, imp.name);
      this.links.push({ module: ordinal, importModule: imp.module, importName: imp.name, source });
    }
  }

  /**
   * wit-component routes imports that need the caller's memory through a shim: the shim module
   * exports functions named by table slot ("13") that call through its `$imports` table, and a
   * fixup module, importing that table, fills slot "13" with the lowered function it imports under
   * the same name. A link to a shim export takes the fixup's source instead.
   */
  resolveShims(
    modules: Array<{
      kind: string;
      imports: Array<{ name: string; kind: string }>;
      exports: Array<{ name: string; kind: string }>;
    }>,
  ): void {
    const isShim = (m: number): boolean =>
      modules[m]?.exports.some((e) => e.kind === 'table' && e.name === '$imports') ?? false;
    const fixups = new Map<string, CoreImportSource>();
    for (const l of this.links) {
      const fixup = modules[l.module];
      if (l.importModule === '' && fixup?.imports.some((i) => i.kind === 'table' && i.name === '$imports'))
        fixups.set(l.importName, l.source);
    }
    for (const l of this.links) {
      if (l.source.kind !== 'core-export' || !isShim(l.source.module)) continue;
      const filled = fixups.get(l.source.name);
      if (filled) l.source = filled;
    }
  }

  instanceSection(r: ByteReader): void {
    const n = this.budget.count(r, 2);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const tag = r.u8();
      if (tag === 0x00) {
        const ordinal = this.components[r.varU32()] ?? -1;
        const m = this.budget.count(r, 3);
        for (let k = 0; k < m; k++) {
          r.name();
          readSortIndex(r);
        }
        const nestedExports = this.nestedExports.get(ordinal) ?? [];
        this.instances.push({
          exports: nestedExports.map((e) => ({ name: e.name, kind: e.kind, type: e.type })),
        });
      } else if (tag === 0x01) {
        const exports: DeclaredExtern[] = [];
        const funcs = new Map<string, FuncEntry>();
        const m = this.budget.count(r, 3);
        for (let k = 0; k < m; k++) {
          const name = readExternName(r);
          const { sort, index } = readSortIndex(r);
          if (sort === 'func') {
            const f = this.funcs[index] ?? NO_FUNC;
            funcs.set(name, f);
            exports.push({ name, kind: 'func', type: f.type });
          } else if (sort === 'type') {
            const target = this.scope.types[index] ?? NO_TYPE;
            exports.push({ name, kind: 'type', type: { kind: 'named', name, target } });
          } else if (sort === 'instance') {
            const inst = this.instances[index] ?? NO_INSTANCE;
            exports.push({ name, kind: 'instance', type: { kind: 'instance', exports: inst.exports } });
          } else exports.push({ name, kind: sort, type: opaque(sort) });
        }
        this.instances.push({ exports, funcs });
      } else r.fail(`malformed instance 0x${tag.toString(16)}`, at);
    }
  }
}

type Sort = DeclaredExtern['kind'];

/** A `sortidx`: sort (core sorts carry a second byte) and index. */
export function readSortIndex(r: ByteReader): { sort: Sort; index: number } {
  const at = r.pos;
  const sortByte = r.u8();
  if (sortByte === 0x00) {
    const core = r.u8();
    return { sort: core === 0x11 ? 'module' : 'func', index: r.varU32() };
  }
  const sort = (['func', 'value', 'type', 'component', 'instance'] as const)[sortByte - 1];
  if (sort === undefined) r.fail(`malformed sort 0x${sortByte.toString(16)}`, at);
  return { sort, index: r.varU32() };
}

function lowered(f: FuncEntry): CoreFunc {
  if (f.origin.kind === 'import')
    return { kind: 'lowered', import: f.origin.import, function: f.origin.name };
  return {
    kind: 'lowered',
    function: f.origin.kind === 'instance-export' ? f.origin.name : '(lifted function)',
  };
}

function typeName(t: ComponentType): string | undefined {
  if (t.kind === 'named' || t.kind === 'resource') return t.name || undefined;
  return undefined;
}
