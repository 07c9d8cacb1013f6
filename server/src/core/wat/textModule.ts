/**
 * Module facts from the fields of one text module (spec §6.6), with the text span of every item.
 * Tolerant: each field is parsed on its own; an error becomes a located `syntax-error` finding and
 * reading goes on with the next field. Index spaces, inline import/export abbreviations, inline
 * data/elem and type uses are resolved the way a binary encoder would, so the facts equal what
 * `readBinaryModule` reads from the compiled module.
 */
import type { Finding } from '../findings';
import type { LineIndex } from '../location';
import type {
  DataSegmentFact,
  ElementSegmentFact,
  ExternKind,
  FuncSignature,
  GlobalType,
  ImportType,
  MemoryType,
  ModuleFacts,
  Proposal,
  TableType,
} from '../module/model';
import { emptyModuleFacts } from '../module/model';
import { constantValue, noteConstantExpression } from './constantExpression';
import { Cursor, FieldError, describe, isAtom, isKeyword, isListOf } from './cursor';
import { idName, stringByteLength, stringName } from './literals';
import { type SAtom, type SList, type SNode } from './sexpr';
import {
  addressType,
  memoryType,
  memoryTypeAfterAddress,
  readPageSize,
  tableType,
  tableTypeAfterAddress,
} from './entityTypes';
import { FieldProblems } from './fieldProblems';
import { IndexSpaces } from './indexSpaces';
import { InstructionScan } from './instructionScan';
import { TypeDefinitions } from './typeDefinitions';
import { ValueTypeReader } from './valueTypes';

export { constantValue };

/** An import's module and name and the list that declares it: `(import …)` or `(import "m" "n")`. */
type ImportSite = { module: string; name: string; list: SList };

export interface TextModuleInput {
  text: string;
  lines: LineIndex;
  /** The `(module` list, or null for a file of inline fields. */
  moduleList: SList | null;
  /** The module's fields (annotations included: `(@custom …)` is read). */
  fields: SNode[];
  /** Where the module starts and ends, for the module's own location. */
  start: number;
  end: number;
  id?: string;
}

export interface TextModuleResult {
  facts: ModuleFacts;
  findings: Finding[];
}

export function readTextModule(input: TextModuleInput): TextModuleResult {
  return new TextModuleReader(input).read();
}

class TextModuleReader {
  private readonly facts: ModuleFacts;
  private readonly problems: FieldProblems;
  private readonly typeDefinitions: TypeDefinitions;
  private readonly seen = new Set<Proposal>();
  private readonly spaces = new IndexSpaces();
  private firstDefinition: SList | null = null;
  private readonly types = new ValueTypeReader(this.seen, (node, what) =>
    this.spaces.resolve('type', node, what),
  );

  constructor(private readonly input: TextModuleInput) {
    this.problems = new FieldProblems(input.lines);
    this.facts = emptyModuleFacts('module', 'text', input.lines.span(input.start, input.end));
    if (input.id !== undefined) this.facts.id = input.id;
    this.typeDefinitions = new TypeDefinitions(this.spaces, this.types, this.seen, this.problems);
  }

  read(): TextModuleResult {
    this.typeDefinitions.declare(this.input.fields);
    for (const field of this.input.fields) this.problems.guard(field, () => this.readField(field));
    this.problems.resolveDeferred();
    this.finish();
    const findings = this.problems.findings;
    this.facts.problems.push(...findings);
    return { facts: this.facts, findings };
  }

  private span(node: SNode) {
    return this.input.lines.span(node.start, node.end);
  }

  // ---- fields ---------------------------------------------------------------------------------

