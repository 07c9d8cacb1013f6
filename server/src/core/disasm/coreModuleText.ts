/**
 * Prints one core module as text with wasmparser's disassembler, fed a chunk at a time so memory
 * stays bounded on large modules: after each chunk the finished lines are drained into the view,
 * where function bodies are cut to the view's limits. Decoding errors end the printout with a note
 * at the offending byte instead of an exception.
 */
import { BinaryReader, type INameResolver } from 'wasmparser';
import {
  DevToolsNameGenerator,
  WasmDisassembler,
  type IDisassemblerResult,
} from 'wasmparser/dist/cjs/WasmDis';
import { readCoreModule } from '../module/coreModule';
import type { ModuleFacts } from '../module/model';
import { LinePlacement } from './linePlacement';
import { saneInput } from './saneInput';
import { formatCount, hex, indentOf, type ViewBuilder } from './viewBuilder';

/** Bytes handed to the disassembler per step; between steps a caller may yield to other work. */
const CHUNK_BYTES = 16 * 1024;

export interface DisassemblyError {
  message: string;
  offset: number;
}

interface BodyRange {
  start: number;
  end: number;
}

/**
 * Appends the text of the core module in bytes[start, end) to `out`, each line prefixed by
 * `indent`. A generator: it yields after every chunk. Returns the first decoding error, if any.
 */
export function* printCoreModule(
  buffer: ArrayBuffer,
  start: number,
  end: number,
  indent: string,
  out: ViewBuilder,
): Generator<void, DisassemblyError | null> {
  const facts = readCoreModule(new Uint8Array(buffer), start, end);
  // wasmparser sees only what our bounded reader found sane (see saneInput.ts).
  const sane = saneInput(buffer, start, end, facts);
  const moduleEnd = end;
  buffer = sane.buffer;
  end = sane.end;
  const printer = new LinePrinter(facts, indent, out);
  const disassembler = new WasmDisassembler();
  disassembler.addOffsets = true;
  disassembler.skipTypes = false;
  const names = readNames(buffer, start, end);
  if (names) disassembler.nameResolver = names;

  const reader = new BinaryReader();
  let available = start;
  let position = start;
  for (;;) {
    available = Math.min(end, available + CHUNK_BYTES);
    reader.setData(buffer, position, available, available === end);
    let done: boolean;
    try {
      done = disassembler.disassembleChunk(reader);
    } catch (error) {
      drainSafely(printer, disassembler);
      printer.finish(false);
      const failure =
        sane.cut && reader.position >= end
          ? sane.cut
          : explainFailure(facts, errorMessage(error), reader.position, moduleEnd);
      return noteFailure(out, indent, failure);
    }
    printer.drain(disassembler.getResult());
    position = reader.position;
    if (done) break;
    if (available === end) {
      // wasmparser stops without an error when the module's own end marker is missing.
      printer.finish(false);
      if (sane.cut) return noteFailure(out, indent, sane.cut);
      const failure = { message: 'unexpected end of the module', offset: end };
      out.note(indent, `error: ${failure.message} at byte ${hex(end)}`, end);
      return failure;
    }
    yield;
  }
  if (sane.cut) {
    // The module's sane part ended cleanly at the cut: say why the rest is not shown.
    printer.finish(false);
    return noteFailure(out, indent, sane.cut);
  }
  printer.finish();
  return null;
}

function noteFailure(out: ViewBuilder, indent: string, failure: DisassemblyError): DisassemblyError {
  out.note(
    indent,
    `error: cannot disassemble further at byte ${hex(failure.offset)}: ${failure.message}`,
    failure.offset,
  );
  return failure;
}

/** Drains what was printed before a failure; a printer that fails again adds nothing more. */
function drainSafely(printer: LinePrinter, disassembler: WasmDisassembler): void {
  try {
    printer.drain(disassembler.getResult());
  } catch {
    // the note at the failure says where printing stopped
  }
}

/** Where each function body's instructions are, from the module facts (bodies are not decoded). */
function functionBodies(facts: ModuleFacts): BodyRange[] {
  const bodies: BodyRange[] = [];
  for (const f of facts.functions) {
    if (f.bodyOffset !== undefined && f.bodySize !== undefined)
      bodies.push({ start: f.bodyOffset, end: f.bodyOffset + f.bodySize });
  }
  return bodies.sort((a, b) => a.start - b.start);
}

/**
 * Names for functions, globals, memories and so on: the name section's where it has them,
 * otherwise derived from imports and exports (`$env.memory`, `$main`), as browser dev tools do.
 */
