import * as assert from 'node:assert/strict';
import { readBinaryModule } from '../../server/src/core/module/binary';
import type { ModuleFacts } from '../../server/src/core/module/model';
import type { SourceLocation } from '../../server/src/core/location';
import { compileWat } from '../../server/src/core/wat/compile';
import { stringByteLength, stringBytes } from '../../server/src/core/wat/literals';
import { readWatModules } from '../../server/src/core/wat/reader';

/** [line, character, line, character] of the `occurrence`-th `needle` in `text` (0-based). */
function spanOf(text: string, needle: string, occurrence = 0): number[] {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `${JSON.stringify(needle)} #${occurrence} not in the text`);
  }
  const pos = (offset: number) => {
    const before = text.slice(0, offset);
    const line = before.split('\n').length - 1;
    return [line, offset - (before.lastIndexOf('\n') + 1)];
  };
  return [...pos(at), ...pos(at + needle.length)];
}

function range(location: SourceLocation): number[] {
  assert.equal(location.kind, 'text');
  if (location.kind !== 'text') return [];
  return [location.start.line, location.start.character, location.end.line, location.end.character];
}

function one(text: string): ModuleFacts {
  const result = readWatModules(text);
  assert.deepEqual(
    result.findings.map((f) => f.message),
    [],
  );
  assert.equal(result.modules.length, 1);
  return result.modules[0];
}