  private readField(field: SNode): void {
    if (field.type === 'list' && field.isAnnotation) {
      this.annotation(field);
      return;
    }
    // A list headed by a reserved token is reported once, by the token scan in finish().
    if (field.type === 'list' && isAtom(field.children[0], 'reserved')) return;
    if (!isListOf(field)) {
      throw new FieldError(
        `Expected a module field such as "(func …)", found ${describe(field)}.`,
        field.start,
        field.end,
      );
    }
    const head = (field.children[0] as SAtom).token.text;
    switch (head) {
      case 'type':
      case 'rec':
        return; // read first, by typeDefinitions
      case 'import':
        return this.importField(field);
      case 'func':
        return this.funcField(field);
      case 'table':
        return this.tableField(field);
      case 'memory':
        return this.memoryField(field);
      case 'global':
        return this.globalField(field);
      case 'tag':
        return this.tagField(field);
      case 'export':
        return this.exportField(field);
      case 'start':
        return this.startField(field);
      case 'elem':
        return this.elemField(field);
      case 'data':
        return this.dataField(field);
      default:
        throw new FieldError(
          `Unknown module field "(${head.slice(0, 40)}": expected type, rec, import, func, table, memory, global, tag, export, start, elem or data.`,
          field.children[0].start,
          field.children[0].end,
        );
    }
  }

  /** `(@custom "name" (before|after …)? "bytes"*)` becomes a custom section; other annotations are ignored. */
  private annotation(list: SList): void {
    const open = list.open;
    if (open.text.startsWith('(@"') && stringName(open.text.slice(2)) === null) {
      throw new FieldError('Malformed UTF-8 encoding in an annotation id.', open.start, open.end);
    }
    if (open.text !== '(@custom') return;
    const c = new Cursor(list, 0);
    const nameToken = c.string('the custom section name');
    const name = stringName(nameToken.token.text);
    if (name === null) return c.fail('The custom section name is not valid UTF-8.', nameToken);
    if (!c.optList('before')) c.optList('after');
    let size = 0;
    while (!c.atEnd()) size += stringByteLength(c.string('custom section bytes').token.text);
    this.facts.customSections.push({ name, size, location: this.span(list) });
  }

  /** Imports must precede every definition in the text format. */
  private noteDefinition(field: SList): void {
    this.firstDefinition ??= field;
  }

  private checkImportOrder(at: SNode): void {
    if (this.firstDefinition) {
      const head = (this.firstDefinition.children[0] as SAtom).token.text;
      throw new FieldError(
        `Imports must come before every definition: this import follows the ${head} defined earlier.`,
        at.start,
        at.end,
      );
    }
  }

  /** Inline `(export "name")*` and `(import "m" "n")?` of a definition, in text order. */
  private inlineExportsAndImport(c: Cursor, kind: ExternKind, index: () => number): ImportSite | null {
    for (let list = c.optList('export'); list; list = c.optList('export')) {
      const e = new Cursor(list);
      const nameToken = e.string('the export name');
      e.expectEnd('an inline export');
      this.addExport(nameToken, kind, index(), list);
    }
    const importList = c.optList('import');
    if (!importList) return null;
    const i = new Cursor(importList);
    const module = this.name(i.string('the import module name'));
    const name = this.name(i.string('the import name'));
    i.expectEnd('an inline import');
    if (isListOf(c.peek(), 'export')) c.fail('Inline exports must come before an inline import.');
    return { module, name, list: importList };
  }

  private name(token: SAtom): string {
    const name = stringName(token.token.text);
    if (name === null) throw new FieldError('Malformed UTF-8 encoding in a name.', token.start, token.end);
    return name;
  }

  private addExport(nameToken: SAtom, kind: ExternKind, index: number, list: SList): void {
    const name = this.name(nameToken);
    this.facts.exports.push({ name, kind, index, location: this.span(list) });
  }

  private addImport(module: string, name: string, type: ImportType, index: number, list: SList): void {
    this.facts.imports.push({ module, name, kind: type.kind, type, index, location: this.span(list) });
  }

  private importField(field: SList): void {
    const c = new Cursor(field);
    const module = this.name(c.string('the import module name'));
    const name = this.name(c.string('the import name'));
    const desc = c.next();
    c.expectEnd('an import');
    if (!isListOf(desc))
      return c.fail(`Expected an import description such as "(func …)", found ${describe(desc)}.`, desc);
    this.checkImportOrder(field);
    const d = new Cursor(desc);
    const id = d.optId();
    const kind = (desc.children[0] as SAtom).token.text;
    const site: ImportSite = { module, name, list: field };
    switch (kind) {
      case 'func':
        return this.importFunc(d, id, site);
      case 'table':
        return this.importTable(d, this.spaces.declareNext('table', id), site, field);
      case 'memory':
        return this.importMemory(d, this.spaces.declareNext('memory', id), site, field);
      case 'global': {
        const index = this.spaces.declareNext('global', id);
        const global = this.types.globalType(d.next() ?? d.fail('Expected a global type.'));
        return this.importGlobal(d, index, global, site, field);
      }
      case 'tag':
        return this.importTag(d, id, site);
      default:
        d.fail(
          `Unknown import kind "${kind}": expected func, table, memory, global or tag.`,
          desc.children[0],
        );
    }
  }

