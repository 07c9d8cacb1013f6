/**
 * The WAT reader against the core spec test suite. For every module command of every .wast file:
 * the reader reads it without a finding, and its facts (imports, exports, memories, and when the
 * compiled binary reads to the end also tables, globals, functions, start, segments, custom
 * sections and proposals) equal what the binary reader reads from the same module compiled by
 * wabt (the npm package, via compileWat).
 * `module binary` commands are cross-checked against V8's import/export lists where V8 accepts
 * them. Every `assert_malformed` quoted module must be reported malformed by the reader or by
 * compileWat. Exceptions are listed below, each with its reason; an exception that stops
 * happening fails the test too, so the lists stay true.
 */
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { allProposals } from '../../server/src/core/module/code';
import type { ModuleFacts, Proposal } from '../../server/src/core/module/model';
import { compileWat } from '../../server/src/core/wat/compile';
import { readWatModules } from '../../server/src/core/wat/reader';
import { sharedTestdata } from '../support/sharedTestdata';

/** The engine's reflection API (the project's libs do not declare `WebAssembly`). */
interface Descriptor {
  module?: string;
  name: string;
  kind: string;
}
const V8 = (
  globalThis as unknown as {
    WebAssembly: {
      Module: (new (bytes: Uint8Array) => object) & {
        imports(module: object): Descriptor[];
        exports(module: object): Descriptor[];
      };
    };
  }
).WebAssembly;

const SUITE = sharedTestdata('spec-testsuite');

const GC_SYNTAX =
  'wabt 1.0.39 cannot parse GC type syntax (struct/array/sub/rec, i8/i16 fields, abstract heap types)';
const TYPED_REFS =
  'wabt 1.0.39 does not parse or validate typed function references (ref null $t / ref.null func / call_ref)';

/** Valid modules wabt cannot compile, so there is no binary to compare with: file → [count, reason]. */
const NO_ORACLE: Record<string, [number, string]> = {
  'annotations.wast': [1, 'wabt rejects the annotation id characters this module uses ("unexpected char")'],
  'array.wast': [7, GC_SYNTAX],
  'array_copy.wast': [1, GC_SYNTAX],
  'array_fill.wast': [1, GC_SYNTAX],
  'array_init_data.wast': [2, GC_SYNTAX],
  'array_init_elem.wast': [3, GC_SYNTAX],
  'array_new_data.wast': [5, GC_SYNTAX],
  'array_new_elem.wast': [5, GC_SYNTAX],
  'br_on_cast.wast': [3, GC_SYNTAX],
  'br_on_cast_fail.wast': [3, GC_SYNTAX],
  'br_on_non_null.wast': [3, TYPED_REFS],
  'br_on_null.wast': [3, TYPED_REFS],
  'br_table.wast': [
    1,
    'wabt 1.0.39 does not accept a block type given as a type use inside br_table test module',
  ],
  'call_ref.wast': [4, TYPED_REFS],
  'data.wast': [
    2,
    'wabt 1.0.39 rejects global.get of a defined global in a constant expression (allowed since GC)',
  ],
  'elem.wast': [
    11,
    'wabt 1.0.39 rejects typed element lists "(ref func)" and global.get of defined globals in constants',
  ],
  'extern.wast': [1, GC_SYNTAX],
  'global.wast': [
    3,
    'wabt 1.0.39 rejects global.get of defined globals and typed references in constant expressions',
  ],
  'i31.wast': [6, GC_SYNTAX],
  'id.wast': [1, 'wabt 1.0.39 does not support quoted identifiers $"…"'],
  'instance.wast': [
    5,
    'wabt 1.0.39 rejects typed table element types and the ref.func subtyping these modules use',
  ],
  'linking.wast': [4, TYPED_REFS],
  'local_init.wast': [2, TYPED_REFS],
  'ref.wast': [1, TYPED_REFS],
  'ref_as_non_null.wast': [2, TYPED_REFS],
  'ref_cast.wast': [2, GC_SYNTAX],
  'ref_eq.wast': [1, GC_SYNTAX],
  'ref_func.wast': [
    1,
    'wabt 1.0.39 types ref.func as (ref $t) but does not treat it as a subtype of funcref',
  ],
  'ref_is_null.wast': [2, TYPED_REFS],
  'ref_null.wast': [2, GC_SYNTAX],
  'ref_test.wast': [2, GC_SYNTAX],
  'return_call_ref.wast': [5, TYPED_REFS],
  'select.wast': [1, TYPED_REFS],
  'struct.wast': [6, GC_SYNTAX],
  'table-sub.wast': [1, TYPED_REFS],
  'table.wast': [
    8,
    'wabt 1.0.39 rejects typed table element types "(ref $t)" and table initialiser expressions',
  ],
  'table64.wast': [3, 'wabt 1.0.39 limits table64 sizes to 32 bits'],
  'table_grow.wast': [2, 'wabt 1.0.39 does not treat ref.func results as a subtype of funcref'],
  'table_init.wast': [1, GC_SYNTAX],
  'table_init64.wast': [1, GC_SYNTAX],
  'tag.wast': [2, GC_SYNTAX],
  'try_table.wast': [1, TYPED_REFS],
  'type-canon.wast': [2, GC_SYNTAX],
  'type-equivalence.wast': [16, GC_SYNTAX + '; and it does not canonicalise equivalent typed references'],
  'type-rec.wast': [11, GC_SYNTAX],
  'type-subtyping.wast': [46, GC_SYNTAX],
  'unreached-valid.wast': [2, TYPED_REFS],
};

