/**
 * Facts of one core WebAssembly module from its bytes, section by section, without decoding
 * function bodies (the code section is walked by body sizes only; `code.ts` decodes bodies lazily).
 * Never throws: a malformed section becomes an `invalid-module` finding at the offending byte, and
 * reading goes on with the next section when the broken one's bounds are known.
 */
import { ByteReader, MalformedError, exactNumber } from './byteReader';
import { parseFunctionNames, parseProducersSection, parseSignatureSection } from './customSections';
import { skipInstruction, PREFIX_GC } from './instructions';
import { DataSegmentTable } from './dataSegmentTable';
import { ENGINE_LIMITS } from './engineLimits';
import { attachDataSegments } from './lazyDataSegments';
import type {
  ElementSegmentFact,
  ExternKind,
  FuncSignature,
  GlobalType,
  ImportType,
  MemoryType,
  ModuleFacts,
  Proposal,
  TableType,
} from './model';
import { emptyModuleFacts } from './model';
import { readHeapType, readRefType, readStorageType, readValType, type ProposalSink } from './valueTypes';
import type { Finding } from '../findings';
import { byteSpan } from '../location';

export const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
export const CORE_VERSION = [0x01, 0x00, 0x00, 0x00];

/** Whether `bytes` has the 4-byte magic `\0asm` at `start` (a module or a component follows). */
export function hasWasmMagic(bytes: Uint8Array, start = 0): boolean {
  return bytes.length - start >= 4 && WASM_MAGIC.every((b, i) => bytes[start + i] === b);
}

const EXTERN_KINDS: ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];

/**
 * Rank of each known core module section id in the order the spec requires (custom sections, id 0,
 * may appear anywhere).
 */
export const CORE_SECTION_ORDER: Readonly<Record<number, number>> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
};
const SECTION_NAMES: Record<number, string> = {
  0: 'custom',
  1: 'type',
  2: 'import',
  3: 'function',
  4: 'table',
  5: 'memory',
  6: 'global',
  7: 'export',
  8: 'start',
  9: 'element',
  10: 'code',
  11: 'data',
  12: 'datacount',
  13: 'tag',
};

export function invalidModule(message: string, offset: number, fileEnd: number): Finding {
  return {
    ruleId: 'invalid-module',
    severity: 'error',
    message,
    location: byteSpan(offset, offset < fileEnd ? 1 : 0),
  };
}

export function emptyFacts(kind: ModuleFacts['kind'], start: number, end: number): ModuleFacts {
  return { ...emptyModuleFacts(kind, 'binary', byteSpan(start, end - start)), sections: [] };
}

