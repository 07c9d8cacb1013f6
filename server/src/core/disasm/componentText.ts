/**
 * The text of a component, printed the way `wasm-tools print` writes it: every section in file
 * order, each entry with its index in its space (`(;3;)`), types with their definitions (instance
 * types with their declarations), aliases, canonical lifts and lowers, core instances, imports and
 * exports. Core modules inside are printed by the core disassembler; nested components the same way
 * as the outer one. Every line records the byte offset of the entry it shows, so a finding located
 * inside an import, a type or a canonical function lands on that line.
 *
 * Decoding is bounded like the readers: every read stays inside its section, counts are checked
 * against the bytes left, nesting is capped. A malformed section gets a note at the bad byte and
 * printing goes on with the next section (whose size is known).
 */
import { MAX_NESTING, readSectionHeader, SECTION_NAMES } from '../module/component';
import { ByteReader, MalformedError } from '../module/byteReader';
import { MAX_TYPE_NESTING, readExternName } from '../component/names';
import { CANON_BUILTINS } from '../component/spaces';
import { PRIMITIVES } from '../component/types';
import { printCoreModule, type DisassemblyError } from './coreModuleText';
import { formatCount, hex, type ViewBuilder } from './viewBuilder';

const STEP = '  ';

const CORE_SORTS: Record<number, string> = {
  0x00: 'func',
  0x01: 'table',
  0x02: 'memory',
  0x03: 'global',
  0x04: 'tag',
  0x10: 'type',
  0x11: 'module',
  0x12: 'instance',
};

const SORTS = ['', 'func', 'value', 'type', 'component', 'instance'];

const CORE_VALUE_TYPES: Record<number, string> = {
  0x7f: 'i32',
  0x7e: 'i64',
  0x7d: 'f32',
  0x7c: 'f64',
  0x7b: 'v128',
  0x70: 'funcref',
  0x6f: 'externref',
};

const STRING_ENCODINGS = ['string-encoding=utf8', 'string-encoding=utf16', 'string-encoding=latin1+utf16'];

/** Counters of one index space per sort ("func", "core func", "type", …) in one scope. */
class IndexSpaces {
  private readonly next = new Map<string, number>();

  take(space: string): number {
    const n = this.next.get(space) ?? 0;
    this.next.set(space, n + 1);
    return n;
  }
}

/** One line of text with the byte it was printed from. */
interface Line {
  text: string;
  offset: number;
}

/**
 * Component-level lines (types, imports, aliases… not core module bodies) shown in one view. Real
 * components have hundreds; a hostile one packing a million one-byte types would otherwise make a
 * million lines. Past the budget, entries are still decoded (bounded by their bytes) but not kept.
 */
export const MAX_COMPONENT_LINES = 100_000;

/** Where a section's lines go, within the view's budget of component-level lines. */
class LineSink {
  readonly lines: Line[] = [];
  omitted = 0;

  constructor(private readonly budget: { left: number }) {}

  push(line: Line): void {
    if (this.budget.left > 0) {
      this.budget.left--;
      this.lines.push(line);
    } else this.omitted++;
  }
}

/**
 * Appends the text of the component in bytes[start, end) to `out`. `label` names it in its
 * parent (`(;0;)`); the outermost component has none. Returns the first decoding problem.
 */