const DATA_MEMORY_INDEX =
  'wabt 1.0.39 drops the memory index of data segments for memories other than 0, so the binary stops at the data section';

/**
 * Modules whose wabt-compiled binary the binary reader cannot read to the end because of a wabt
 * encoding bug: only imports, exports and memories (which come before the broken section) are
 * compared. file → [count, reason].
 */
const BROKEN_BINARY: Record<string, [number, string]> = {
  'address0.wast': [1, DATA_MEMORY_INDEX],
  'address1.wast': [1, DATA_MEMORY_INDEX],
  'data0.wast': [2, DATA_MEMORY_INDEX],
  'data_drop0.wast': [1, DATA_MEMORY_INDEX],
  'float_exprs1.wast': [1, DATA_MEMORY_INDEX],
  'float_memory0.wast': [2, DATA_MEMORY_INDEX],
  'imports1.wast': [1, DATA_MEMORY_INDEX],
  'imports2.wast': [1, DATA_MEMORY_INDEX],
  'linking1.wast': [2, DATA_MEMORY_INDEX],
  'linking2.wast': [1, DATA_MEMORY_INDEX],
  'linking3.wast': [1, DATA_MEMORY_INDEX],
  'load0.wast': [1, DATA_MEMORY_INDEX],
  'load1.wast': [1, DATA_MEMORY_INDEX],
  'memory_copy0.wast': [1, DATA_MEMORY_INDEX],
  'memory_copy1.wast': [1, DATA_MEMORY_INDEX],
  'memory_trap1.wast': [1, DATA_MEMORY_INDEX],
  'start0.wast': [1, DATA_MEMORY_INDEX],
  'store2.wast': [1, DATA_MEMORY_INDEX],
  'type-equivalence.wast': [
    4,
    'wabt 1.0.39 encodes (ref $t) with the pre-standard opcode 0x6b, so its type section does not decode',
  ],
};

const BODY_ONLY =
  'a proposal used only inside a function body (a block type or select type): the text reader skips bodies';

/** Modules whose facts differ from the wabt-compiled binary: "file:line" → reason. */
const MISMATCHES: Record<string, string> = {
  'type-equivalence.wast:200':
    'wabt 1.0.39 encodes (ref $t) with the pre-standard opcode 0x6b, which the final encoding reads as structref',
  'type-equivalence.wast:218':
    'wabt 1.0.39 encodes (ref $t) with the pre-standard opcode 0x6b, so the binary type section does not decode as function types',
  'select.wast:579': BODY_ONLY + ' (select (result funcref) → reference-types)',
  'throw.wast:3': BODY_ONLY + ' (a block with two results → multi-value)',
  'throw_ref.wast:3': BODY_ONLY + ' (a block with two results → multi-value)',
  'try_table.wast:10': BODY_ONLY + ' (a block with two results → multi-value)',
};