/** Per-module reading state that sections share (type signatures, counts, proposals). */
class CoreReader {
  readonly facts: ModuleFacts;
  readonly seen: ProposalSink = new Set<Proposal>();
  private readonly types: Array<FuncSignature | null> = [];
  private definedFunctionTypes: number[] = [];
  private readonly tagTypes: number[] = [];
  private lastOrder = 0;
  private importedGlobals: number | undefined;
  /** Go modules have ~100,000 segments: columns, not objects (see dataSegmentTable.ts). */
  private dataSegments: DataSegmentTable | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.facts = emptyFacts('module', start, end);
  }

  read(): ModuleFacts {
    const r = new ByteReader(this.bytes, this.start, this.end);
    try {
      this.readPreamble(r);
    } catch (error) {
      this.report(error);
      return this.finish();
    }
    while (!r.atEnd()) {
      const sectionStart = r.pos;
      let payloadStart: number;
      let payloadEnd: number;
      let id: number;
      try {
        id = r.u8();
        const size = r.varU32();
        payloadStart = r.pos;
        if (size > r.remaining) {
          r.fail(
            `section size ${size} of the ${SECTION_NAMES[id] ?? `unknown (${id})`} section runs past the end of the module (${r.remaining} bytes left)`,
            sectionStart + 1,
          );
        }
        payloadEnd = payloadStart + size;
      } catch (error) {
        this.report(error);
        break; // without a section size there is no way to resync
      }
      try {
        this.readSection(id, sectionStart, payloadStart, payloadEnd);
      } catch (error) {
        this.report(error);
      }
      r.pos = payloadEnd;
    }
    return this.finish();
  }

  private readPreamble(r: ByteReader): void {
    if (r.remaining < 4) r.fail('unexpected end: a module starts with the 4-byte magic \\0asm', this.start);
    for (let i = 0; i < 4; i++) {
      if (this.bytes[this.start + i] !== WASM_MAGIC[i])
        r.fail('magic header not detected: this is not a WebAssembly binary (expected \\0asm)', this.start);
    }
    if (r.remaining < 8) r.fail('unexpected end: the version field is missing', this.start + 4);
    for (let i = 0; i < 4; i++) {
      if (this.bytes[this.start + 4 + i] !== CORE_VERSION[i]) {
        const version = Array.from(this.bytes.subarray(this.start + 4, this.start + 8), (b) =>
          b.toString(16).padStart(2, '0'),
        ).join(' ');
        r.fail(`unknown binary version ${version} (expected 01 00 00 00)`, this.start + 4);
      }
    }
    r.pos = this.start + 8;
  }

  private report(error: unknown): void {
    if (error instanceof MalformedError) {
      this.facts.problems.push(invalidModule(error.message, error.offset, this.end));
      return;
    }
    // A decoder bug must not take the caller down; report it at the module start.
    this.facts.problems.push(
      invalidModule(`internal error while reading the module: ${String(error)}`, this.start, this.end),
    );
  }

  private readSection(id: number, sectionStart: number, payloadStart: number, payloadEnd: number): void {
    const r = new ByteReader(this.bytes, payloadStart, payloadEnd);
    if (id === 0) {
      const name = r.name();
      this.facts.sections!.push({
        id,
        name,
        offset: sectionStart,
        size: payloadEnd - sectionStart,
        payloadOffset: r.pos,
      });
      this.readCustomSection(name, sectionStart, r.pos, payloadEnd);
      return;
    }
    const name = SECTION_NAMES[id];
    const order = CORE_SECTION_ORDER[id];
    if (name === undefined || order === undefined) r.fail(`malformed section id ${id}`, sectionStart);
    if (order <= this.lastOrder)
      r.fail(`unexpected ${name} section: sections out of order or duplicated`, sectionStart);
    this.lastOrder = order;
    this.facts.sections!.push({
      id,
      name,
      offset: sectionStart,
      size: payloadEnd - sectionStart,
      payloadOffset: payloadStart,
    });
    switch (id) {
      case 1:
        this.readTypes(r);
        break;
      case 2:
        this.readImports(r);
        break;
      case 3:
        this.readFunctionDeclarations(r);
        break;
      case 4:
        this.readTables(r);
        break;
      case 5:
        this.readMemories(r);
        break;
      case 13:
        this.readTags(r);
        break;
      case 6:
        this.readGlobals(r);
        break;
      case 7:
        this.readExports(r);
        break;
      case 8:
        this.readStart(r, sectionStart, payloadEnd);
        break;
      case 9:
        this.readElements(r);
        break;
      case 12:
        r.varU32();
        this.seen.add('bulk-memory');
        break;
      case 10:
        this.readCode(r, payloadEnd - payloadStart);
        break;
      case 11:
        this.readData(r);
        break;
    }
    if (!r.atEnd())
      r.fail(`section size mismatch: ${r.remaining} unread bytes at the end of the ${name} section`);
  }

  // ---- type section -------------------------------------------------------------------------

  /** The type section alone: each type's function signature (null for struct, array and others). */
  readTypesOnly(payloadStart: number, payloadEnd: number): Array<FuncSignature | null> {
    this.readTypes(new ByteReader(this.bytes, payloadStart, payloadEnd));
    return this.types;
  }

  private readTypes(r: ByteReader): void {
    const n = r.count(1, ENGINE_LIMITS.types);
    for (let i = 0; i < n; i++) {
      const form = r.peekU8();
      if (form === 0x4e) {
        r.pos++;
        this.seen.add('gc');
        const groupAt = r.pos;
        const groupSize = r.count(1);
        // The limit counts every type, those of recursion groups included.
        const total = this.types.length + groupSize + (n - i - 1);
        r.atMost(total, ENGINE_LIMITS.types, groupAt);
        for (let j = 0; j < groupSize; j++) this.readSubType(r);
      } else this.readSubType(r);
    }
  }

  private readSubType(r: ByteReader): void {
    const form = r.peekU8();
    if (form === 0x50 || form === 0x4f) {
      r.pos++;
      this.seen.add('gc');
      const supers = r.count(1);
      for (let k = 0; k < supers; k++) r.varU32();
    }
    this.types.push(this.readCompositeType(r));
  }

  private readCompositeType(r: ByteReader): FuncSignature | null {
    const at = r.pos;
    const form = r.u8();
    if (form === 0x60) {
      const params: string[] = [];
      const paramCount = r.count(1);
      for (let p = 0; p < paramCount; p++) params.push(readValType(r, this.seen));
      const results: string[] = [];
      const resultCount = r.count(1);
      for (let p = 0; p < resultCount; p++) results.push(readValType(r, this.seen));
      if (results.length > 1) this.seen.add('multi-value');
      return { params, results };
    }
    if (form === 0x5f) {
      this.seen.add('gc');
      const fields = r.count(2);
      for (let f = 0; f < fields; f++) {
        readStorageType(r, this.seen);
        this.readMutability(r);
      }
      return null;
    }
    if (form === 0x5e) {
      this.seen.add('gc');
      readStorageType(r, this.seen);
      this.readMutability(r);
      return null;
    }
    if (form === 0x5d) {
      this.seen.add('stack-switching');
      r.varU32();
      return null;
    }
    return r.fail(
      `malformed type form 0x${form.toString(16)} (expected a function, struct or array type)`,
      at,
    );
  }

  private readMutability(r: ByteReader): boolean {
    const at = r.pos;
    const m = r.u8();
    if (m > 1) r.fail(`malformed mutability ${m}`, at);
    return m === 1;
  }

  private importedGlobalCount(): number {
    // Imports precede every constant expression, so the count is final when it is asked for.
    this.importedGlobals ??= this.facts.globals.filter((g) => g.imported).length;
    return this.importedGlobals;
  }

  private signatureOf(typeIndex: number): FuncSignature | null {
    return this.types[typeIndex] ?? null;
  }

  // ---- limits and entity types --------------------------------------------------------------

  private readTableType(r: ByteReader): TableType {
    const scratch: ProposalSink = new Set();
    const elementType = readRefType(r, scratch);
    // funcref tables are MVP; anything else is reference types or later.
    for (const p of scratch) if (!(elementType === 'funcref' && p === 'reference-types')) this.seen.add(p);
    const at = r.pos;
    const flags = r.u8();
    if (flags & ~0x05) r.fail(`malformed table limits flags 0x${flags.toString(16)}`, at);
    const table64 = (flags & 0x04) !== 0;
    if (table64) this.seen.add('memory64');
    const initial = table64 ? r.varU64() : r.varU32();
    const maximum = flags & 0x01 ? (table64 ? r.varU64() : r.varU32()) : null;
    return { elementType, initial, maximum, table64 };
  }

  private readMemoryType(r: ByteReader): MemoryType {
    const at = r.pos;
    const flags = r.u8();
    if (flags & ~0x0f) r.fail(`malformed memory limits flags 0x${flags.toString(16)}`, at);
    const shared = (flags & 0x02) !== 0;
    const memory64 = (flags & 0x04) !== 0;
    const initial = memory64 ? r.varU64() : r.varU32();
    const maximum = flags & 0x01 ? (memory64 ? r.varU64() : r.varU32()) : null;
    let pageSize = 65536;
    if (flags & 0x08) {
      const log2At = r.pos;
      const log2 = r.varU32();
      if (log2 > 16) r.fail(`invalid custom page size 2^${log2}`, log2At);
      pageSize = 2 ** log2;
      this.seen.add('custom-page-sizes');
    }
    if (shared) this.seen.add('threads');
    if (memory64) this.seen.add('memory64');
    return { initial, maximum, shared, memory64, pageSize };
  }

  private readGlobalType(r: ByteReader): GlobalType {
    const valueType = readValType(r, this.seen);
    const mutable = this.readMutability(r);
    return { valueType, mutable };
  }

  // ---- import section -----------------------------------------------------------------------

  private readImports(r: ByteReader): void {
    const n = r.count(3, ENGINE_LIMITS.imports);
    const f = this.facts;
    for (let i = 0; i < n; i++) {
      const entryStart = r.pos;
      const module = r.name();
      const name = r.name();
      const kindAt = r.pos;
      const kindByte = r.u8();
      const kind = EXTERN_KINDS[kindByte];
      if (kind === undefined) r.fail(`malformed import kind ${kindByte}`, kindAt);
      let type: ImportType;
      let index: number;
      const location = () => byteSpan(entryStart, r.pos - entryStart);
      switch (kind) {
        case 'func': {
          const typeIndex = r.varU32();
          type = { kind, signature: this.signatureOf(typeIndex) };
          index = f.functions.length;
          f.functions.push({
            index,
            signature: type.signature,
            imported: true,
            exportedAs: [],
            location: location(),
          });
          break;
        }
        case 'table': {
          const table = this.readTableType(r);
          type = { kind, table };
          index = f.tables.length;
          f.tables.push({ ...table, index, imported: true, exportedAs: [], location: location() });
          break;
        }
        case 'memory': {
          const memory = this.readMemoryType(r);
          type = { kind, memory };
          index = f.memories.length;
          f.memories.push({ ...memory, index, imported: true, exportedAs: [], location: location() });
          break;
        }
        case 'global': {
          const global = this.readGlobalType(r);
          if (global.mutable) this.seen.add('mutable-globals');
          type = { kind, global };
          index = f.globals.length;
          f.globals.push({ ...global, index, imported: true, exportedAs: [], location: location() });
          break;
        }
        case 'tag': {
          this.seen.add('exceptions');
          const attrAt = r.pos;
          if (r.u8() !== 0) r.fail('malformed tag attribute (expected 0)', attrAt);
          const typeIndex = r.varU32();
          type = { kind, signature: this.signatureOf(typeIndex) };
          index = this.tagTypes.length;
          this.tagTypes.push(typeIndex);
          break;
        }
      }
      f.imports.push({ module, name, kind, type, index, location: location() });
    }
  }

  // ---- function, table, memory, tag, global sections ----------------------------------------

  private readFunctionDeclarations(r: ByteReader): void {
    const countAt = r.pos;
    const n = r.count(1);
    // The limit counts imported functions too.
    r.atMost(this.facts.functions.length + n, ENGINE_LIMITS.functions, countAt);
    this.definedFunctionTypes = [];
    for (let i = 0; i < n; i++) {
      const entryStart = r.pos;
      const typeIndex = r.varU32();
      this.definedFunctionTypes.push(typeIndex);
      const index = this.facts.functions.length;
      this.facts.functions.push({
        index,
        signature: this.signatureOf(typeIndex),
        imported: false,
        exportedAs: [],
        location: byteSpan(entryStart, r.pos - entryStart),
      });
    }
  }

  private readTables(r: ByteReader): void {
    const n = r.count(2, ENGINE_LIMITS.tables);
    for (let i = 0; i < n; i++) {
      const entryStart = r.pos;
      let table: TableType;
      if (r.peekU8() === 0x40) {
        // function-references: a table with an explicit initialiser
        r.pos++;
        const reserved = r.u8();
        if (reserved !== 0) r.fail('malformed table: expected 0x00 after 0x40', r.pos - 1);
        table = this.readTableType(r);
        this.readConstExpr(r);
        this.seen.add('function-references');
      } else table = this.readTableType(r);
      this.facts.tables.push({
        ...table,
        index: this.facts.tables.length,
        imported: false,
        exportedAs: [],
        location: byteSpan(entryStart, r.pos - entryStart),
      });
    }
  }

  private readMemories(r: ByteReader): void {
    const n = r.count(2, ENGINE_LIMITS.memories);
    for (let i = 0; i < n; i++) {
      const entryStart = r.pos;
      const memory = this.readMemoryType(r);
      this.facts.memories.push({
        ...memory,
        index: this.facts.memories.length,
        imported: false,
        exportedAs: [],
        location: byteSpan(entryStart, r.pos - entryStart),
      });
    }
  }

  private readTags(r: ByteReader): void {
    this.seen.add('exceptions');
    const n = r.count(2, ENGINE_LIMITS.tags);
    for (let i = 0; i < n; i++) {
      const attrAt = r.pos;
      if (r.u8() !== 0) r.fail('malformed tag attribute (expected 0)', attrAt);
      this.tagTypes.push(r.varU32());
    }
  }

  private readGlobals(r: ByteReader): void {
    const n = r.count(3, ENGINE_LIMITS.globals);
    for (let i = 0; i < n; i++) {
      const entryStart = r.pos;
      const global = this.readGlobalType(r);
      this.readConstExpr(r);
      this.facts.globals.push({
        ...global,
        index: this.facts.globals.length,
        imported: false,
        exportedAs: [],
        location: byteSpan(entryStart, r.pos - entryStart),
      });
    }
  }

  /**
   * Reads a constant expression up to its `end`. Returns its value when it is a plain
   * `i32.const`/`i64.const` (or extended-const arithmetic on constants), otherwise null.
   */
  private readConstExpr(r: ByteReader): number | null {
    // Fast path for the overwhelmingly common `i32.const N end`.
    const exprStart = r.pos;
    if (r.peekU8() === 0x41) {
      r.pos++;
      const value = r.varS32();
      if (r.pos < r.end && r.bytes[r.pos] === 0x0b) {
        r.pos++;
        return value >>> 0;
      }
      r.pos = exprStart;
    }
    const stack: Array<bigint | null> = [];
    let is64 = false;
    for (;;) {
      const at = r.pos;
      const op = r.u8();
      if (op === 0x0b) break;
      if (op === 0x41) {
        stack.push(BigInt(r.varS32())); // a number first: LEB128 bytes read as BigInts are slow
        continue;
      }
      if (op === 0x42) {
        is64 = true;
        stack.push(r.varSint(64));
        continue;
      }
      if (op === 0x6a || op === 0x6b || op === 0x6c || op === 0x7c || op === 0x7d || op === 0x7e) {
        this.seen.add('extended-const');
        const b = stack.pop() ?? null;
        const a = stack.pop() ?? null;
        const isAdd = op === 0x6a || op === 0x7c;
        const isSub = op === 0x6b || op === 0x7d;
        stack.push(a === null || b === null ? null : isAdd ? a + b : isSub ? a - b : a * b);
        continue;
      }
      if (
        op === 0x23 /* global.get */ ||
        op === 0xd2 /* ref.func */ ||
        op === 0xd0 /* ref.null */ ||
        op === 0x43 ||
        op === 0x44
      ) {
        if (op === 0xd0) readHeapType(r, this.seen);
        else if (op === 0x23) {
          // Reading a module-defined (not imported) global in a constant expression came with GC.
          const index = r.varU32();
          if (index >= this.importedGlobalCount()) this.seen.add('gc');
        } else skipInstruction(r, op);
        stack.push(null);
        continue;
      }
      if (op === PREFIX_GC || op === 0xfd) {
        if (op === PREFIX_GC) this.seen.add('gc');
        else this.seen.add('simd');
        skipInstruction(r, op);
        stack.push(null);
        continue;
      }
      r.fail(`constant expression required: opcode 0x${op.toString(16)} is not allowed here`, at);
    }
    if (stack.length !== 1) return null;
    const value = stack[0];
    // Offsets are addresses: read them unsigned, as the engine does.
    return value === null ? null : exactNumber(BigInt.asUintN(is64 ? 64 : 32, value));
  }

  // ---- export and start sections ------------------------------------------------------------

  private readExports(r: ByteReader): void {
    const n = r.count(3, ENGINE_LIMITS.exports);
    const f = this.facts;
    for (let i = 0; i < n; i++) {
      const entryStart = r.pos;
      const name = r.name();
      const kindAt = r.pos;
      const kindByte = r.u8();
      const kind = EXTERN_KINDS[kindByte];
      if (kind === undefined) r.fail(`malformed export kind ${kindByte}`, kindAt);
      const index = r.varU32();
      f.exports.push({ name, kind, index, location: byteSpan(entryStart, r.pos - entryStart) });
      if (kind === 'global') {
        const global = f.globals[index];
        if (global?.mutable) this.seen.add('mutable-globals');
      }
      if (kind === 'tag') this.seen.add('exceptions');
    }
  }

  private readStart(r: ByteReader, sectionStart: number, payloadEnd: number): void {
    const funcIndex = r.varU32();
    this.facts.start = { funcIndex, location: byteSpan(sectionStart, payloadEnd - sectionStart) };
  }

  // ---- element, code and data sections ------------------------------------------------------

  private readElements(r: ByteReader): void {
    const n = r.count(1, ENGINE_LIMITS.elementSegments);
    for (let i = 0; i < n; i++) {
      const entryStart = r.pos;
      const flagsAt = r.pos;
      const flags = r.varU32();
      if (flags > 7) r.fail(`malformed element segment flags ${flags}`, flagsAt);
      const passiveOrDeclarative = (flags & 0x01) !== 0;
      const explicitTable = (flags & 0x02) !== 0;
      const usesExpressions = (flags & 0x04) !== 0;
      const mode: ElementSegmentFact['mode'] = !passiveOrDeclarative
        ? 'active'
        : explicitTable
          ? 'declarative'
          : 'passive';
      let tableIndex: number | undefined;
      if (mode === 'active') {
        tableIndex = explicitTable ? r.varU32() : 0;
        this.readConstExpr(r);
      }
      if (mode !== 'active') this.seen.add(mode === 'passive' ? 'bulk-memory' : 'reference-types');
      if (explicitTable && tableIndex !== 0) this.seen.add('reference-types');
      if (passiveOrDeclarative || explicitTable) {
        if (usesExpressions) {
          const scratch: ProposalSink = new Set();
          const type = readRefType(r, scratch);
          for (const p of scratch) if (!(type === 'funcref' && p === 'reference-types')) this.seen.add(p);
        } else {
          const kindAt = r.pos;
          if (r.u8() !== 0) r.fail('malformed element kind (expected 0x00 funcref)', kindAt);
        }
      }
      const count = r.count(1);
      for (let k = 0; k < count; k++) {
        if (usesExpressions) this.readConstExpr(r);
        else r.varU32();
      }
      const segment: ElementSegmentFact = {
        index: this.facts.elementSegments.length,
        mode,
        count,
        location: byteSpan(entryStart, r.pos - entryStart),
      };
      if (tableIndex !== undefined) segment.tableIndex = tableIndex;
      this.facts.elementSegments.push(segment);
    }
  }

  private readCode(r: ByteReader, payloadSize: number): void {
    const countAt = r.pos;
    const n = r.count(1);
    const f = this.facts;
    if (n !== this.definedFunctionTypes.length) {
      r.fail(
        `function and code section have inconsistent lengths (${this.definedFunctionTypes.length} declared, ${n} bodies)`,
        countAt,
      );
    }
    const firstDefined = f.functions.length - this.definedFunctionTypes.length;
    for (let i = 0; i < n; i++) {
      const sizeAt = r.pos;
      const size = r.varU32();
      if (size > r.remaining)
        r.fail(`function body size ${size} runs past the end of the code section`, sizeAt);
      const fn = f.functions[firstDefined + i];
      fn.bodySize = size;
      fn.bodyOffset = r.pos;
      fn.location = byteSpan(sizeAt, r.pos + size - sizeAt);
      r.pos += size;
    }
    f.functionCount = n;
    f.codeSize = payloadSize;
  }

  private readData(r: ByteReader): void {
    const n = r.count(1, ENGINE_LIMITS.dataSegments);
    const table = new DataSegmentTable(n, this.end);
    this.dataSegments = table;
    for (let i = 0; i < n; i++) {
      const entryStart = r.pos;
      const flags = r.varU32();
      let memoryIndex: number | undefined;
      let offset: number | null | undefined;
      if (flags === 1) this.seen.add('bulk-memory');
      else if (flags === 0 || flags === 2) {
        memoryIndex = flags === 2 ? r.varU32() : 0;
        offset = this.readConstExpr(r);
      } else r.fail(`malformed data segment flags ${flags}`, entryStart);
      const sizeAt = r.pos;
      const size = r.varU32();
      if (size > r.remaining)
        r.fail(`data segment size ${size} runs past the end of the data section`, sizeAt);
      const contentOffset = r.pos;
      r.pos += size;
      table.add(entryStart, contentOffset, size, memoryIndex, offset);
    }
  }

  // ---- custom sections ----------------------------------------------------------------------

  private readCustomSection(
    name: string,
    sectionStart: number,
    payloadStart: number,
    payloadEnd: number,
  ): void {
    recordCustomSection(this.facts, this.bytes, name, sectionStart, payloadStart, payloadEnd, this.end);
  }

  // ---- assembling ---------------------------------------------------------------------------

  private finish(): ModuleFacts {
    const f = this.facts;
    const byKind = { func: f.functions, table: f.tables, memory: f.memories, global: f.globals } as const;
    for (const e of f.exports) {
      if (e.kind === 'tag') continue;
      byKind[e.kind][e.index]?.exportedAs.push(e.name);
    }
    for (const [index, name] of Object.entries(f.functionNames)) {
      const fn = f.functions[Number(index)];
      if (fn) fn.name = name;
    }
    if (f.start) {
      const name = f.functionNames[f.start.funcIndex];
      if (name !== undefined) f.start.funcName = name;
    }
    // The segments read before any error, as the objects were pushed while reading.
    if (this.dataSegments && this.dataSegments.length > 0) attachDataSegments(f, this.dataSegments);
    if (f.memories.length > 1) this.seen.add('multi-memory');
    if (f.tables.length > 1) this.seen.add('reference-types');
    f.proposals = sortProposals(this.seen);
    return f;
  }
}

