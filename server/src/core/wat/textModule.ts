/**
 * Module facts from the fields of one text module (spec §6.6), with the text span of every item.
 * Tolerant: each field is parsed on its own; an error becomes a located `syntax-error` finding and
 * reading goes on with the next field. Index spaces, inline import/export abbreviations, inline
 * data/elem and type uses are resolved the way a binary encoder would, so the facts equal what
 * `readBinaryModule` reads from the compiled module.
 *
 * This file reads the fields in order and the definitions (func, table, memory, global, tag,
 * start, `@custom`); the other fields and the shared parts are in sibling files: typeDefinitions
 * (type, rec, type uses), importsExports (import, export, inline abbreviations), segments (elem,
 * data), valueTypes and entityTypes (types), constantExpression, instructionScan (the proposals
 * function bodies show), indexSpaces, fieldProblems (errors and deferred references), entityFacts.
 */
import type { Finding } from '../findings';
import type { LineIndex } from '../location';
import type { MemoryType, ModuleFacts, Proposal, TableType } from '../module/model';
import { emptyModuleFacts } from '../module/model';
import { constantValue, noteConstantExpression } from './constantExpression';
import { Cursor, FieldError, describe, isAtom, isListOf } from './cursor';
import { addFunction, entityFact } from './entityFacts';
import { addressType, memoryTypeAfterAddress, readPageSize, tableTypeAfterAddress } from './entityTypes';
import { FieldProblems } from './fieldProblems';
import { ImportsAndExports } from './importsExports';
import { IndexSpaces } from './indexSpaces';
import { InstructionScan } from './instructionScan';
import { idName, stringName } from './literals';
import { SegmentReader, byteStringsLength } from './segments';
import { type SAtom, type SList, type SNode } from './sexpr';
import { TypeDefinitions } from './typeDefinitions';
import { ValueTypeReader } from './valueTypes';

export { constantValue };

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
  /** The proposals the module shows: every part adds to it, `finish` sorts it into the facts. */
  private readonly seen = new Set<Proposal>();
  private readonly spaces = new IndexSpaces();
  private readonly problems: FieldProblems;
  private readonly types = new ValueTypeReader(this.seen, (node, what) =>
    this.spaces.resolve('type', node, what),
  );
  private readonly typeDefinitions: TypeDefinitions;
  private readonly imports: ImportsAndExports;
  private readonly segments: SegmentReader;

  constructor(private readonly input: TextModuleInput) {
    const { lines } = input;
    this.facts = emptyModuleFacts('module', 'text', lines.span(input.start, input.end));
    if (input.id !== undefined) this.facts.id = input.id;
    this.problems = new FieldProblems(lines);
    const { facts, spaces, types, seen, problems } = this;
    this.typeDefinitions = new TypeDefinitions(spaces, types, seen, problems);
    this.imports = new ImportsAndExports(facts, spaces, types, this.typeDefinitions, seen, problems, lines);
    this.segments = new SegmentReader(facts, spaces, types, seen, problems, lines);
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
        return this.imports.importField(field);
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
        return this.imports.exportField(field);
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

  private funcField(field: SList): void {
    const c = new Cursor(field);
    const id = c.optId();
    const index = this.spaces.declareNext('func', id);
    const inlineImport = this.imports.inlineExportsAndImport(c, 'func', () => index);
    const signature = this.typeDefinitions.typeUse(c);
    if (inlineImport) {
      this.imports.checkImportOrder(inlineImport.list);
      c.expectEnd('an imported function (it has no body)');
      return this.imports.recordImport(inlineImport, { kind: 'func', signature }, index, field, id);
    }
    this.imports.noteDefinition(field);
    // Locals and the body are left to validation (compileWat); here only their types matter.
    for (let list = c.optList('local'); list; list = c.optList('local')) {
      const l = new Cursor(list);
      if (l.optId()) {
        this.types.valueType(l.next());
        l.expectEnd('a named local (one type per name)');
      } else while (!l.atEnd()) this.types.valueType(l.next());
    }
    addFunction(this.facts, index, id, signature, false, this.span(field));
    this.facts.functionCount++;
  }

  private tableField(field: SList): void {
    const c = new Cursor(field);
    const id = c.optId();
    const index = this.spaces.declareNext('table', id);
    const inlineImport = this.imports.inlineExportsAndImport(c, 'table', () => index);
    if (inlineImport) {
      this.imports.checkImportOrder(inlineImport.list);
      return this.imports.importTable(c, index, inlineImport, field);
    }
    this.imports.noteDefinition(field);
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
    this.facts.tables.push(entityFact(table, index, false, this.span(field)));
  }

  private memoryField(field: SList): void {
    const c = new Cursor(field);
    const id = c.optId();
    const index = this.spaces.declareNext('memory', id);
    const inlineImport = this.imports.inlineExportsAndImport(c, 'memory', () => index);
    if (inlineImport) {
      this.imports.checkImportOrder(inlineImport.list);
      return this.imports.importMemory(c, index, inlineImport, field);
    }
    this.imports.noteDefinition(field);
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
    this.facts.memories.push(entityFact(memory, index, false, this.span(field)));
  }

  private globalField(field: SList): void {
    const c = new Cursor(field);
    const id = c.optId();
    const index = this.spaces.declareNext('global', id);
    const inlineImport = this.imports.inlineExportsAndImport(c, 'global', () => index);
    const global = this.types.globalType(c.next() ?? c.fail('Expected a global type.'));
    if (inlineImport) {
      this.imports.checkImportOrder(inlineImport.list);
      return this.imports.importGlobal(c, index, global, inlineImport, field);
    }
    this.imports.noteDefinition(field);
    noteConstantExpression(c.rest(), this.seen); // the initialiser: a constant expression, checked by validation
    this.facts.globals.push(entityFact(global, index, false, this.span(field)));
  }

  private tagField(field: SList): void {
    const c = new Cursor(field);
    const id = c.optId();
    const index = this.spaces.declareNext('tag', id);
    this.seen.add('exceptions');
    const inlineImport = this.imports.inlineExportsAndImport(c, 'tag', () => index);
    const signature = this.typeDefinitions.typeUse(c);
    c.expectEnd('a tag');
    if (inlineImport) {
      this.imports.checkImportOrder(inlineImport.list);
      this.imports.recordImport(inlineImport, { kind: 'tag', signature }, index, field);
    } else this.imports.noteDefinition(field);
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
