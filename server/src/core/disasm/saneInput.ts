/**
 * What wasmparser may be shown of a core module. wasmparser trusts counts: a function or memory
 * section, or a `name` subsection, claiming 0xFFFFFFFF entries in a 15-byte module makes it loop
 * billions of times past the end of the data, and a body declaring 0xFFFFFFFF locals makes its
 * printer build one line without end. So, before it sees anything, our own bounded reader decides:
 * - the module is cut before the first section our reader found malformed (its problem becomes
 *   the view's located note), and before the first body whose local declarations do not fit;
 * - custom sections are renamed in a copy (same length, so every offset stays), because the view
 *   notes them itself and wasmparser parses `name`, `linking` and `reloc.*` ones unbounded; only a
 *   `name` section every count of which fits in the bytes left keeps its name (for the names).
 */
import { ByteReader, MalformedError } from '../module/byteReader';
import type { ModuleFacts } from '../module/model';

/** Engines reject a function with more locals than this (V8 and SpiderMonkey agree). */
export const MAX_FUNCTION_LOCALS = 50_000;

export interface SaneInput {
  /** The bytes to give wasmparser: the module's own, or a copy with custom sections renamed. */
  buffer: ArrayBuffer;
  /** Where wasmparser must stop (≤ the module's end). */
  end: number;
  /** Why it stops before the module's end, located in the file. */
  cut?: { message: string; offset: number };
}

export function saneInput(buffer: ArrayBuffer, start: number, end: number, facts: ModuleFacts): SaneInput {
  const bytes = new Uint8Array(buffer);
  let cut = firstBrokenSection(facts, start, end);
  const bodies = firstBadBody(bytes, facts, cut?.stop ?? end);
  if (bodies) cut = bodies;
  else if (cut) cut.stop = wholeBodiesOfCutCode(bytes, facts, start, cut.stop, end) ?? cut.stop;
  const stop = cut?.stop ?? end;
  const customs = (facts.sections ?? []).filter(
    (s) =>
      s.id === 0 &&
      s.offset < stop &&
      !(s.name === 'name' && nameSectionFits(bytes, s.payloadOffset, s.offset + s.size)),
  );
  let copy = buffer;
  if (customs.length > 0) {
    const renamed = new Uint8Array(bytes.length);
    renamed.set(bytes);
    for (const section of customs) {
      // The name's bytes sit right before the payload; its length is the name's UTF-8 length.
      const nameLength = Buffer.byteLength(section.name, 'utf8');
      renamed.fill(0x2e, section.payloadOffset - nameLength, section.payloadOffset); // "...."
    }
    copy = renamed.buffer;
  }
  return cut
    ? { buffer: copy, end: stop, cut: { message: cut.message, offset: cut.offset } }
    : { buffer: copy, end };
}

/** A problem at `offset`; wasmparser stops at `stop` (the start of what holds it). */
interface Cut {
  message: string;
  offset: number;
  stop: number;
}

/** The first problem our reader found outside custom sections; the cut is at its section's start. */
function firstBrokenSection(facts: ModuleFacts, start: number, end: number): Cut | undefined {
  const sections = facts.sections ?? [];
  for (const problem of facts.problems) {
    if (problem.severity !== 'error' || problem.location.kind !== 'binary') continue;
    const at = problem.location.offset;
    if (at < start || at > end) continue;
    // A problem at a section's very end (a count running past it) belongs to that section.
    const section = sections.find((s) => at >= s.offset && at <= s.offset + s.size);
    if (section?.id === 0) continue; // a broken custom section never stops the module
    return {
      message: problem.message,
      offset: Math.min(at, end),
      stop: section ? section.offset : Math.min(at, end),
    };
  }
  return undefined;
}