describe('WAT reader (module facts from text)', () => {
  describe('imports', () => {
    it('reads an import field with its span, kind, index and signature', () => {
      const text = '(module\n  (import "env" "log" (func $log (param i32 i64) (result f32)))\n)';
      const facts = one(text);
      assert.equal(facts.imports.length, 1);
      const [imp] = facts.imports;
      assert.deepEqual(
        { module: imp.module, name: imp.name, kind: imp.kind, index: imp.index, type: imp.type },
        {
          module: 'env',
          name: 'log',
          kind: 'func',
          index: 0,
          type: { kind: 'func', signature: { params: ['i32', 'i64'], results: ['f32'] } },
        },
      );
      assert.deepEqual(
        range(imp.location),
        spanOf(text, '(import "env" "log" (func $log (param i32 i64) (result f32)))'),
      );
      assert.equal(facts.functions[0].imported, true);
      assert.equal(facts.functions[0].name, 'log');
      assert.deepEqual(facts.functionNames, { 0: 'log' });
    });

    it('reads inline imports on func, table, memory, global and tag at the abbreviation', () => {
      const text = [
        '(module',
        '  (func $f (import "m" "f") (param i32))',
        '  (table $t (import "m" "t") 1 2 funcref)',
        '  (memory $m (import "m" "mem") 1 2 shared)',
        '  (global $g (import "m" "g") (mut i64))',
        '  (tag $e (import "m" "e") (param i32))',
        '  (import "m" "f2" (func))',
        ')',
      ].join('\n');
      const facts = one(text);
      assert.deepEqual(
        facts.imports.map((i) => [i.module, i.name, i.kind, i.index]),
        [
          ['m', 'f', 'func', 0],
          ['m', 't', 'table', 0],
          ['m', 'mem', 'memory', 0],
          ['m', 'g', 'global', 0],
          ['m', 'e', 'tag', 0],
          ['m', 'f2', 'func', 1],
        ],
      );
      assert.deepEqual(range(facts.imports[0].location), spanOf(text, '(import "m" "f")'));
      assert.deepEqual(range(facts.imports[2].location), spanOf(text, '(import "m" "mem")'));
      assert.deepEqual(facts.imports[1].type, {
        kind: 'table',
        table: { elementType: 'funcref', initial: 1, maximum: 2, table64: false },
      });
      assert.deepEqual(facts.imports[2].type, {
        kind: 'memory',
        memory: { initial: 1, maximum: 2, shared: true, memory64: false, pageSize: 65536 },
      });
      assert.deepEqual(facts.imports[3].type, {
        kind: 'global',
        global: { valueType: 'i64', mutable: true },
      });
      assert.deepEqual(facts.imports[4].type, { kind: 'tag', signature: { params: ['i32'], results: [] } });
      assert.equal(facts.memories[0].imported, true);
      assert.deepEqual(
        range(facts.memories[0].location),
        spanOf(text, '(memory $m (import "m" "mem") 1 2 shared)'),
      );
      assert.ok(facts.proposals.includes('threads') && facts.proposals.includes('exceptions'));
    });

    it('reports an import after a definition, and reads both', () => {
      const text = '(module (func $a) (import "m" "f" (func)))';
      const result = readWatModules(text);
      assert.equal(result.findings.length, 1);
      assert.match(result.findings[0].message, /Imports must come before every definition/);
      assert.deepEqual(range(result.findings[0].location), spanOf(text, '(import "m" "f" (func))'));
    });

    it('reports a name that is not UTF-8 at its string', () => {
      const text = '(module (import "env" "\\ff" (func)))';
      const result = readWatModules(text);
      assert.equal(result.findings.length, 1);
      assert.match(result.findings[0].message, /UTF-8/);
      assert.deepEqual(range(result.findings[0].location), spanOf(text, '"\\ff"'));
    });
  });

  describe('exports', () => {
    it('reads inline and field exports in order, with spans and exportedAs', () => {
      const text = [
        '(module',
        '  (func $f (export "a") (export "b"))',
        '  (memory (export "mem") 1)',
        '  (global $g (export "g") i32 (i32.const 0))',
        '  (table (export "tab") 1 funcref)',
        '  (tag (export "tag"))',
        '  (export "f2" (func $f))',
        '  (export "later" (func $late))',
        '  (func $late)',
        ')',
      ].join('\n');
      const facts = one(text);
      assert.deepEqual(
        facts.exports.map((e) => [e.name, e.kind, e.index]),
        [
          ['a', 'func', 0],
          ['b', 'func', 0],
          ['mem', 'memory', 0],
          ['g', 'global', 0],
          ['tab', 'table', 0],
          ['tag', 'tag', 0],
          ['f2', 'func', 0],
          ['later', 'func', 1],
        ],
      );
      assert.deepEqual(range(facts.exports[1].location), spanOf(text, '(export "b")'));
      assert.deepEqual(range(facts.exports[6].location), spanOf(text, '(export "f2" (func $f))'));
      assert.deepEqual(facts.functions[0].exportedAs, ['a', 'b', 'f2']);
      assert.deepEqual(facts.memories[0].exportedAs, ['mem']);
    });

    it('resolves $"quoted ids" and plain ids as the same name', () => {
      const facts = one('(module (func $"my f") (func $x) (export "e" (func $"x")) (start $"my f"))');
      assert.equal(facts.exports[0].index, 1);
      assert.deepEqual(facts.start && { index: facts.start.funcIndex, name: facts.start.funcName }, {
        index: 0,
        name: 'my f',
      });
    });
  });

  describe('memories, tables, globals, segments', () => {
    it('sizes (memory (data …)) in whole pages and records the segment', () => {
      const big = '"' + 'a'.repeat(65536) + '" "b"';
      const facts = one(`(module (memory $m (data "hello")) (memory (data ${big})))`);
      assert.deepEqual(
        facts.memories.map((m) => [m.initial, m.maximum]),
        [
          [1, 1],
          [2, 2],
        ],
      );
      assert.deepEqual(
        facts.dataSegments.map((d) => [d.mode, d.memoryIndex, d.offset, d.size]),
        [
          ['active', 0, 0, 5],
          ['active', 1, 0, 65537],
        ],
      );
      assert.ok(facts.proposals.includes('multi-memory'));
    });

    it('reads memory64, shared, page sizes and numbers in hex and with _', () => {
      const facts = one(
        '(module (memory i64 1) (memory 0x10 1_000 shared) (memory 2 (pagesize 1)) (memory 0))',
      );
      assert.deepEqual(
        facts.memories.map((m) => [m.initial, m.maximum, m.memory64, m.shared, m.pageSize]),
        [
          [1, null, true, false, 65536],
          [16, 1000, false, true, 65536],
          [2, null, false, false, 1],
          [0, null, false, false, 65536],
        ],
      );
      assert.ok(
        ['memory64', 'threads', 'custom-page-sizes', 'multi-memory'].every((p) =>
          facts.proposals.includes(p as never),
        ),
      );
    });

    it('sizes (table funcref (elem …)) by its elements and adds the segment', () => {
      const facts = one(
        '(module (func $a) (func $b) (table $t funcref (elem $a $b $a)) (table i64 0 10 externref))',
      );
      assert.deepEqual(
        facts.tables.map((t) => [t.elementType, t.initial, t.maximum, t.table64]),
        [
          ['funcref', 3, 3, false],
          ['externref', 0, 10, true],
        ],
      );
      assert.deepEqual(
        facts.elementSegments.map((e) => [e.mode, e.tableIndex, e.count]),
        [['active', 0, 3]],
      );
    });

    it('reads data segment modes, memories and constant offsets', () => {
      const text = [
        '(module (memory 1) (memory $two 1) (global $g i32 (i32.const 0))',
        '  (data (i32.const 1024) "abc")',
        '  (data (memory $two) (offset (i32.const 0x10)) "\\00\\01")',
        '  (data $p "passive")',
        '  (data (offset (i32.const -1)) "")',
        '  (data (global.get $g) "x")',
        '  (data (i32.add (i32.const 1) (i32.const 2)) "y"))',
      ].join('\n');
      const facts = one(text);
      assert.deepEqual(
        facts.dataSegments.map((d) => [d.index, d.mode, d.memoryIndex, d.offset, d.size]),
        [
          [0, 'active', 0, 1024, 3],
          [1, 'active', 1, 16, 2],
          [2, 'passive', undefined, undefined, 7],
          [3, 'active', 0, 4294967295, 0],
          [4, 'active', 0, null, 1],
          [5, 'active', 0, 3, 1],
        ],
      );
      assert.deepEqual(range(facts.dataSegments[2].location), spanOf(text, '(data $p "passive")'));
    });

    it('reads element segment modes and counts', () => {
      const facts = one(
        '(module (table 10 funcref) (table $t2 10 funcref) (func $f) (elem (i32.const 0) $f $f) (elem (table $t2) (offset (i32.const 1)) func $f) (elem func $f) (elem declare func $f) (elem funcref (ref.func $f) (item ref.func $f)))',
      );
      assert.deepEqual(
        facts.elementSegments.map((e) => [e.mode, e.tableIndex, e.count]),
        [
          ['active', 0, 2],
          ['active', 1, 1],
          ['passive', undefined, 1],
          ['declarative', undefined, 1],
          ['passive', undefined, 2],
        ],
      );
    });

    it('reads globals, the start function and custom annotations', () => {
      const text =
        '(module (global $a i32 (i32.const 1)) (global $b (mut f64) (f64.const 0)) (func $main) (start $main) (@custom "meta" "abc" "\\00\\01"))';
      const facts = one(text);
      assert.deepEqual(
        facts.globals.map((g) => [g.valueType, g.mutable, g.imported]),
        [
          ['i32', false, false],
          ['f64', true, false],
        ],
      );
      assert.deepEqual(facts.start && [facts.start.funcIndex, facts.start.funcName], [0, 'main']);
      assert.deepEqual(range(facts.start!.location), spanOf(text, '(start $main)'));
      assert.deepEqual(
        facts.customSections.map((c) => [c.name, c.size]),
        [['meta', 5]],
      );
      assert.deepEqual(
        range(facts.customSections[0].location),
        spanOf(text, '(@custom "meta" "abc" "\\00\\01")'),
      );
    });
  });

  describe('types', () => {
    it('resolves type uses, rec groups, GC types and typed references', () => {
      const facts = one(
        [
          '(module',
          '  (type $s (struct (field $x i32) (field (mut i8))))',
          '  (rec (type $a (func (param (ref $b)))) (type $b (func (result (ref null $a)))))',
          '  (type $t (func (param i32) (result i64)))',
          '  (import "m" "f" (func (type $t)))',
          '  (import "m" "g" (func (type $a) (param (ref 2))))',
          '  (import "m" "h" (func (param funcref (ref null func) (ref extern) (ref null $s))))',
          ')',
        ].join('\n'),
      );
      assert.deepEqual(
        facts.imports.map((i) => i.type),
        [
          { kind: 'func', signature: { params: ['i32'], results: ['i64'] } },
          { kind: 'func', signature: { params: ['(ref 2)'], results: [] } },
          {
            kind: 'func',
            signature: { params: ['funcref', 'funcref', '(ref extern)', '(ref null 0)'], results: [] },
          },
        ],
      );
      assert.ok(facts.proposals.includes('gc') && facts.proposals.includes('function-references'));
    });

    it('numbers implicit types after the explicit ones', () => {
      const facts = one(
        '(module (func $f (result f64) (f64.const 0)) (type $t (func (param i32))) (func (type 1)) (func (type 0)))',
      );
      assert.deepEqual(
        facts.functions.map((f) => f.signature),
        [
          { params: [], results: ['f64'] },
          { params: [], results: ['f64'] },
          { params: ['i32'], results: [] },
        ],
      );
    });
  });

  describe('modules in scripts', () => {
    it('reads module ids, definitions, binary and quoted modules, and assertion expectations', () => {
      const text = [
        '(module $A (func (export "f")))',
        '(module definition $B (memory 1))',
        '(module $C binary "\\00asm\\01\\00\\00\\00" "\\05\\03\\01\\00\\02")',
        '(module quote "(memory 3)" "(export \\"m\\" (memory 0))")',
        '(assert_invalid (module (func (result i32))) "type mismatch")',
        '(assert_malformed (module quote "(memory)") "unexpected token")',
        '(assert_malformed (module binary "\\00asm") "unexpected end")',
        '(assert_return (invoke "f"))',
      ].join('\n');
      const result = readWatModules(text);
      assert.deepEqual(result.findings, []);
      assert.deepEqual(
        result.entries.map((e) => [e.facts.id, e.format, e.expect, e.definition]),
        [
          ['A', 'text', 'valid', false],
          ['B', 'text', 'valid', true],
          ['C', 'binary', 'valid', false],
          [undefined, 'quote', 'valid', false],
          [undefined, 'text', 'invalid', false],
          [undefined, 'quote', 'malformed', false],
          [undefined, 'binary', 'malformed', false],
        ],
      );
      assert.equal(result.modules.length, 4);
      const binary = result.modules[2];
      assert.deepEqual(
        binary.memories.map((m) => [m.initial, m.maximum]),
        [[2, null]],
      );
      assert.deepEqual(
        range(binary.memories[0].location),
        spanOf(text, '(module $C binary "\\00asm\\01\\00\\00\\00" "\\05\\03\\01\\00\\02")'),
      );
      const quoted = result.modules[3];
      assert.deepEqual(
        quoted.exports.map((e) => e.name),
        ['m'],
      );
      assert.equal(quoted.memories[0].initial, 3);
      assert.ok(result.entries[5].findings.length > 0, 'the malformed quoted module has its own findings');
      assert.ok(result.entries[6].findings.length > 0, 'the truncated binary has its own findings');
      // wabt sees `(module definition …)` as a plain module (offsets preserved).
      assert.equal(
        result.entries[1].source.kind === 'text' && result.entries[1].source.text,
        '(module            $B (memory 1))',
      );
    });

    it('reads a file of bare fields as one module', () => {
      const text = '(type $t (func))\n(func $f (export "f") (type $t))\n(memory 1)';
      const result = readWatModules(text);
      assert.deepEqual(result.findings, []);
      assert.equal(result.modules.length, 1);
      assert.deepEqual(
        result.modules[0].exports.map((e) => e.name),
        ['f'],
      );
      assert.deepEqual(range(result.modules[0].location), [0, 0, 2, 10]);
      const source = result.entries[0].source;
      assert.equal(source.kind === 'text' && source.text.slice(0, 8), '(module ');
    });
  });

  describe('tolerance', () => {
    it('reports a bad field exactly and still reads the fields after it', () => {
      const text =
        '(module\n  (func $a)\n  (memory oops)\n  (func $b (export "b"))\n  (frob)\n  (global i32 (i32.const 0)))';
      const result = readWatModules(text);
      assert.deepEqual(
        result.findings.map((f) => [f.ruleId, range(f.location)]),
        [
          ['syntax-error', spanOf(text, 'oops')],
          ['syntax-error', spanOf(text, 'frob')],
        ],
      );
      assert.match(result.findings[0].message, /initial size/);
      const facts = result.modules[0];
      assert.deepEqual(
        facts.functions.map((f) => f.name),
        ['a', 'b'],
      );
      assert.deepEqual(
        facts.exports.map((e) => [e.name, e.index]),
        [['b', 1]],
      );
      assert.equal(facts.globals.length, 1);
      assert.equal(facts.problems.length, 2);
    });

    it('reports an unknown id at the reference', () => {
      const text = '(module (func $f) (export "x" (func $nope)) (start $f))';
      const result = readWatModules(text);
      assert.deepEqual(
        result.findings.map((f) => [f.message, range(f.location)]),
        [['Unknown func $nope.', spanOf(text, '$nope')]],
      );
      assert.deepEqual(result.modules[0].exports, []);
      assert.equal(result.modules[0].start?.funcIndex, 0);
    });

    it('reports reserved tokens such as a lone $', () => {
      const text = '(module (func $))';
      const result = readWatModules(text);
      assert.deepEqual(
        result.findings.map((f) => range(f.location)),
        [spanOf(text, '$')],
      );
    });

    it('allows any tokens inside annotations but not an empty annotation id', () => {
      assert.deepEqual(readWatModules('(module (@a , ; [ ] {} (@) $ (@"q" x)) (func))').findings, []);
      const text = '(module (@) (func))';
      const result = readWatModules(text);
      assert.equal(result.findings.length, 1);
      assert.deepEqual(range(result.findings[0].location), spanOf(text, '@'));
      assert.equal(result.modules[0].functions.length, 1);
    });

    it('notes the proposals and reserved tokens of function bodies without reading them into trees', () => {
      const text =
        '(module\n  (func $f (export "f") (param i32) (local i64)\n    (return_call $f (local.get 0))\n    v128.const i32x4 0 0 0 0 drop ,)\n  (func $g (block (result i32) (i32.const 1)) drop))';
      const result = readWatModules(text);
      assert.deepEqual(
        result.findings.map((f) => range(f.location)),
        [spanOf(text, ',')],
      );
      const facts = result.modules[0];
      assert.ok(
        facts.proposals.includes('tail-call') && facts.proposals.includes('simd'),
        facts.proposals.join(),
      );
      assert.deepEqual(
        facts.functions.map((f) => [f.name, f.signature, range(f.location)]),
        [
          [
            'f',
            { params: ['i32'], results: [] },
            spanOf(text, text.slice(text.indexOf('(func $f'), text.indexOf(',)') + 2)),
          ],
          [
            'g',
            { params: [], results: [] },
            spanOf(text, '(func $g (block (result i32) (i32.const 1)) drop)'),
          ],
        ],
      );
      assert.deepEqual(
        facts.exports.map((e) => e.name),
        ['f'],
      );
    });

    it('survives 100,000 nested parentheses inside a function', () => {
      const text = '(module (func $deep ' + '(block '.repeat(100_000) + ')'.repeat(100_000) + ') (memory 1))';
      const result = readWatModules(text);
      assert.deepEqual(result.findings, []);
      assert.equal(result.modules[0].functions.length, 1);
      assert.equal(result.modules[0].memories.length, 1);
    });

    it('reads 100,000-deep nesting in any field with located errors, never a stack overflow', () => {
      const depth = 100_000;
      const fields = [
        ['(module (type (struct (field ', '))))'],
        ['(module (global i32 ', '))'],
        ['(module (data (offset ', ') "x"))'],
        ['(module (elem funcref ', '))'],
        ['(module (table 1 funcref ', '))'],
        ['(module (import "a" "b" ', '))'],
        ['(module (func (param ', '))'],
        ['(assert_invalid ', ')'],
      ];
      for (const [before, after] of fields) {
        for (const open of ['(mut ', '(i32.add ', '(ref ']) {
          const result = readWatModules(before + open.repeat(depth) + ')'.repeat(depth) + after);
          const internal = result.findings.filter((f) => /Internal error/.test(f.message));
          assert.deepEqual(internal, [], `${before}${open}…`);
        }
      }
    });

    it('reads text decoded from invalid UTF-8 (replacement characters) with located errors', () => {
      const bytes = Buffer.concat([
        Buffer.from('(module\n  (memory 1) '),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(' (func $f))'),
      ]);
      const text = new TextDecoder('utf-8').decode(bytes);
      const result = readWatModules(text);
      assert.equal(result.findings.length, 1);
      assert.match(result.findings[0].message, /Unexpected character/);
      assert.deepEqual(range(result.findings[0].location), [1, 13, 1, 15]);
      assert.equal(result.modules[0].memories.length, 1);
      assert.equal(result.modules[0].functions.length, 1);
    });

    it('keeps an unclosed module a problem of that module', () => {
      const result = readWatModules('(module\n  (func $f)');
      assert.equal(result.findings.length, 1);
      assert.equal(result.entries[0].findings.length, 1);
      assert.equal(result.modules[0].functions.length, 1);
    });
  });

  describe('agreement with the binary reader', () => {
    it('has the facts of the module wabt compiles from the same text', async () => {
      const text = [
        '(module',
        '  (type $t (func (param i32) (result i32)))',
        '  (import "env" "f" (func $imp (type $t)))',
        '  (import "env" "mem" (memory 1 10))',
        '  (global $gi (import "env" "g") (mut i32))',
        '  (memory $m2 (export "m2") 2 3)',
        '  (table $tab (export "tab") 4 funcref)',
        '  (global $g (export "g") (mut i64) (i64.const 7))',
        '  (func $main (export "main") (type $t) local.get 0)',
        '  (func $other (param f32) (result f32 f32) local.get 0 local.get 0)',
        '  (start $start)',
        '  (func $start)',
        '  (elem (table $tab) (i32.const 1) func $main $other)',
        '  (elem declare func $start)',
        // wabt 1.0.39 drops the memory index of segments in other memories, so memory 0 here.
        '  (data (memory 0) (i32.const 100) "hello")',
        '  (data "passive")',
        ')',
      ].join('\n');
      const facts = one(text);
      const compiled = await compileWat(text);
      assert.deepEqual(compiled.findings, []);
      const binary = readBinaryModule(compiled.bytes!);
      const strip = (f: ModuleFacts) => ({
        imports: f.imports.map(({ location, ...rest }) => (void location, rest)),
        exports: f.exports.map(({ location, ...rest }) => (void location, rest)),
        memories: f.memories.map(({ location, ...rest }) => (void location, rest)),
        tables: f.tables.map(({ location, ...rest }) => (void location, rest)),
        globals: f.globals.map(({ location, ...rest }) => (void location, rest)),
        functions: f.functions.map((fn) => [fn.index, fn.imported, fn.signature, fn.exportedAs]),
        start: f.start?.funcIndex,
        data: f.dataSegments.map((d) => [d.mode, d.memoryIndex, d.offset, d.size]),
        elements: f.elementSegments.map((e) => [e.mode, e.tableIndex, e.count]),
        functionCount: f.functionCount,
      });
      assert.deepEqual(strip(facts), strip(binary));
    });
  });

  describe('literals', () => {
    it('counts string bytes exactly as it decodes them', () => {
      for (const token of [
        '""',
        '"abc"',
        '"\\00\\ff\\n\\t\\r\\"\\\'\\\\"',
        '"é😀"',
        '"\\u{1F600}\\u{41}\\u{10_FFFF}"',
        '"\\q"',
        '"unterminated',
      ]) {
        assert.equal(stringByteLength(token), stringBytes(token).length, token);
      }
      assert.deepEqual([...stringBytes('"a\\00\\u{e9}"')], [0x61, 0, 0xc3, 0xa9]);
    });
  });
});
