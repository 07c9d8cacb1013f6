/**
 * Exact byte offsets for the module-level lines of a disassembly. wasmparser records for each line
 * the reader's position when the line was finished, which for a global or a data segment is the end
 * of its entry; findings point at the start of entries. The module facts (our own reader) know where
 * every entry starts, and the disassembler prints entries in file order, so the n-th `(global` line
 * gets the n-th global's offset. Custom sections, which wasmparser does not print, become notes.
 */
import { dataSegmentTable } from '../module/lazyDataSegments';
import type { ModuleFacts, SectionFact } from '../module/model';
import type { SourceLocation } from '../location';
import { formatCount, hex } from './viewBuilder';

export interface CustomSectionNote {
  offset: number;
  text: string;
}

export class LinePlacement {
  private readonly queues = new Map<string, number[]>();
  private readonly customSections: SectionFact[];

  constructor(facts: ModuleFacts) {
    const starts = (locations: SourceLocation[]): number[] =>
      locations.flatMap((l) => (l.kind === 'binary' ? [l.offset] : []));
    this.queues.set('import', starts(facts.imports.map((i) => i.location)));
    this.queues.set('func', starts(facts.functions.filter((f) => !f.imported).map((f) => f.location)));
    this.queues.set('memory', starts(facts.memories.filter((m) => !m.imported).map((m) => m.location)));
    this.queues.set('table', starts(facts.tables.filter((t) => !t.imported).map((t) => t.location)));
    this.queues.set('global', starts(facts.globals.filter((g) => !g.imported).map((g) => g.location)));
    this.queues.set('export', starts(facts.exports.map((e) => e.location)));
    this.queues.set('elem', starts(facts.elementSegments.map((e) => e.location)));
    // Entry starts straight from a binary's table: no segment objects built just for them.
    const table = dataSegmentTable(facts);
    this.queues.set(
      'data',
      table
        ? Array.from({ length: table.length }, (_, row) => table.entryStart(row))
        : starts(facts.dataSegments.map((d) => d.location)),
    );
    this.queues.set('start', facts.start ? starts([facts.start.location]) : []);
    this.customSections = (facts.sections ?? []).filter((s) => s.id === 0);
  }

  /** The offset to record for a line the disassembler printed at `offset`. */
  place(text: string, offset: number): number {
    const field = /^ {2}\((\w+)/.exec(text);
    if (!field) return offset;
    const kind = text.includes(' (import "') ? 'import' : field[1];
    const next = this.queues.get(kind)?.shift();
    return next ?? offset;
  }

  /** Notes for the custom sections that start before `offset` and have not been noted yet. */
  customSectionsBefore(offset: number): CustomSectionNote[] {
    const notes: CustomSectionNote[] = [];
    while (this.customSections.length > 0 && this.customSections[0].offset < offset) {
      const s = this.customSections.shift()!;
      notes.push({
        offset: s.offset,
        text: `custom section ${JSON.stringify(s.name)} at ${hex(s.offset)}, ${formatCount(s.size)} bytes`,
      });
    }
    return notes;
  }
}