export function* printComponent(
  bytes: Uint8Array,
  buffer: ArrayBuffer,
  start: number,
  end: number,
  indent: string,
  out: ViewBuilder,
  label = '',
  depth = 0,
  budget = { left: MAX_COMPONENT_LINES },
): Generator<void, DisassemblyError | null> {
  out.push(`${indent}(component${label}`, start);
  const inner = indent + STEP;
  const spaces = new IndexSpaces();
  let firstError: DisassemblyError | null = null;
  const fail = (error: unknown, fallback: number): void => {
    const problem =
      error instanceof MalformedError
        ? { message: error.message, offset: error.offset }
        : { message: `could not print further (${String(error)})`, offset: fallback };
    out.note(inner, `error at byte ${hex(problem.offset)}: ${problem.message}`, problem.offset);
    firstError ??= problem;
  };
  const r = new ByteReader(bytes, start + 8, end);
  while (!r.atEnd()) {
    const sectionStart = r.pos;
    let id: number;
    let payloadEnd: number;
    try {
      ({ id, payloadEnd } = readSectionHeader(r));
    } catch (error) {
      fail(error, sectionStart);
      break;
    }
    const payloadStart = r.pos;
    r.pos = payloadEnd;
    if (id === 1) {
      const label = ` (;${spaces.take('core module')};)`;
      const first = out.lines.length;
      const error = yield* printCoreModule(buffer, payloadStart, payloadEnd, inner, out);
      // The core printer writes `(module`; inside a component it is a `(core module (;n;)`.
      if (out.lines[first]?.startsWith(`${inner}(module`))
        out.lines[first] = `${inner}(core module${label}${out.lines[first].slice(inner.length + 7)}`;
      firstError ??= error;
      continue;
    }
    if (id === 4) {
      const label = ` (;${spaces.take('component')};)`;
      if (depth >= MAX_NESTING) {
        fail(
          new MalformedError(sectionStart, `components nested more than ${MAX_NESTING} deep`),
          sectionStart,
        );
        continue;
      }
      const error = yield* printComponent(
        bytes,
        buffer,
        payloadStart,
        payloadEnd,
        inner,
        out,
        label,
        depth + 1,
        budget,
      );
      firstError ??= error;
      continue;
    }
    const section = new ByteReader(bytes, payloadStart, payloadEnd);
    const sink = new LineSink(budget);
    try {
      if (id === 0) customSection(section, sectionStart, payloadEnd, sink);
      else {
        const printer = new SectionPrinter(section, spaces, sink);
        if (!printer.section(id)) section.fail(`malformed component section id ${id}`, sectionStart);
      }
    } catch (error) {
      emit(out, inner, sink);
      fail(error, section.pos);
      continue;
    }
    emit(out, inner, sink);
    yield;
  }
  const close = firstError ? Math.max(r.pos, start) : end;
  out.push(`${indent})`, Math.min(close, end));
  return firstError;
}

function emit(out: ViewBuilder, indent: string, sink: LineSink): void {
  for (const line of sink.lines) {
    if (line.text.startsWith(';; ')) out.note(indent, line.text.slice(3), line.offset);
    else out.push(indent + line.text, line.offset);
  }
  if (sink.omitted > 0) {
    const last = sink.lines.length > 0 ? sink.lines[sink.lines.length - 1].offset : 0;
    out.note(
      indent,
      `${formatCount(sink.omitted)} more lines of this section are not shown (the view shows at most ${formatCount(MAX_COMPONENT_LINES)} lines of component types, imports, aliases and instances)`,
      last,
    );
  }
}

function customSection(r: ByteReader, sectionStart: number, end: number, lines: LineSink): void {
  const name = r.name();
  lines.push({
    text: `;; custom section ${JSON.stringify(name)} at ${hex(sectionStart)}, ${formatCount(end - sectionStart)} bytes`,
    offset: sectionStart,
  });
}

/** Prints the entries of one section (or one type's declarations) into `lines`. */
class SectionPrinter {
  constructor(
    private readonly r: ByteReader,
    private readonly spaces: IndexSpaces,
    private readonly lines: LineSink,
    private readonly indent = '',
  ) {}

  private line(text: string, offset: number): void {
    this.lines.push({ text: this.indent + text, offset });
  }

  private label(space: string): string {
    return `(;${this.spaces.take(space)};)`;
  }

