import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wabtFactory from 'wabt';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { allProposals, scanFunctionBodies } from '../../server/src/core/module/code';
import { engineSupports } from '../../server/src/core/module/engineSupport';
import type { ModuleFacts } from '../../server/src/core/module/model';
import { validateBinary } from '../../server/src/core/module/validate';
import { sharedTestdata } from '../support/sharedTestdata';

const SIGNATURES = sharedTestdata('wasm-signatures', 'modules');

type Wabt = Awaited<ReturnType<typeof wabtFactory>>;
let wabt: Wabt;

/** Compiles WAT with the wabt npm package (names kept, features on, no wabt validation). */
function wat(text: string): Uint8Array {
  const features = {
    exceptions: true,
    threads: true,
    simd: true,
    tail_call: true,
    memory64: true,
    multi_memory: true,
    bulk_memory: true,
    reference_types: true,
    relaxed_simd: true,
    extended_const: true,
  };
  const parsed = wabt.parseWat('test.wat', text, features as Parameters<Wabt['parseWat']>[2]);
  try {
    parsed.resolveNames();
    return parsed.toBinary({ write_debug_names: true }).buffer;
  } finally {
    parsed.destroy();
  }
}

function hex(...parts: string[]): Uint8Array {
  return Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex');
}

/** The text a byte location covers, to check that a location is exact. */
function textAt(bytes: Uint8Array, location: ModuleFacts['location']): string {
  assert.equal(location.kind, 'binary');
  if (location.kind !== 'binary') return '';
  return Buffer.from(bytes.subarray(location.offset, location.offset + location.length)).toString('latin1');
}

before(async () => {
  wabt = await wabtFactory();
});