/**
 * Records a custom section in `facts` and parses the ones the model exposes (`signature`,
 * `producers`, `name`). Shared by core modules and components (a component can be signed too).
 */
export function recordCustomSection(
  facts: ModuleFacts,
  bytes: Uint8Array,
  name: string,
  sectionStart: number,
  payloadStart: number,
  payloadEnd: number,
  fileEnd: number,
): void {
  const location = byteSpan(sectionStart, payloadEnd - sectionStart);
  facts.customSections.push({ name, size: payloadEnd - payloadStart, location, payloadOffset: payloadStart });
  if (name === 'signature') {
    facts.signature = parseSignatureSection(bytes, payloadStart, payloadEnd, location);
    if (facts.signature.error) {
      facts.problems.push({
        ...invalidModule(`malformed signature section: ${facts.signature.error}`, sectionStart, fileEnd),
        severity: 'warning',
      });
    }
  } else if (name === 'producers') {
    const producers = parseProducersSection(bytes, payloadStart, payloadEnd);
    if (producers instanceof MalformedError) {
      facts.problems.push({
        ...invalidModule(`malformed producers section: ${producers.message}`, producers.offset, fileEnd),
        severity: 'warning',
      });
    } else facts.producers = producers;
  } else if (name === 'name' && facts.kind === 'module') {
    const names = parseFunctionNames(bytes, payloadStart, payloadEnd);
    if (names instanceof MalformedError) {
      facts.problems.push({
        ...invalidModule(`malformed name section: ${names.message}`, names.offset, fileEnd),
        severity: 'warning',
      });
    } else facts.functionNames = names;
  }
}

export function sortProposals(seen: Iterable<Proposal>): Proposal[] {
  return [...new Set(seen)].sort();
}

/**
 * The signatures of a type section's entries, by type index (null for non-function types), for
 * readers that need `call_indirect`'s type immediate. Throws MalformedError on bad bytes.
 */
export function readTypeSignatures(
  bytes: Uint8Array,
  payloadStart: number,
  payloadEnd: number,
): Array<FuncSignature | null> {
  return new CoreReader(bytes, payloadStart, payloadEnd).readTypesOnly(payloadStart, payloadEnd);
}

/** Reads the core module in bytes[start, end); offsets in the result are absolute. */
export function readCoreModule(bytes: Uint8Array, start = 0, end = bytes.length): ModuleFacts {
  return new CoreReader(bytes, start, end).read();
}