  section(id: number): boolean {
    const r = this.r;
    if (SECTION_NAMES[id] === undefined) return false;
    if (id === 12) {
      this.line(`;; value section, ${formatCount(r.end - r.pos)} bytes (values are not printed)`, r.pos);
      return true;
    }
    if (id === 9) {
      this.start();
      return true;
    }
    const n = r.count(id === 8 || id === 6 ? 2 : 1);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      if (id === 2) this.instanceEntry(at, true);
      else if (id === 3) this.coreType(at, `(core type ${this.label('core type')}`, 0);
      else if (id === 5) this.instanceEntry(at, false);
      else if (id === 6) this.alias(at);
      else if (id === 7) this.type(at, `(type ${this.label('type')}`, 0);
      else if (id === 8) this.canon(at);
      else if (id === 10) this.import(at);
      else this.export(at);
    }
    if (!r.atEnd()) r.fail(`${SECTION_NAMES[id]} section has ${r.end - r.pos} bytes left over`);
    return true;
  }

  /** `(with …)` or `(export …)` lines inside a parenthesised head, closed on their own line. */
  private block(head: string, at: number, items: Line[]): void {
    if (items.length === 0) {
      this.line(`${head})`, at);
      return;
    }
    this.line(head, at);
    for (const item of items) this.line(`${STEP}${item.text}`, item.offset);
    this.line(')', items[items.length - 1].offset);
  }

  /** `(instantiate n` with its `(with …)` arguments, as wasm-tools lays it out. */
  private instantiate(head: string, at: number, target: number, args: Line[]): void {
    if (args.length === 0) {
      this.line(`${head} (instantiate ${target}))`, at);
      return;
    }
    this.line(`${head} (instantiate ${target}`, at);
    for (const arg of args) this.line(`${STEP}${STEP}${arg.text}`, arg.offset);
    const last = args[args.length - 1].offset;
    this.line(`${STEP})`, last);
    this.line(')', last);
  }

  /** A counted list of entries, each read by `read` and printed at its own offset. */
  private entries(read: () => string): Line[] {
    const lines: Line[] = [];
    const n = this.r.count(3);
    for (let k = 0; k < n; k++) {
      const at = this.r.pos;
      lines.push({ text: read(), offset: at });
    }
    return lines;
  }

  /** A core instance or an instance: an instantiation with its arguments, or inline exports. */
  private instanceEntry(at: number, core: boolean): void {
    const r = this.r;
    const what = core ? 'core instance' : 'instance';
    const head = `(${what} ${this.label(what)}`;
    const tag = r.u8();
    if (tag === 0x00) {
      const target = r.varU32();
      const args = this.entries(
        () => `(with ${JSON.stringify(r.name())} ${core ? this.coreInstanceArgument() : this.sortIndex()})`,
      );
      this.instantiate(head, at, target, args);
    } else if (tag === 0x01) {
      const exports = this.entries(() => {
        const name = JSON.stringify(core ? r.name() : readExternName(r));
        return `(export ${name} ${core ? `(${this.coreSort()} ${r.varU32()})` : this.sortIndex()})`;
      });
      this.block(head, at, exports);
    } else r.fail(`malformed ${what} 0x${tag.toString(16)}`, at);
  }

  private coreInstanceArgument(): string {
    if (this.r.u8() !== 0x12)
      this.r.fail('malformed instantiation argument (expected an instance, 0x12)', this.r.pos - 1);
    return `(instance ${this.r.varU32()})`;
  }

  private coreSort(): string {
    const at = this.r.pos;
    const sort = CORE_SORTS[this.r.u8()];
    if (sort === undefined) this.r.fail(`malformed core sort 0x${this.r.bytes[at].toString(16)}`, at);
    return sort;
  }

  /** A sort: `func`, `core func`, … (the space its items are counted in). */
  private sort(): string {
    const at = this.r.pos;
    const byte = this.r.u8();
    if (byte === 0x00) return `core ${this.coreSort()}`;
    const sort = SORTS[byte];
    if (!sort) this.r.fail(`malformed sort 0x${byte.toString(16)}`, at);
    return sort;
  }

  /** A `sortidx` as `(func 3)` / `(core module 0)`. */
  private sortIndex(): string {
    const sort = this.sort();
    return `(${sort} ${this.r.varU32()})`;
  }

  private alias(at: number): void {
    const r = this.r;
    const sort = this.sort();
    const target = r.u8();
    if (target === 0x00 || target === 0x01) {
      const instance = r.varU32();
      const name = JSON.stringify(r.name());
      const core = target === 0x01 ? 'core ' : '';
      this.line(`(alias ${core}export ${instance} ${name} (${sort} ${this.label(sort)}))`, at);
    } else if (target === 0x02) {
      const count = r.varU32();
      const index = r.varU32();
      this.line(`(alias outer ${count} ${index} (${sort} ${this.label(sort)}))`, at);
    } else r.fail(`malformed alias target 0x${target.toString(16)}`, at);
  }

  private canon(at: number): void {
    const r = this.r;
    const op = r.u8();
    if (op === 0x00) {
      if (r.u8() !== 0x00) r.fail('malformed canon lift', at + 1);
      const coreFunc = r.varU32();
      const options = this.canonOptions();
      const type = r.varU32();
      this.line(
        `(func ${this.label('func')} (type ${type}) (canon lift (core func ${coreFunc})${options}))`,
        at,
      );
      return;
    }
    const label = this.label('core func');
    if (op === 0x01) {
      if (r.u8() !== 0x00) r.fail('malformed canon lower', at + 1);
      const func = r.varU32();
      this.line(`(core func ${label} (canon lower (func ${func})${this.canonOptions()}))`, at);
      return;
    }
    let text: string;
    if (op === 0x09) {
      const form = r.u8();
      let result = '';
      if (form === 0x00) result = ` (result ${this.valType()})`;
      else if (form === 0x01) r.u8();
      else r.fail(`malformed task.return result 0x${form.toString(16)}`, at + 1);
      text = `task.return${result}${this.canonOptions()}`;
    } else if (op === 0x0a || op === 0x0b) {
      r.u8();
      text = `${op === 0x0a ? 'context.get' : 'context.set'} i32 ${r.varU32()}`;
    } else if (op === 0x20 || op === 0x21) {
      const cancellable = r.u8() === 0x01 ? ' cancellable' : '';
      text = `${op === 0x20 ? 'waitable-set.wait' : 'waitable-set.poll'}${cancellable} (memory ${r.varU32()})`;
    } else if (op === 0x40) text = `thread.spawn-ref ${r.varU32()}`;
    else if (op === 0x41) text = `thread.spawn-indirect ${r.varU32()} (table ${r.varU32()})`;
    else {
      const builtin = CANON_BUILTINS[op] ?? r.fail(`malformed canonical function 0x${op.toString(16)}`, at);
      text = builtin.name;
      if (builtin.operands.startsWith('type')) text += ` ${r.varU32()}`;
      if (builtin.operands.endsWith('opts')) text += this.canonOptions();
      if (builtin.operands.endsWith('flag') && r.u8() === 0x01) text += ' async';
    }
    this.line(`(core func ${label} (canon ${text}))`, at);
  }

  private canonOptions(): string {
    const r = this.r;
    const n = r.count(1);
    let text = '';
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const opt = r.u8();
      if (opt <= 0x02) text += ` ${STRING_ENCODINGS[opt]}`;
      else if (opt === 0x03) text += ` (memory ${r.varU32()})`;
      else if (opt === 0x04) text += ` (realloc ${r.varU32()})`;
      else if (opt === 0x05) text += ` (post-return ${r.varU32()})`;
      else if (opt === 0x06) text += ' async';
      else if (opt === 0x07) text += ` (callback ${r.varU32()})`;
      else if (opt === 0x08) text += ` (core-type ${r.varU32()})`;
      else if (opt === 0x09) text += ' gc';
      else r.fail(`malformed canonical option 0x${opt.toString(16)}`, at);
    }
    return text;
  }

  private start(): void {
    const r = this.r;
    const at = r.pos;
    const func = r.varU32();
    const n = r.count(1);
    let args = '';
    for (let i = 0; i < n; i++) args += ` (value ${r.varU32()})`;
    const results = r.varU32();
    let resultText = '';
    for (let i = 0; i < results; i++) resultText += ` (result (value ${this.label('value')}))`;
    this.line(`(start ${func}${args}${resultText})`, at);
  }

  private import(at: number): void {
    const name = JSON.stringify(readExternName(this.r));
    this.line(`(import ${name} ${this.externDesc(true)})`, at);
  }

  private export(at: number): void {
    const r = this.r;
    const name = JSON.stringify(readExternName(r));
    const sort = this.sort();
    const index = r.varU32();
    const hasType = r.u8();
    let ascribed = '';
    if (hasType === 0x01) ascribed = ` ${this.externDesc(false)}`;
    else if (hasType !== 0x00) r.fail(`malformed export type flag 0x${hasType.toString(16)}`, r.pos - 1);
    // An export is a new item of its sort.
    this.line(`(export ${this.label(sort)} ${name} (${sort} ${index})${ascribed})`, at);
  }

  /**
   * An `externdesc`. Imports write their index inside (`(func (;0;) (type 2))`); exports write
   * it after `export` (`labelled` false: the caller takes the index).
   */
  private externDesc(labelled: boolean): string {
    const r = this.r;
    const at = r.pos;
    const tag = r.u8();
    const own = (space: string): string => (labelled ? ` ${this.label(space)}` : '');
    switch (tag) {
      case 0x00: {
        if (r.u8() !== 0x11) r.fail('malformed core module descriptor (expected 0x11)', at + 1);
        return `(core module${own('core module')} (type ${r.varU32()}))`;
      }
      case 0x01:
        return `(func${own('func')} (type ${r.varU32()}))`;
      case 0x04:
        return `(component${own('component')} (type ${r.varU32()}))`;
      case 0x05:
        return `(instance${own('instance')} (type ${r.varU32()}))`;
      case 0x02: {
        const label = own('value');
        const bound = r.u8();
        if (bound === 0x00) return `(value${label} (eq ${r.varU32()}))`;
        if (bound !== 0x01) r.fail(`malformed value bound 0x${bound.toString(16)}`, r.pos - 1);
        return `(value${label} ${this.valType()})`;
      }
      case 0x03: {
        const label = own('type');
        const bound = r.u8();
        if (bound === 0x00) return `(type${label} (eq ${r.varU32()}))`;
        if (bound === 0x01) return `(type${label} (sub resource))`;
        return r.fail(`malformed type bound 0x${bound.toString(16)}`, r.pos - 1);
      }
      default:
        return r.fail(`malformed extern descriptor 0x${tag.toString(16)}`, at);
    }
  }

  /** A `valtype`: a primitive name, or an index into the type space. */
  private valType(): string {
    const r = this.r;
    const at = r.pos;
    const value = r.varSint(33);
    if (value >= 0n) return String(value);
    const byte = Number(value) + 0x80;
    const name = PRIMITIVES[byte];
    if (name === undefined) r.fail(`malformed value type 0x${(byte & 0xff).toString(16)}`, at);
    return name;
  }

  private optionalValType(): string | null {
    const at = this.r.pos;
    const flag = this.r.u8();
    if (flag === 0x00) return null;
    if (flag !== 0x01) this.r.fail(`malformed option flag 0x${flag.toString(16)}`, at);
    return this.valType();
  }

  private labels(): string {
    const n = this.r.count(1);
    let text = '';
    for (let i = 0; i < n; i++) text += ` ${JSON.stringify(this.r.name())}`;
    return text;
  }

  /** A type definition: one line, or (instance and component types) a block of declarations. */
  private type(at: number, head: string, depth: number): void {
    const r = this.r;
    const tag = r.peekU8();
    if (tag === 0x41 || tag === 0x42) {
      r.u8();
      if (depth >= MAX_TYPE_NESTING) r.fail(`component types nested more than ${MAX_TYPE_NESTING} deep`, at);
      this.line(head, at);
      this.line(`${STEP}(${tag === 0x41 ? 'component' : 'instance'}`, r.pos - 1);
      const nested = new SectionPrinter(r, new IndexSpaces(), this.lines, this.indent + STEP + STEP);
      nested.declarations(tag === 0x41, depth + 1);
      this.line(`${STEP})`, r.pos);
      this.line(')', r.pos);
      return;
    }
    this.line(`${head} ${this.defType()})`, at);
  }

  private declarations(isComponent: boolean, depth: number): void {
    const r = this.r;
    const n = r.count(2);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const tag = r.u8();
      if (tag === 0x00) this.coreType(at, `(core type ${this.label('core type')}`, depth);
      else if (tag === 0x01) this.type(at, `(type ${this.label('type')}`, depth);
      else if (tag === 0x02) {
        const sort = this.sort();
        const target = r.u8();
        if (target !== 0x02)
          r.fail(`malformed alias in a type (only outer aliases, got 0x${target.toString(16)})`, at);
        const count = r.varU32();
        const index = r.varU32();
        this.line(`(alias outer ${count} ${index} (${sort} ${this.label(sort)}))`, at);
      } else if (tag === 0x03 && isComponent) {
        const name = JSON.stringify(readExternName(r));
        this.line(`(import ${name} ${this.externDesc(true)})`, at);
      } else if (tag === 0x04) {
        const name = JSON.stringify(readExternName(r));
        const descAt = r.pos;
        const space = descSpace(r.bytes[descAt]);
        const label = space ? ` (;${this.spaces.take(space)};)` : '';
        this.line(`(export${label} ${name} ${this.externDesc(false)})`, at);
      } else
        r.fail(
          `malformed ${isComponent ? 'component' : 'instance'} type declaration 0x${tag.toString(16)}`,
          at,
        );
    }
  }

  /** A non-declaration `deftype` on one line. */
  private defType(): string {
    const r = this.r;
    const at = r.pos;
    const tag = r.peekU8();
    if (tag === 0x40 || tag === 0x43) {
      r.u8();
      return this.funcType(tag === 0x43);
    }
    if (tag === 0x3f || tag === 0x3e) {
      r.u8();
      if (r.u8() !== 0x7f) r.fail('malformed resource representation (expected i32, 0x7f)', r.pos - 1);
      let text = '(resource (rep i32)';
      const dtor = this.optionalIndex();
      if (tag === 0x3e) text = '(resource async (rep i32)';
      if (dtor !== null) text += ` (dtor (func ${dtor}))`;
      if (tag === 0x3e) {
        const callback = this.optionalIndex();
        if (callback !== null) text += ` (callback (func ${callback}))`;
      }
      return `${text})`;
    }
    if (tag === 0x41 || tag === 0x42)
      return r.fail('instance or component type where a value type belongs', at);
    return this.defValType();
  }

  private optionalIndex(): number | null {
    const flag = this.r.u8();
    if (flag === 0x01) return this.r.varU32();
    if (flag !== 0x00) this.r.fail(`malformed option flag 0x${flag.toString(16)}`, this.r.pos - 1);
    return null;
  }

  private funcType(async: boolean): string {
    const r = this.r;
    let text = async ? '(func async' : '(func';
    const n = r.count(2);
    for (let i = 0; i < n; i++) {
      const name = JSON.stringify(r.name());
      text += ` (param ${name} ${this.valType()})`;
    }
    const at = r.pos;
    const form = r.u8();
    if (form === 0x00) text += ` (result ${this.valType()})`;
    else if (form === 0x01) {
      const m = r.count(2);
      for (let i = 0; i < m; i++) {
        const name = JSON.stringify(r.name());
        text += ` (result ${name} ${this.valType()})`;
      }
    } else r.fail(`malformed function result list 0x${form.toString(16)}`, at);
    return `${text})`;
  }

  private defValType(): string {
    const r = this.r;
    const at = r.pos;
    const tag = r.u8();
    const primitive = PRIMITIVES[tag];
    if (primitive !== undefined) return primitive;
    switch (tag) {
      case 0x72: {
        const n = r.count(2);
        let text = '(record';
        for (let i = 0; i < n; i++) {
          const name = JSON.stringify(r.name());
          text += ` (field ${name} ${this.valType()})`;
        }
        return `${text})`;
      }
      case 0x71: {
        const n = r.count(3);
        let text = '(variant';
        for (let i = 0; i < n; i++) {
          const name = JSON.stringify(r.name());
          const type = this.optionalValType();
          const refines = r.u8();
          let refined = '';
          if (refines === 0x01) refined = ` (refines ${r.varU32()})`;
          else if (refines !== 0x00) r.fail(`malformed variant case 0x${refines.toString(16)}`, r.pos - 1);
          text += ` (case ${name}${type === null ? '' : ` ${type}`}${refined})`;
        }
        return `${text})`;
      }
      case 0x70:
        return `(list ${this.valType()})`;
      case 0x67: {
        const element = this.valType();
        return `(list ${element} ${r.varU32()})`;
      }
      case 0x6f: {
        const n = r.count(1);
        let text = '(tuple';
        for (let i = 0; i < n; i++) text += ` ${this.valType()}`;
        return `${text})`;
      }
      case 0x6e:
        return `(flags${this.labels()})`;
      case 0x6d:
        return `(enum${this.labels()})`;
      case 0x6b:
        return `(option ${this.valType()})`;
      case 0x6a: {
        const ok = this.optionalValType();
        const error = this.optionalValType();
        return `(result${ok === null ? '' : ` ${ok}`}${error === null ? '' : ` (error ${error})`})`;
      }
      case 0x69:
        return `(own ${r.varU32()})`;
      case 0x68:
        return `(borrow ${r.varU32()})`;
      case 0x66:
      case 0x65: {
        const element = this.optionalValType();
        return `(${tag === 0x66 ? 'stream' : 'future'}${element === null ? '' : ` ${element}`})`;
      }
      default:
        return r.fail(`malformed component type 0x${tag.toString(16)}`, at);
    }
  }

  /** A core type: a function type on one line, a module type as a block of declarations. */
  private coreType(at: number, head: string, depth: number): void {
    const r = this.r;
    const tag = r.u8();
    if (tag === 0x60) {
      this.line(`${head} ${this.coreFuncType()})`, at);
      return;
    }
    if (tag !== 0x50) r.fail(`unsupported core type 0x${tag.toString(16)} in a component`, at);
    if (depth >= MAX_TYPE_NESTING) r.fail(`core module types nested more than ${MAX_TYPE_NESTING} deep`, at);
    this.line(head, at);
    this.line(`${STEP}(module`, at);
    const nested = new SectionPrinter(r, new IndexSpaces(), this.lines, this.indent + STEP + STEP);
    nested.moduleDeclarations(depth + 1);
    this.line(`${STEP})`, r.pos);
    this.line(')', r.pos);
  }

  private moduleDeclarations(depth: number): void {
    const r = this.r;
    const n = r.count(2);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const decl = r.u8();
      if (decl === 0x00) {
        const module = JSON.stringify(r.name());
        const name = JSON.stringify(r.name());
        this.line(`(import ${module} ${name} ${this.coreImportDesc()})`, at);
      } else if (decl === 0x01) this.coreType(at, `(type ${this.label('core type')}`, depth);
      else if (decl === 0x02) {
        const sort = this.coreSort();
        if (r.u8() !== 0x01) r.fail('malformed core alias in a module type', r.pos - 1);
        const count = r.varU32();
        const index = r.varU32();
        this.line(`(alias outer ${count} ${index} (${sort} ${this.label(`core ${sort}`)}))`, at);
      } else if (decl === 0x03) {
        const name = JSON.stringify(r.name());
        this.line(`(export ${name} ${this.coreImportDesc()})`, at);
      } else r.fail(`malformed module type declaration 0x${decl.toString(16)}`, at);
    }
  }

  private coreFuncType(): string {
    const params = this.coreValTypes();
    const results = this.coreValTypes();
    return `(func${params.length ? ` (param ${params.join(' ')})` : ''}${results.length ? ` (result ${results.join(' ')})` : ''})`;
  }

  private coreValTypes(): string[] {
    const n = this.r.count(1);
    const types: string[] = [];
    for (let i = 0; i < n; i++) types.push(this.coreValType());
    return types;
  }

  private coreValType(): string {
    const r = this.r;
    const at = r.pos;
    const b = r.u8();
    if (b === 0x63 || b === 0x64) {
      const heap = r.varSint(33);
      return `(ref${b === 0x63 ? ' null' : ''} ${heap >= 0n ? String(heap) : hex(Number(heap) + 0x80)})`;
    }
    return CORE_VALUE_TYPES[b] ?? r.fail(`malformed core value type 0x${b.toString(16)}`, at);
  }

  private coreImportDesc(): string {
    const r = this.r;
    const at = r.pos;
    const tag = r.u8();
    if (tag === 0x00) return `(func (type ${r.varU32()}))`;
    if (tag === 0x01) {
      const element = this.coreValType();
      return `(table ${this.limits()} ${element})`;
    }
    if (tag === 0x02) return `(memory ${this.limits()})`;
    if (tag === 0x03) {
      const type = this.coreValType();
      return r.u8() === 0x01 ? `(global (mut ${type}))` : `(global ${type})`;
    }
    if (tag === 0x04) {
      r.u8();
      return `(tag (type ${r.varU32()}))`;
    }
    return r.fail(`malformed core import descriptor 0x${tag.toString(16)}`, at);
  }

  private limits(): string {
    const r = this.r;
    const flags = r.u8();
    let text = String(r.varU64());
    if (flags & 0x01) text += ` ${r.varU64()}`;
    if (flags & 0x08) text += ` (pagesize ${2 ** r.varU32()})`;
    return text;
  }
}

/** The space an `externdesc` tag puts its item in. */
function descSpace(tag: number | undefined): string | undefined {
  return tag === undefined
    ? undefined
    : ['core module', 'func', 'value', 'type', 'component', 'instance'][tag];
}