describe('readBinaryModule: core modules', () => {
  const text = `(module
    (type $sig (func (param i32 i64) (result f32)))
    (import "env" "log" (func $log (param i32)))
    (import "env" "table" (table 2 10 funcref))
    (import "env" "memory" (memory 1 4))
    (import "env" "counter" (global $counter (mut i32)))
    (global $g (export "g") f64 (f64.const 1.5))
    (func $add (export "add") (type $sig) f32.const 0)
    (func $main call $add2)
    (func $add2 i32.const 1 call $log)
    (start $main)
    (elem (i32.const 0) $add $main)
    (elem func $add2)
    (data (i32.const 16) "hello")
    (data "passive!")
    (export "memory" (memory 0))
  )`;
  let bytes: Uint8Array;
  let facts: ModuleFacts;
  before(() => {
    bytes = wat(text);
    facts = readBinaryModule(bytes);
  });

  it('reads without problems', () => {
    assert.deepEqual(facts.problems, []);
    assert.equal(facts.kind, 'module');
    assert.equal(facts.source, 'binary');
    assert.deepEqual(facts.location, { kind: 'binary', offset: 0, length: bytes.length });
  });

  it('reads imports with their full types and exact locations', () => {
    assert.deepEqual(
      facts.imports.map((i) => ({
        module: i.module,
        name: i.name,
        kind: i.kind,
        index: i.index,
        type: i.type,
      })),
      [
        {
          module: 'env',
          name: 'log',
          kind: 'func',
          index: 0,
          type: { kind: 'func', signature: { params: ['i32'], results: [] } },
        },
        {
          module: 'env',
          name: 'table',
          kind: 'table',
          index: 0,
          type: { kind: 'table', table: { elementType: 'funcref', initial: 2, maximum: 10, table64: false } },
        },
        {
          module: 'env',
          name: 'memory',
          kind: 'memory',
          index: 0,
          type: {
            kind: 'memory',
            memory: { initial: 1, maximum: 4, shared: false, memory64: false, pageSize: 65536 },
          },
        },
        {
          module: 'env',
          name: 'counter',
          kind: 'global',
          index: 0,
          type: { kind: 'global', global: { valueType: 'i32', mutable: true } },
        },
      ],
    );
    // An import's span starts at the module name's length byte and covers the whole entry.
    assert.equal(textAt(bytes, facts.imports[0].location), '\x03env\x03log\x00\x01');
  });

  it('reads exports, functions with signatures, names and body sizes', () => {
    assert.deepEqual(
      facts.exports.map((e) => [e.name, e.kind, e.index]),
      [
        ['g', 'global', 1],
        ['add', 'func', 1],
        ['memory', 'memory', 0],
      ],
    );
    assert.equal(facts.functionCount, 3);
    assert.deepEqual(
      facts.functions.map((f) => [f.index, f.name, f.imported, f.exportedAs, f.signature]),
      [
        [0, 'log', true, [], { params: ['i32'], results: [] }],
        [1, 'add', false, ['add'], { params: ['i32', 'i64'], results: ['f32'] }],
        [2, 'main', false, [], { params: [], results: [] }],
        [3, 'add2', false, [], { params: [], results: [] }],
      ],
    );
    // f32.const 0 = 1 (locals) + 5 + end = 7 bytes; call $add2 = 1 + 2 + 1 = 4.
    assert.deepEqual(
      facts.functions.map((f) => f.bodySize),
      [undefined, 7, 4, 6],
    );
    const add = facts.functions[1];
    assert.equal(bytes[add.bodyOffset! + add.bodySize! - 1], 0x0b, 'a body ends with end');
    assert.deepEqual(facts.functionNames, { 0: 'log', 1: 'add', 2: 'main', 3: 'add2' });
    const code = facts.sections!.find((s) => s.name === 'code')!;
    assert.equal(facts.codeSize, code.size - (code.payloadOffset - code.offset));
  });

  it('reads memories, tables, globals and the start function', () => {
    assert.deepEqual(
      facts.memories.map((m) => [
        m.index,
        m.imported,
        m.initial,
        m.maximum,
        m.shared,
        m.memory64,
        m.pageSize,
        m.exportedAs,
      ]),
      [[0, true, 1, 4, false, false, 65536, ['memory']]],
    );
    assert.deepEqual(
      facts.tables.map((t) => [t.index, t.imported, t.elementType, t.initial, t.maximum]),
      [[0, true, 'funcref', 2, 10]],
    );
    assert.deepEqual(
      facts.globals.map((g) => [g.index, g.imported, g.valueType, g.mutable, g.exportedAs]),
      [
        [0, true, 'i32', true, []],
        [1, false, 'f64', false, ['g']],
      ],
    );
    assert.equal(facts.start?.funcIndex, 2);
    assert.equal(facts.start?.funcName, 'main');
  });

  it('reads data and element segments', () => {
    assert.deepEqual(
      facts.dataSegments.map((d) => ({
        mode: d.mode,
        memoryIndex: d.memoryIndex,
        offset: d.offset,
        size: d.size,
      })),
      [
        { mode: 'active', memoryIndex: 0, offset: 16, size: 5 },
        { mode: 'passive', memoryIndex: undefined, offset: undefined, size: 8 },
      ],
    );
    const hello = facts.dataSegments[0];
    assert.equal(
      Buffer.from(bytes.subarray(hello.contentOffset!, hello.contentOffset! + hello.size)).toString(),
      'hello',
    );
    assert.deepEqual(
      facts.elementSegments.map((e) => [e.mode, e.tableIndex, e.count]),
      [
        ['active', 0, 2],
        ['passive', undefined, 1],
      ],
    );
  });

  it('lists custom sections and the proposals used', () => {
    assert.deepEqual(
      facts.customSections.map((c) => c.name),
      ['name'],
    );
    assert.deepEqual(facts.proposals, ['bulk-memory', 'mutable-globals']);
    assert.deepEqual(validateBinary(bytes, facts), []);
  });

  it('reads a computed data offset as null and an unsigned i32 offset', () => {
    const f = readBinaryModule(
      wat(
        '(module (global $b i32 (i32.const 8)) (memory 1) (data (global.get $b) "x") (data (i32.const -1) ""))',
      ),
    );
    assert.deepEqual(
      f.dataSegments.map((d) => d.offset),
      [null, 0xffffffff],
    );
  });
});

describe('readBinaryModule: names and constant expressions', () => {
  it('keeps a name that starts with U+FEFF (a decoder must not strip it as a BOM)', () => {
    // export "\uFEFF" (ef bb bf) of function 0
    const f = readBinaryModule(
      hex(
        '0061736d01000000',
        '01 04 01 60 00 00',
        '03 02 01 00',
        '07 07 01 03 efbbbf 00 00',
        '0a 04 01 02 00 0b',
      ),
    );
    assert.deepEqual(f.problems, []);
    assert.deepEqual(
      f.exports.map((e) => e.name),
      ['\ufeff'],
    );
  });

  it('global.get of a module-defined global in a constant expression is a GC-era feature', () => {
    const f = readBinaryModule(wat('(module (global $a i32 (i32.const 1)) (global i32 (global.get $a)))'));
    assert.deepEqual(f.proposals, ['gc']);
    const imported = readBinaryModule(
      wat('(module (import "m" "a" (global $a i32)) (global i32 (global.get $a)))'),
    );
    assert.deepEqual(imported.proposals, []);
  });
});