  // For an import field, the site's list is the whole `(import …)` field, and so is the span.

  private importFunc(c: Cursor, id: SAtom | undefined, site: ImportSite): void {
    const index = this.spaces.declareNext('func', id);
    const signature = this.typeDefinitions.typeUse(c);
    c.expectEnd('an imported function');
    this.recordImport(site, { kind: 'func', signature }, index, site.list, id);
  }

  // Tables, memories and globals read the rest of an import the same way in an import field and
  // after an inline `(import "m" "n")`, so these serve both (the caller has declared the index).

  private importTable(c: Cursor, index: number, site: ImportSite, span: SList): void {
    const table = tableType(c, this.types, this.seen);
    c.expectEnd('an imported table');
    this.recordImport(site, { kind: 'table', table }, index, span);
  }

  private importMemory(c: Cursor, index: number, site: ImportSite, span: SList): void {
    const memory = memoryType(c, this.seen);
    c.expectEnd('an imported memory');
    this.recordImport(site, { kind: 'memory', memory }, index, span);
  }

  /** After the global type, which an inline import's field reads before it knows it is an import. */
  private importGlobal(c: Cursor, index: number, global: GlobalType, site: ImportSite, span: SList): void {
    c.expectEnd('an imported global');
    if (global.mutable) this.seen.add('mutable-globals');
    this.recordImport(site, { kind: 'global', global }, index, span);
  }

  private importTag(c: Cursor, id: SAtom | undefined, site: ImportSite): void {
    const index = this.spaces.declareNext('tag', id);
    this.seen.add('exceptions');
    const signature = this.typeDefinitions.typeUse(c);
    c.expectEnd('an imported tag');
    this.recordImport(site, { kind: 'tag', signature }, index, site.list);
  }

  /**
   * Records an import of `type` and, for a func, table, memory or global, the imported entity's
   * fact. Import fields and inline imports share this so both give the facts a binary gives. The
   * import is located at `site.list`, the entity at `span`: the same node for an import field,
   * the whole defining field for an inline `(import "m" "n")`.
   */
  private recordImport(site: ImportSite, type: ImportType, index: number, span: SList, id?: SAtom): void {
    this.addImport(site.module, site.name, type, index, site.list);
    switch (type.kind) {
      case 'func':
        return this.addFunction(index, id, type.signature, true, span);
      case 'table':
        this.facts.tables.push(this.entityFact(type.table, index, true, span));
        return;
      case 'memory':
        this.facts.memories.push(this.entityFact(type.memory, index, true, span));
        return;
      case 'global':
        this.facts.globals.push(this.entityFact(type.global, index, true, span));
        return;
      case 'tag':
        return; // tags have no entity facts
    }
  }

  /** A table, memory or global fact; `exportedAs` starts empty and is filled once exports are known. */
  private entityFact<T extends TableType | MemoryType | GlobalType>(
    type: T,
    index: number,
    imported: boolean,
    span: SList,
  ) {
    return { ...type, index, imported, exportedAs: [] as string[], location: this.span(span) };
  }

  private addFunction(
    index: number,
    id: SAtom | undefined,
    signature: FuncSignature | null,
    imported: boolean,
    span: SList,
  ): void {
    const fn: ModuleFacts['functions'][number] = {
      index,
      signature,
      imported,
      exportedAs: [],
      location: this.span(span),
    };
    if (id) {
      fn.name = idName(id.token.text);
      this.facts.functionNames[index] = fn.name;
    }
    this.facts.functions.push(fn);
  }