/** The facts compared before a broken section of a wabt binary: imports, exports and memories. */
function comparable(facts: ModuleFacts) {
  return {
    imports: facts.imports.map((i) => ({
      module: i.module,
      name: i.name,
      kind: i.kind,
      index: i.index,
      type: i.type,
    })),
    exports: facts.exports.map((e) => ({ name: e.name, kind: e.kind, index: e.index })),
    memories: facts.memories.map((m) => ({
      index: m.index,
      imported: m.imported,
      initial: m.initial,
      maximum: m.maximum,
      shared: m.shared,
      memory64: m.memory64,
      pageSize: m.pageSize,
      exportedAs: m.exportedAs,
    })),
  };
}

/** Everything else a module declares, when the binary reads to the end; proposals include bodies'. */
function comparableInFull(facts: ModuleFacts, proposals: Proposal[]) {
  return {
    ...comparable(facts),
    tables: facts.tables.map((t) => [
      t.index,
      t.imported,
      t.elementType,
      t.initial,
      t.maximum,
      t.table64,
      t.exportedAs,
    ]),
    globals: facts.globals.map((g) => [g.index, g.imported, g.valueType, g.mutable, g.exportedAs]),
    functions: facts.functions.map((f) => [f.index, f.imported, f.signature, f.exportedAs]),
    functionCount: facts.functionCount,
    start: facts.start?.funcIndex ?? null,
    dataSegments: facts.dataSegments.map((d) => [d.index, d.mode, d.memoryIndex, d.offset, d.size]),
    elementSegments: facts.elementSegments.map((e) => [e.index, e.mode, e.tableIndex, e.count]),
    customSections: facts.customSections.filter((c) => c.name !== 'name').map((c) => [c.name, c.size]),
    proposals,
  };
}

interface Row {
  file: string;
  modules: number;
  readClean: number;
  compared: number;
  equal: number;
  noOracle: number;
  brokenBinary: number;
  binaryChecked: number;
  malformed: number;
  malformedCaught: number;
}

describe('spec test suite: WAT reader against wabt + the binary reader', function () {
  this.timeout(240_000);

  it('reads every module command and agrees with the compiled binary (≥ 99%, exceptions listed)', async () => {
    const files = readdirSync(SUITE)
      .filter((f) => f.endsWith('.wast'))
      .sort();
    assert.ok(files.length > 200, `expected the spec suite in ${SUITE}`);
    const rows: Row[] = [];
    const failures: string[] = [];
    const seenMismatches = new Set<string>();

    for (const file of files) {
      const text = readFileSync(join(SUITE, file), 'utf8');
      const read = readWatModules(text);
      const row: Row = {
        file,
        modules: 0,
        readClean: 0,
        compared: 0,
        equal: 0,
        noOracle: 0,
        brokenBinary: 0,
        binaryChecked: 0,
        malformed: 0,
        malformedCaught: 0,
      };
      for (const entry of read.entries) {
        const where = `${file}:${entry.location.start.line + 1}`;
        if (entry.expect === 'valid') {
          row.modules++;
          if (entry.findings.length === 0) row.readClean++;
          else failures.push(`${where}: read with findings: ${entry.findings[0].message}`);
          if (entry.source.kind === 'binary') {
            row.binaryChecked += checkAgainstV8(entry.source.bytes, entry.facts, where, failures);
            continue;
          }
          // wabt's raw output: where it does not decode, the sections before the break are compared.
          const compiled = await compileWat(entry.source.text, undefined, { checkOutput: false });
          if (!compiled.bytes) {
            row.noOracle++;
            continue;
          }
          row.compared++;
          const binary = readBinaryModule(compiled.bytes);
          let ours: object;
          let theirs: object;
          if (binary.problems.length === 0) {
            ours = comparableInFull(entry.facts, entry.facts.proposals);
            theirs = comparableInFull(binary, allProposals(compiled.bytes, binary));
          } else {
            row.brokenBinary++;
            ours = comparable(entry.facts);
            theirs = comparable(binary);
          }
          if (JSON.stringify(ours) === JSON.stringify(theirs)) row.equal++;
          else if (MISMATCHES[where]) seenMismatches.add(where);
          else
            failures.push(
              `${where}: facts differ\n  text:   ${JSON.stringify(ours)}\n  binary: ${JSON.stringify(theirs)}`,
            );
        } else if (entry.expect === 'malformed' && entry.format === 'quote') {
          row.malformed++;
          if (entry.findings.some((f) => f.ruleId === 'syntax-error')) row.malformedCaught++;
          else if (entry.source.kind === 'text') {
            const compiled = await compileWat(entry.source.text);
            if (compiled.findings.some((f) => f.ruleId === 'syntax-error')) row.malformedCaught++;
            else
              failures.push(
                `${where}: malformed module accepted (${compiled.findings[0]?.message ?? 'compiles'})`,
              );
          } else failures.push(`${where}: a quoted module without text`);
        }
      }
      const broken = BROKEN_BINARY[file]?.[0] ?? 0;
      if (row.brokenBinary !== broken) {
        failures.push(
          `${file}: ${row.brokenBinary} wabt binaries the binary reader cannot read, ${broken} listed in BROKEN_BINARY`,
        );
      }
      const listed = NO_ORACLE[file]?.[0] ?? 0;
      if (row.noOracle !== listed) {
        failures.push(`${file}: ${row.noOracle} modules wabt cannot compile, ${listed} listed in NO_ORACLE`);
      }
      rows.push(row);
    }
    for (const key of Object.keys(MISMATCHES))
      if (!seenMismatches.has(key)) failures.push(`${key}: listed in MISMATCHES but agrees now`);

    printTable(rows);
    const total = rows.reduce(
      (t, r) => ({
        checks: t.checks + r.modules + r.compared + r.malformed,
        passed: t.passed + r.readClean + r.equal + r.malformedCaught,
      }),
      { checks: 0, passed: 0 },
    );
    const rate = total.passed / total.checks;
    console.log(`    overall: ${total.passed}/${total.checks} checks passed (${(rate * 100).toFixed(2)}%)`);
    assert.ok(rate >= 0.99, `pass rate ${(rate * 100).toFixed(2)}% is below 99%`);
    assert.deepEqual(failures, []);
  });
});