describe('readBinaryModule: memories of newer proposals', () => {
  it('memory64', () => {
    const f = readBinaryModule(wat('(module (memory i64 2 5))'));
    assert.deepEqual(f.problems, []);
    assert.deepEqual(
      f.memories.map((m) => [m.initial, m.maximum, m.memory64, m.shared]),
      [[2, 5, true, false]],
    );
    assert.deepEqual(f.proposals, ['memory64']);
  });

  it('shared memory (threads), and atomics seen only by the body pass', () => {
    const bytes = wat('(module (memory 1 2 shared) (func (result i32) i32.const 0 i32.atomic.load))');
    const f = readBinaryModule(bytes);
    assert.deepEqual(
      f.memories.map((m) => [m.initial, m.maximum, m.shared]),
      [[1, 2, true]],
    );
    assert.deepEqual(f.proposals, ['threads']);
    const scan = scanFunctionBodies(bytes, { facts: f });
    assert.deepEqual(scan.proposals, ['threads']);
    assert.equal(scan.functions[0].counts.atomic, 1);
  });

  it('multi-memory', () => {
    const f = readBinaryModule(
      wat('(module (import "a" "m" (memory 1)) (memory $b 2 3) (export "b" (memory $b)))'),
    );
    assert.deepEqual(
      f.memories.map((m) => [m.index, m.imported, m.initial, m.maximum, m.exportedAs]),
      [
        [0, true, 1, null, []],
        [1, false, 2, 3, ['b']],
      ],
    );
    assert.deepEqual(f.proposals, ['multi-memory']);
  });

  it('custom page sizes (hand-encoded: flags 0x08, page size 2^0)', () => {
    const f = readBinaryModule(hex('0061736d01000000', '05 05 01 09 02 03 00'));
    assert.deepEqual(f.problems, []);
    assert.deepEqual(
      f.memories.map((m) => [m.initial, m.maximum, m.pageSize]),
      [[2, 3, 1]],
    );
    assert.deepEqual(f.proposals, ['custom-page-sizes']);
  });

  it('a 64-bit memory limit above 2^32 is read exactly', () => {
    // flags 0x04 (memory64), initial 2^33 as a u64 LEB128
    const f = readBinaryModule(hex('0061736d01000000', '05 07 01 04 8080808020'));
    assert.deepEqual(f.problems, []);
    assert.equal(f.memories[0].initial, 2 ** 33);
  });
});

describe('readBinaryModule: the signature section', () => {
  const read = (name: string) => readBinaryModule(readFileSync(join(SIGNATURES, name)));

  it('is null when the module is not signed', () => {
    assert.equal(read('00_unsigned.wasm').signature, null);
  });

  it('one hash set, one signature without key id', () => {
    const s = read('01_signed_key1_nokeyid.wasm').signature!;
    assert.equal(s.error, undefined);
    assert.deepEqual([s.specVersion, s.contentType, s.hashFunction], [1, 1, 1]);
    assert.equal(s.signedHashSets.length, 1);
    assert.equal(s.signedHashSets[0].hashes.length, 1);
    assert.deepEqual(
      s.signedHashSets[0].signatures.map((g) => [g.keyId, g.algorithm, g.signature.length]),
      [[null, 1, 128]],
    );
    assert.deepEqual(s.location, {
      kind: 'binary',
      offset: 8,
      length: s.location.kind === 'binary' ? s.location.length : 0,
    });
  });

  it('key ids, several signatures, several hashes', () => {
    assert.deepEqual(
      read('02_signed_key1_keyid.wasm').signature!.signedHashSets[0].signatures.map((g) => g.keyId),
      ['95b7883f78b637231e4ca40f'],
    );
    const s3 = read('03_signed_key1_key2.wasm').signature!;
    assert.equal(s3.signedHashSets.length, 1);
    assert.equal(s3.signedHashSets[0].signatures.length, 2);
    assert.equal(read('05_split_name_signed_key1.wasm').signature!.signedHashSets[0].hashes.length, 2);
    const s7 = read('07_three_parts_keyid_first_key1_second_key2.wasm').signature!;
    assert.equal(s7.signedHashSets[0].hashes.length, 3);
    assert.deepEqual(
      s7.signedHashSets.flatMap((set) => set.signatures.map((g) => Buffer.from(g.keyId!, 'hex').toString())),
      ['first', 'second'],
    );
  });

  it('an unsupported spec version is an error value, with a warning', () => {
    const f = read('N5_spec_version_2_key1.wasm');
    assert.match(f.signature!.error!, /unsupported signature spec version 2/);
    assert.deepEqual(
      f.problems.map((p) => [p.ruleId, p.severity]),
      [['invalid-module', 'warning']],
    );
  });

  it('a signed component carries its signature too', () => {
    const f = read('08_component_signed_key1.wasm');
    assert.equal(f.kind, 'component');
    assert.equal(f.signature!.signedHashSets[0].signatures.length, 1);
  });

  it('producers', () => {
    const f = read('00_unsigned.wasm');
    assert.ok(f.producers, 'the fixture has a producers section');
    assert.ok(Object.keys(f.producers.fields).length > 0);
    for (const values of Object.values(f.producers.fields))
      for (const v of values) assert.equal(typeof v.name, 'string');
  });
});