/** The first function body (before `stop`) whose local declarations do not fit or are too many. */
function firstBadBody(bytes: Uint8Array, facts: ModuleFacts, stop: number): Cut | undefined {
  for (const fn of facts.functions) {
    if (fn.bodyOffset === undefined || fn.bodySize === undefined || fn.location.kind !== 'binary') continue;
    if (fn.location.offset >= stop) break;
    const r = new ByteReader(bytes, fn.bodyOffset, fn.bodyOffset + fn.bodySize);
    try {
      const groups = r.count(2); // each declaration: a count and a type
      let total = 0;
      for (let g = 0; g < groups; g++) {
        total += r.varU32();
        if (total > MAX_FUNCTION_LOCALS)
          r.fail(
            `declares more than ${MAX_FUNCTION_LOCALS.toLocaleString('en-US')} locals, more than engines allow`,
            fn.bodyOffset,
          );
        skipValueType(r);
      }
    } catch (error) {
      if (!(error instanceof MalformedError)) throw error;
      return {
        message: `function ${fn.index}: ${error.message}`,
        offset: error.offset,
        stop: fn.location.offset,
      };
    }
  }
  return undefined;
}

/**
 * A module cut short inside its code section (a truncated download) still shows the bodies that
 * are whole: where our reader gave up on the section, this reads its bodies up to the file's end,
 * bounded, and returns the end of the last whole one whose locals are sane.
 */
function wholeBodiesOfCutCode(
  bytes: Uint8Array,
  facts: ModuleFacts,
  start: number,
  stop: number,
  end: number,
): number | undefined {
  const sections = facts.sections ?? [];
  const last = sections[sections.length - 1];
  const header = last ? last.offset + last.size : start + 8;
  if (header >= stop || bytes[header] !== 10) return undefined;
  const r = new ByteReader(bytes, header + 1, end);
  let wholeEnd: number | undefined;
  try {
    r.varU32(); // the section size that runs past the end
    const count = r.varU32();
    for (let i = 0; i < count; i++) {
      const size = r.varU32();
      if (size > r.remaining) break;
      const body = new ByteReader(bytes, r.pos, r.pos + size);
      const groups = body.count(2);
      let total = 0;
      for (let g = 0; g < groups && total <= MAX_FUNCTION_LOCALS; g++) {
        total += body.varU32();
        skipValueType(body);
      }
      if (total > MAX_FUNCTION_LOCALS) break;
      r.pos += size;
      wholeEnd = r.pos;
    }
  } catch (error) {
    if (!(error instanceof MalformedError)) throw error;
  }
  return wholeEnd;
}

/** A value type: one byte, or a reference type with a heap type (a signed LEB128 index). */
function skipValueType(r: ByteReader): void {
  const code = r.u8();
  if (code === 0x63 || code === 0x64) r.skipVarInt(33);
}

/**
 * Whether every count in a `name` section payload [start, end) fits in the bytes left: the
 * module name, then subsections of (id, size, payload) where name maps and indirect name maps
 * are read as the spec lays them out. Unknown subsections are skipped by their size.
 */
export function nameSectionFits(bytes: Uint8Array, start: number, end: number): boolean {
  const r = new ByteReader(bytes, start, end);
  try {
    while (!r.atEnd()) {
      const id = r.u8();
      const size = r.varU32();
      if (size > r.remaining) return false;
      const sub = new ByteReader(bytes, r.pos, r.pos + size);
      r.pos += size;
      if (id === 0) sub.skip(sub.varU32());
      else if (id === 2 || id === 3 || id === 10) {
        const outer = sub.count(2);
        for (let i = 0; i < outer; i++) {
          sub.varU32();
          skipNameMap(sub);
        }
      } else if (id <= 11) skipNameMap(sub);
      else continue;
      if (!sub.atEnd()) return false;
    }
    return true;
  } catch (error) {
    if (error instanceof MalformedError) return false;
    throw error;
  }
}

function skipNameMap(r: ByteReader): void {
  const n = r.count(2); // an index and a name length at least
  for (let i = 0; i < n; i++) {
    r.varU32();
    r.skip(r.varU32());
  }
}