  private funcField(field: SList): void {
    const c = new Cursor(field);
    const id = c.optId();
    const index = this.spaces.declareNext('func', id);
    const inlineImport = this.inlineExportsAndImport(c, 'func', () => index);
    const signature = this.typeDefinitions.typeUse(c);
    if (inlineImport) {
      this.checkImportOrder(inlineImport.list);
      c.expectEnd('an imported function (it has no body)');
      return this.recordImport(inlineImport, { kind: 'func', signature }, index, field, id);
    }
    this.noteDefinition(field);
    // Locals and the body are left to validation (compileWat); here only their types matter.
    for (let list = c.optList('local'); list; list = c.optList('local')) {
      const l = new Cursor(list);
      if (l.optId()) {
        this.types.valueType(l.next());
        l.expectEnd('a named local (one type per name)');
      } else while (!l.atEnd()) this.types.valueType(l.next());
    }
    this.addFunction(index, id, signature, false, field);
    this.facts.functionCount++;
  }

  private tableField(field: SList): void {
    const c = new Cursor(field);
    const id = c.optId();
    const index = this.spaces.declareNext('table', id);
    const inlineImport = this.inlineExportsAndImport(c, 'table', () => index);
    if (inlineImport) {
      this.checkImportOrder(inlineImport.list);
      return this.importTable(c, index, inlineImport, field);
    }
    this.noteDefinition(field);
    let table: TableType;
    const table64 = addressType(c, this.seen);
    const elemList = isListOf(c.peek(1), 'elem') ? c.peek(1) : undefined;
    if (elemList && elemList.type === 'list') {
      // `(table reftype (elem …))`: a table exactly as large as its active segment at offset 0.
      const elementType = this.types.refTypeOrShorthand(c.next());
      c.next();
      c.expectEnd('a table with inline elements');
      const count = this.elementItems(new Cursor(elemList), elementType);
      table = { elementType, initial: count, maximum: count, table64 };
      this.elementSegments(elemList, { mode: 'active', tableIndex: index, count, offset: true });
    } else {
      table = tableTypeAfterAddress(c, table64, this.types, this.seen);
      if (!c.atEnd()) {
        this.seen.add('function-references');
        noteConstantExpression(c.rest(), this.seen); // the initialiser expression
      }
    }
    this.facts.tables.push(this.entityFact(table, index, false, field));
  }

  private memoryField(field: SList): void {
    const c = new Cursor(field);
    const id = c.optId();
    const index = this.spaces.declareNext('memory', id);
    const inlineImport = this.inlineExportsAndImport(c, 'memory', () => index);
    if (inlineImport) {
      this.checkImportOrder(inlineImport.list);
      return this.importMemory(c, index, inlineImport, field);
    }
    this.noteDefinition(field);
    let memory: MemoryType;
    const memory64 = addressType(c, this.seen);
    const dataAt = isListOf(c.peek(), 'pagesize') ? 1 : 0;
    if (isListOf(c.peek(dataAt), 'data')) {
      // `(memory (data "…"))`: initial = maximum = the data size in pages, rounded up.
      const pageSize = readPageSize(c, this.seen);
      const data = c.next() as SList;
      c.expectEnd('a memory with inline data');
      const d = new Cursor(data);
      let size = 0;
      while (!d.atEnd()) size += stringByteLength(d.string('data bytes').token.text);
      const pages = Math.ceil(size / pageSize);
      memory = { initial: pages, maximum: pages, shared: false, memory64, pageSize };
      this.facts.dataSegments.push({
        index: this.spaces.counts.data++,
        mode: 'active',
        memoryIndex: index,
        offset: 0,
        size,
        location: this.span(data),
      });
    } else {
      memory = memoryTypeAfterAddress(c, memory64, this.seen);
      c.expectEnd('a memory');
    }
    this.facts.memories.push(this.entityFact(memory, index, false, field));
  }

  private globalField(field: SList): void {
    const c = new Cursor(field);
    const id = c.optId();
    const index = this.spaces.declareNext('global', id);
    const inlineImport = this.inlineExportsAndImport(c, 'global', () => index);
    const global = this.types.globalType(c.next() ?? c.fail('Expected a global type.'));
    if (inlineImport) {
      this.checkImportOrder(inlineImport.list);
      return this.importGlobal(c, index, global, inlineImport, field);
    }
    this.noteDefinition(field);
    noteConstantExpression(c.rest(), this.seen); // the initialiser: a constant expression, checked by validation
    this.facts.globals.push(this.entityFact(global, index, false, field));
  }