describe('scanFunctionBodies', () => {
  it('counts the opcodes rules use, per function', () => {
    const bytes = wat(`(module
      (table 1 funcref) (memory 1) (type $t (func))
      (func $mix (param i32 i64) (result i32)
        (loop $l
          local.get 0 i32.const 3 i32.rotl local.get 0 i32.xor local.set 0
          local.get 1 i64.const 7 i64.shl i64.const 1 i64.shr_u local.get 1 i64.xor local.set 1
          local.get 0 i32.const 1 i32.and br_if $l)
        i32.const 0 i32.load i32.const 4 i32.load i32.mul i32.const 1 i32.add local.get 0 i32.or)
      (func $calls i32.const 0 call_indirect (type $t) call $calls i32.const 0 i32.const 1 i32.store))`);
    const scan = scanFunctionBodies(bytes);
    assert.deepEqual(scan.problems, []);
    const [mix, calls] = scan.functions;
    assert.deepEqual(
      {
        xor: mix.counts.xor,
        shl: mix.counts.shl,
        shrU: mix.counts.shrU,
        rotl: mix.counts.rotl,
        and: mix.counts.and,
        or: mix.counts.or,
        add: mix.counts.add,
        mul: mix.counts.mul,
        load: mix.counts.load,
        loop: mix.counts.loop,
      },
      { xor: 2, shl: 1, shrU: 1, rotl: 1, and: 1, or: 1, add: 1, mul: 1, load: 2, loop: 1 },
    );
    assert.deepEqual(
      [calls.counts.callIndirect, calls.counts.call, calls.counts.store, calls.counts.xor],
      [1, 1, 1, 0],
    );
    assert.equal(calls.index, 1);
    assert.deepEqual(calls.location, readBinaryModule(bytes).functions[1].location);
  });

  it('streams with onFunction and stops when asked', () => {
    const bytes = wat('(module (func) (func) (func))');
    const seen: number[] = [];
    const result = scanFunctionBodies(bytes, {
      collect: false,
      onFunction: (s) => (seen.push(s.index), s.index < 1),
    });
    assert.deepEqual(seen, [0, 1]);
    assert.deepEqual(result.functions, []);
  });

  it('finds body-level proposals: SIMD, tail calls, both exception encodings', () => {
    assert.deepEqual(allProposals(wat('(module (func (result v128) v128.const i32x4 1 2 3 4))')), ['simd']);
    assert.deepEqual(allProposals(wat('(module (func return_call 0))')), ['tail-call']);
    assert.deepEqual(
      allProposals(
        wat(
          '(module (type $t (func (param i32) (result i32))) (func (result i32) i32.const 1 (block (type $t))))',
        ),
      ),
      ['multi-value'],
    );
    assert.deepEqual(allProposals(wat('(module (func (result i32) (block (result i32) i32.const 1)))')), []);
    assert.deepEqual(allProposals(wat('(module (tag $e) (func try nop catch $e end))')), ['exceptions']);
    assert.deepEqual(
      allProposals(
        wat(
          '(module (tag $e) (func (block $l (result exnref) (try_table (catch_all_ref $l)) unreachable) drop))',
        ),
      ),
      ['exceptions', 'exnref'],
    );
  });
});

