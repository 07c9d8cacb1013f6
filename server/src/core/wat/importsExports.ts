/**
 * Imports and exports of a text module: import fields, a definition's inline `(export …)` and
 * `(import …)` abbreviations, export fields, and the rule that imports come before definitions.
 */
import type { LineIndex } from '../location';
import type { ExternKind, GlobalType, ImportType, ModuleFacts, Proposal } from '../module/model';
import { Cursor, FieldError, describe, isListOf } from './cursor';
import { addFunction, entityFact } from './entityFacts';
import { memoryType, tableType } from './entityTypes';
import type { FieldProblems } from './fieldProblems';
import type { IndexSpaces } from './indexSpaces';
import { stringName } from './literals';
import type { SAtom, SList, SNode } from './sexpr';
import type { TypeDefinitions } from './typeDefinitions';
import type { ValueTypeReader } from './valueTypes';

/** An import's module and name and the list that declares it: `(import …)` or `(import "m" "n")`. */
export type ImportSite = { module: string; name: string; list: SList };

export class ImportsAndExports {
  /** The first definition read: an import after it is out of order. */
  private firstDefinition: SList | null = null;

  constructor(
    private readonly facts: ModuleFacts,
    private readonly spaces: IndexSpaces,
    private readonly types: ValueTypeReader,
    private readonly typeDefinitions: TypeDefinitions,
    private readonly seen: Set<Proposal>,
    private readonly problems: FieldProblems,
    private readonly lines: LineIndex,
  ) {}

  /** Imports must precede every definition in the text format. */
  noteDefinition(field: SList): void {
    this.firstDefinition ??= field;
  }

  /** Fails the import at `at` when a definition came before it. */
  checkImportOrder(at: SNode): void {
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
  inlineExportsAndImport(c: Cursor, kind: ExternKind, index: () => number): ImportSite | null {
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

  importField(field: SList): void {
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

  importTable(c: Cursor, index: number, site: ImportSite, span: SList): void {
    const table = tableType(c, this.types, this.seen);
    c.expectEnd('an imported table');
    this.recordImport(site, { kind: 'table', table }, index, span);
  }

  importMemory(c: Cursor, index: number, site: ImportSite, span: SList): void {
    const memory = memoryType(c, this.seen);
    c.expectEnd('an imported memory');
    this.recordImport(site, { kind: 'memory', memory }, index, span);
  }

  /** After the global type, which an inline import's field reads before it knows it is an import. */
  importGlobal(c: Cursor, index: number, global: GlobalType, site: ImportSite, span: SList): void {
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
  recordImport(site: ImportSite, type: ImportType, index: number, span: SList, id?: SAtom): void {
    this.addImport(site.module, site.name, type, index, site.list);
    switch (type.kind) {
      case 'func':
        return addFunction(this.facts, index, id, type.signature, true, this.span(span));
      case 'table':
        this.facts.tables.push(entityFact(type.table, index, true, this.span(span)));
        return;
      case 'memory':
        this.facts.memories.push(entityFact(type.memory, index, true, this.span(span)));
        return;
      case 'global':
        this.facts.globals.push(entityFact(type.global, index, true, this.span(span)));
        return;
      case 'tag':
        return; // tags have no entity facts
    }
  }

  exportField(field: SList): void {
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

  private span(node: SNode) {
    return this.lines.span(node.start, node.end);
  }
}
