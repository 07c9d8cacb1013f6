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
import { Cursor, FieldError, describe, isAtom, isListOf } from './cursor';
import { idName, stringName } from './literals';
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
import { SegmentReader, byteStringsLength } from './segments';
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
  private readonly segments: SegmentReader;
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
    this.segments = new SegmentReader(
      this.facts,
      this.spaces,
      this.types,
      this.seen,
      this.problems,
      input.lines,
    );
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
        return this.segments.elemField(field);
      case 'data':
        return this.segments.dataField(field);
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
    const size = byteStringsLength(c, 'custom section bytes');
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
      const count = this.segments.elementItems(new Cursor(elemList), elementType);
      table = { elementType, initial: count, maximum: count, table64 };
      this.segments.addElementSegment(elemList, { mode: 'active', tableIndex: index, count, offset: true });
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
      const pages = Math.ceil(this.segments.addInlineData(data, index) / pageSize);
      memory = { initial: pages, maximum: pages, shared: false, memory64, pageSize };
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