/** Imports and exports of a `module binary` against V8's reflection, when this V8 accepts the module. */
function checkAgainstV8(bytes: Uint8Array, facts: ModuleFacts, where: string, failures: string[]): number {
  let module: object;
  try {
    module = new V8.Module(bytes);
  } catch {
    return 0; // a proposal this Node's V8 does not know; the reader read it without findings above
  }
  const v8 = {
    imports: V8.Module.imports(module).map((i) => `${i.module}.${i.name}:${i.kind}`),
    exports: V8.Module.exports(module).map((e) => `${e.name}:${e.kind}`),
  };
  const kind = (k: string) => (k === 'func' ? 'function' : k);
  const ours = {
    imports: facts.imports.map((i) => `${i.module}.${i.name}:${kind(i.kind)}`),
    exports: facts.exports.map((e) => `${e.name}:${kind(e.kind)}`),
  };
  if (JSON.stringify(ours) !== JSON.stringify(v8))
    failures.push(`${where}: binary module differs from V8: ${JSON.stringify({ ours, v8 })}`);
  return 1;
}

/**
 * One row per file: module commands, how many read without findings, how many were compared with
 * a wabt binary and agreed, how many wabt cannot compile, how many were compared only up to a
 * broken wabt section ("partial"), `module binary` commands checked against V8, and malformed
 * quoted modules caught.
 */
function printTable(rows: Row[]): void {
  const pct = (a: number, b: number) => (b === 0 ? '   -  ' : `${((a / b) * 100).toFixed(1).padStart(5)}%`);
  console.log(
    '    file                              modules clean  compared equal  no-oracle  partial  v8-checked  malformed caught',
  );
  for (const r of rows) {
    if (r.modules === 0 && r.malformed === 0) continue;
    console.log(
      `    ${r.file.padEnd(34)} ${String(r.modules).padStart(5)} ${pct(r.readClean, r.modules)} ${String(r.compared).padStart(6)} ${pct(r.equal, r.compared)} ${String(r.noOracle).padStart(6)} ${String(r.brokenBinary).padStart(8)} ${String(r.binaryChecked).padStart(10)} ${String(r.malformed).padStart(10)} ${pct(r.malformedCaught, r.malformed)}`,
    );
  }
}