function readNames(buffer: ArrayBuffer, start: number, end: number): INameResolver | null {
  try {
    const reader = new BinaryReader();
    reader.setData(buffer, start, end);
    const generator = new DevToolsNameGenerator();
    generator.read(reader);
    return generator.getNameResolver();
  } catch {
    return null; // a broken name or export section: fall back to numbered names
  }
}

/**
 * Passes the disassembler's lines to the view: module-level lines at their entries' exact offsets,
 * custom sections as notes, function bodies cut to the view's limits.
 */
class LinePrinter {
  private body = 0;
  private keptInBody = 0;
  private omittedInBody = 0;
  private firstOmitted = 0;
  private omittedIndent = '';
  private omittedForTotal = false;

  private readonly bodies: BodyRange[];
  private readonly placement: LinePlacement;

  constructor(
    facts: ModuleFacts,
    private readonly indent: string,
    private readonly out: ViewBuilder,
  ) {
    this.bodies = functionBodies(facts);
    this.placement = new LinePlacement(facts);
  }

  drain(result: IDisassemblerResult): void {
    const offsets = result.offsets ?? [];
    result.lines.forEach((line, i) => this.line(line, offsets[i] ?? 0));
  }

  /** Ends the printout; custom sections not yet noted are noted unless printing failed. */
  finish(complete = true): void {
    this.flushOmitted();
    if (complete) this.customSections(Number.POSITIVE_INFINITY);
  }

  private customSections(before: number): void {
    for (const note of this.placement.customSectionsBefore(before))
      this.out.note(this.indent + '  ', note.text, note.offset);
  }

  private line(text: string, printedAt: number): void {
    const offset = this.placement.place(text, printedAt);
    while (this.body < this.bodies.length && offset >= this.bodies[this.body].end) {
      this.flushOmitted();
      this.body++;
      this.keptInBody = 0;
    }
    // A function's closing ")" is printed at its `end` opcode, inside the body, but always shown.
    const closesFunction = text === '  )';
    const inBody =
      !closesFunction && this.body < this.bodies.length && offset >= this.bodies[this.body].start;
    if (closesFunction) this.flushOmitted();
    if (!inBody) {
      // The module's closing ")" is printed at the end of the file: custom sections come before it.
      this.customSections(text === ')' ? Number.POSITIVE_INFINITY : offset);
      this.out.push(this.indent + text, offset);
      return;
    }
    const limits = this.out.limits;
    const overTotal = this.out.functionLines >= limits.maxFunctionLines;
    if (!overTotal && this.keptInBody < limits.maxLinesPerFunction) {
      this.out.push(this.indent + text, offset);
      this.out.functionLines++;
      this.keptInBody++;
      return;
    }
    if (this.omittedInBody === 0) {
      this.firstOmitted = offset;
      this.omittedIndent = indentOf(text);
      this.omittedForTotal = overTotal;
    }
    this.omittedInBody++;
    this.out.omittedLines++;
  }

  /** Replaces the omitted lines of the current body with one note at the first omitted byte. */
  private flushOmitted(): void {
    if (this.omittedInBody === 0) return;
    const limits = this.out.limits;
    const why = this.omittedForTotal
      ? `the view shows at most ${formatCount(limits.maxFunctionLines)} lines of function bodies in all`
      : `the view shows at most ${formatCount(limits.maxLinesPerFunction)} lines per function`;
    const lines = this.omittedInBody === 1 ? 'line' : 'lines';
    const what = this.keptInBody === 0 ? `${lines} of this function` : `more ${lines} of this function`;
    this.out.note(
      this.indent + this.omittedIndent,
      `… ${formatCount(this.omittedInBody)} ${what} not shown (${why}), from byte ${hex(this.firstOmitted)}`,
      this.firstOmitted,
    );
    this.omittedInBody = 0;
  }
}

/**
 * wasmparser trusts a body's declared size and reads past the end of a truncated file, then reports
 * "Unknown operator: undefined". Our own reader's account of such a module is located and worded
 * for users, so it is preferred there.
 */
function explainFailure(facts: ModuleFacts, message: string, offset: number, end: number): DisassemblyError {
  const ranPastEnd = offset >= end || message.includes('undefined');
  const problem = facts.problems.find((p) => p.location.kind === 'binary');
  if (ranPastEnd && problem?.location.kind === 'binary')
    return { message: problem.message, offset: problem.location.offset };
  const opcode = /^Unknown operator: (\d+)$/.exec(message);
  if (opcode) return { message: `unknown opcode 0x${Number(opcode[1]).toString(16)}`, offset };
  return { message, offset: Math.min(offset, end) };
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim() || 'unknown decoding error';
}