  private tagField(field: SList): void {
    const c = new Cursor(field);
    const id = c.optId();
    const index = this.spaces.declareNext('tag', id);
    this.seen.add('exceptions');
    const inlineImport = this.inlineExportsAndImport(c, 'tag', () => index);
    const signature = this.typeDefinitions.typeUse(c);
    c.expectEnd('a tag');
    if (inlineImport) {
      this.checkImportOrder(inlineImport.list);
      this.recordImport(inlineImport, { kind: 'tag', signature }, index, field);
    } else this.noteDefinition(field);
  }

  private exportField(field: SList): void {
    const c = new Cursor(field);
    const nameToken = c.string('the export name');
    const desc = c.next();
    c.expectEnd('an export');
    const kinds: ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];
    const kind = kinds.find((k) => isListOf(desc, k));
    if (!kind || desc?.type !== 'list') {
      return c.fail(`Expected what to export, such as "(func $f)", found ${describe(desc)}.`, desc);
    }
    const d = new Cursor(desc);
    const ref = d.next();
    d.expectEnd('an export description');
    if (kind === 'tag') this.seen.add('exceptions');
    // Keep the export's place in the order now; its index may name a later field.
    const name = this.name(nameToken);
    const fact = { name, kind, index: -1, location: this.span(field) };
    this.facts.exports.push(fact);
    this.problems.later(() => {
      fact.index = this.spaces.resolve(kind, ref);
    });
  }

  private startField(field: SList): void {
    const c = new Cursor(field);
    const ref = c.next();
    c.expectEnd('the start field');
    if (this.facts.start) c.fail('A module has at most one start function.', field.children[0]);
    const start: NonNullable<ModuleFacts['start']> = { funcIndex: -1, location: this.span(field) };
    this.facts.start = start;
    this.problems.later(() => {
      start.funcIndex = this.spaces.resolve('func', ref);
      if (isAtom(ref, 'id')) start.funcName = idName(ref.token.text);
    });
  }

  private elemField(field: SList): void {
    const c = new Cursor(field);
    const id = c.optId();
    const index = this.spaces.counts.elem;
    this.spaces.declareId('elem', id, index);
    if (c.optKeyword('declare')) {
      this.seen.add('reference-types');
      const count = this.elementItems(c, undefined);
      this.elementSegments(field, { mode: 'declarative', count });
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
      this.elementSegments(field, { mode: 'passive', count });
      return;
    }
    const count = this.elementItems(c, undefined, true);
    const segment = this.elementSegments(field, { mode: 'active', tableIndex: 0, count, offset: true });
    if (tableRef) {
      this.problems.later(() => {
        segment.tableIndex = this.spaces.resolve('table', tableRef);
        if (segment.tableIndex !== 0) this.seen.add('reference-types');
      });
    }
  }

  /** Adds an element segment (from `(elem …)` or a table's inline `(elem …)`). */
  private elementSegments(
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
  private elementItems(c: Cursor, elementType: string | undefined, legacyAllowed = false): number {
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

  private dataField(field: SList): void {
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
    let size = 0;
    while (!c.atEnd()) size += stringByteLength(c.string('data bytes').token.text);
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

  // ---- assembling -----------------------------------------------------------------------------

  private finish(): void {
    const f = this.facts;
    f.exports = f.exports.filter((e) => e.index >= 0); // unresolved ones were reported
    const byKind = { func: f.functions, table: f.tables, memory: f.memories, global: f.globals } as const;
    for (const e of f.exports) {
      if (e.kind === 'global' && f.globals[e.index]?.mutable) this.seen.add('mutable-globals');
      if (e.kind !== 'tag') byKind[e.kind][e.index]?.exportedAs.push(e.name);
    }
    if (f.start && f.start.funcIndex < 0) f.start = null;
    if (f.memories.length > 1) this.seen.add('multi-memory');
    if (f.tables.length > 1) this.seen.add('reference-types');
    const scan = new InstructionScan(
      this.input.text,
      this.seen,
      (message, start, end) => this.problems.error(message, start, end),
      this.problems.reportedAt,
    );
    if (this.input.moduleList) scan.scan(this.input.moduleList);
    else for (const field of this.input.fields) scan.scan(field);
    f.proposals = [...this.seen].sort();
  }
}