describe('validateBinary', () => {
  it('accepts a valid module', () => {
    assert.deepEqual(validateBinary(wat('(module (func (result i32) i32.const 1))')), []);
  });

  it('locates an invalid body at the offset the engine reports', () => {
    const bytes = wat('(module (func (result i32) i64.const 1))');
    const findings = validateBinary(bytes);
    assert.equal(findings.length, 1);
    assert.equal(findings[0].ruleId, 'invalid-module');
    assert.match(findings[0].message, /expected i32, got i64/);
    const code = readBinaryModule(bytes).functions[0];
    const location = findings[0].location;
    assert.ok(
      location.kind === 'binary' &&
        location.offset >= code.bodyOffset! &&
        location.offset < code.bodyOffset! + code.bodySize!,
    );
  });

  it('reports a proposal the engine does not know as unsupported, not malformed', () => {
    const findings = validateBinary(wat('(module (memory i64 1))'));
    if (engineSupports('memory64')) assert.deepEqual(findings, []);
    else {
      assert.deepEqual(
        findings.map((f) => [f.ruleId, f.severity]),
        [['unsupported-by-engine', 'warning']],
      );
      assert.match(findings[0].message, /cannot validate the memory64 proposal/);
    }
  });

  it('returns the reader’s located error for malformed bytes', () => {
    const findings = validateBinary(hex('0061736d01000000', '01 05 01 60 00'));
    assert.equal(findings[0].ruleId, 'invalid-module');
    assert.match(findings[0].message, /past the end/);
  });
});

describe('readBinaryModule: components', () => {
  const core = '0061736d01000000';
  // preamble; core module section (id 1) holding an empty core module; import "wasi:cli/exit@0.2.0"
  // (instance type 0); export "run" (func 0, no ascribed type)
  const name = Buffer.from('wasi:cli/exit@0.2.0').toString('hex');
  const component = hex(
    '0061736d0d000100',
    '01 08',
    core,
    '0a 18 01 00 13',
    name,
    '05 00',
    '0b 09 01 00 03 72756e 01 00 00',
  );

  it('lists imports and exports by name, with kinds and exact locations', () => {
    const f = readBinaryModule(component);
    assert.deepEqual(f.problems, []);
    assert.equal(f.kind, 'component');
    assert.deepEqual(
      f.components!.imports.map((i) => [i.name, i.kind]),
      [['wasi:cli/exit@0.2.0', 'instance']],
    );
    assert.deepEqual(
      f.components!.exports.map((e) => [e.name, e.kind]),
      [['run', 'func']],
    );
    assert.equal(textAt(component, f.components!.imports[0].location), '\x00\x13wasi:cli/exit@0.2.0\x05\x00');
  });

  it('reads nested core modules with absolute locations', () => {
    const f = readBinaryModule(component);
    assert.equal(f.modules!.length, 1);
    assert.equal(f.modules![0].kind, 'module');
    assert.deepEqual(f.modules![0].location, { kind: 'binary', offset: 10, length: 8 });
  });

  it('reads components nested in components', () => {
    const outer = hex(
      '0061736d0d000100',
      '04',
      component.length.toString(16).padStart(2, '0'),
      Buffer.from(component).toString('hex'),
    );
    const f = readBinaryModule(outer);
    assert.deepEqual(f.problems, []);
    assert.equal(f.modules![0].kind, 'component');
    assert.deepEqual(
      f.modules![0].components!.imports.map((i) => i.name),
      ['wasi:cli/exit@0.2.0'],
    );
    assert.deepEqual(f.modules![0].modules![0].location, { kind: 'binary', offset: 20, length: 8 });
  });

  it('reads 0x01 names both with a version suffix (current spec) and without (2023 binaries)', () => {
    const hexName = Buffer.from('wasi:io/poll').toString('hex');
    // current: 0x01 name versionsuffix'("0.2.1") then instance type 0
    const withSuffix = hex('0061736d0d000100', '0a 17 01 01 0c', hexName, '05 302e322e31', '05 00');
    // 2023: 0x01 name then instance type 0
    const without = hex('0061736d0d000100', '0a 11 01 01 0c', hexName, '05 00');
    for (const bytes of [withSuffix, without]) {
      const f = readBinaryModule(bytes);
      assert.deepEqual(f.problems, []);
      assert.deepEqual(
        f.components!.imports.map((i) => [i.name, i.kind]),
        [['wasi:io/poll', 'instance']],
      );
    }
  });

  it('does not report a component as invalid', () => {
    assert.deepEqual(validateBinary(component), []);
  });
});
