/**
 * Tokenises test/fixtures/grammar/all-tokens.wat with the shipped TextMate grammar (the same engine
 * VS Code uses: vscode-textmate over the Oniguruma wasm) and checks the scope of chosen tokens.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadGrammar, tokenize, type Token } from '../support/textmate';

const root = path.resolve(__dirname, '..', '..', '..');

describe('WAT TextMate grammar', () => {
  let tokens: Token[] = [];
  let lines: string[] = [];

  before(async () => {
    const text = readFileSync(path.join(root, 'test', 'fixtures', 'grammar', 'all-tokens.wat'), 'utf8');
    lines = text.split(/\r?\n/);
    tokens = tokenize(await loadGrammar('source.wat', 'wat.tmLanguage.json'), text);
  });

  /** The `nth` token spelled `text` on the first fixture line that contains `lineNeedle`. */
  function token(lineNeedle: string, text: string, nth = 0): Token {
    const line = lines.findIndex((l) => l.includes(lineNeedle));
    assert.ok(line >= 0, `fixture line containing ${JSON.stringify(lineNeedle)}`);
    const found = tokens.filter((t) => t.line === line && t.text === text)[nth];
    const seen = tokens.filter((t) => t.line === line).map((t) => t.text);
    assert.ok(
      found,
      `token ${JSON.stringify(text)} #${nth} on line ${line + 1}; tokens there: ${JSON.stringify(seen)}`,
    );
    return found;
  }

  /** Asserts the innermost scope of a token (and, optionally, that an enclosing scope is present). */
  function expectScope(lineNeedle: string, text: string, scope: string, enclosing?: string, nth = 0): void {
    const t = token(lineNeedle, text, nth);
    assert.equal(t.scopes.at(-1), scope, `${JSON.stringify(text)} on "${lineNeedle}": ${t.scopes.join(' ')}`);
    if (enclosing)
      assert.ok(
        t.scopes.includes(enclosing),
        `${JSON.stringify(text)} inside ${enclosing}: ${t.scopes.join(' ')}`,
      );
  }

  function expectAll(lineNeedle: string, texts: string[], scope: string): void {
    for (const text of texts) expectScope(lineNeedle, text, scope);
  }

  describe('comments and annotations', () => {
    it('scopes a line comment, its marker and a trailing comment', () => {
      expectScope(
        ';; all-tokens.wat',
        ';;',
        'punctuation.definition.comment.wat',
        'comment.line.double-semicolon.wat',
      );
      expectScope('"type mismatch")', ' trailing comment', 'comment.line.double-semicolon.wat');
    });

    it('keeps a nested block comment open until its own end', () => {
      expectScope(
        '(; a block comment',
        '(;',
        'punctuation.definition.comment.begin.wat',
        'comment.block.wat',
        1,
      );
      expectScope('(; a block comment', ' still a comment ', 'comment.block.wat');
      expectScope(
        '(; a block comment',
        ';)',
        'punctuation.definition.comment.end.wat',
        'comment.block.wat',
        1,
      );
      const afterComment = token('(module $all', 'module');
      assert.ok(
        !afterComment.scopes.some((s) => s.startsWith('comment')),
        'the line after the comment is code',
      );
    });

    it('scopes an annotation with its name, strings and nesting', () => {
      expectScope('(@custom', '@custom', 'entity.name.tag.annotation.wat', 'meta.annotation.wat');
      expectScope('(@custom', '\\00', 'constant.character.escape.wat', 'meta.annotation.wat');
      // the annotation closes at its own ")" and not at the nested one
      expectScope('(@custom', ')', 'punctuation.definition.annotation.end.wat', 'meta.annotation.wat', 1);
    });
  });

  describe('module structure', () => {
    it('scopes module fields as declarations', () => {
      expectScope('(module $all', 'module', 'keyword.declaration.module.wat');
      expectScope('(module $all', '$all', 'entity.name.module.wat');
      expectAll('(import "wasi', ['import'], 'keyword.declaration.wat');
      expectAll('(type $sig (func', ['param', 'result'], 'keyword.declaration.wat');
      expectAll('(memory $mem i64', ['memory'], 'keyword.declaration.wat');
      expectAll('(elem declare', ['elem'], 'keyword.declaration.wat');
      expectAll('(data (memory $mem)', ['data', 'memory', 'offset'], 'keyword.declaration.wat');
      expectAll('(export "main"', ['export'], 'keyword.declaration.wat');
      expectAll('(start $main)', ['start'], 'keyword.declaration.wat');
      expectAll('(tag $oops', ['tag'], 'keyword.declaration.wat');
      expectAll('(rec (type $node', ['rec', 'sub', 'field'], 'keyword.declaration.wat');
      expectAll('(local $tmp f64)', ['local'], 'keyword.declaration.wat');
    });

    it('names functions and types where they are defined and called', () => {
      expectScope('(func $main (param $x', '$main', 'entity.name.function.wat');
      expectScope('(func $main (param $x', 'func', 'keyword.declaration.function.wat');
      expectScope('(type $sig (func', '$sig', 'entity.name.type.wat');
      expectScope('call $fd_write', '$fd_write', 'entity.name.function.wat');
      expectScope('call $fd_write', '$main', 'entity.name.function.wat');
      expectScope('ref.func $main', '$main', 'entity.name.function.wat');
    });

    it('scopes other ids as variables, including quoted ids', () => {
      expectScope('(func $main (param $x', '$x', 'variable.other.wat');
      expectScope('local.get $x', '$g', 'variable.other.wat');
      expectScope('(func $"quoted id', '$"quoted id', 'entity.name.function.wat');
      expectScope('(func $"quoted id', '\\41', 'constant.character.escape.wat', 'entity.name.function.wat');
    });

    it('treats a backslash in a plain id as an id character, not an escape', () => {
      expectScope('(func $plain', '$plain\\<id>', 'entity.name.function.wat', undefined, 0);
      expectScope('(func $plain', '$plain\\<id>', 'entity.name.function.wat', undefined, 1);
    });

    it('scopes value, reference and heap types and modifiers', () => {
      expectAll('(type $sig (func', ['i32', 'i64', 'f32', 'f64'], 'storage.type.wat');
      expectAll('(global $g (mut v128)', ['v128'], 'storage.type.wat');
      expectAll('(table $tab 4 funcref)', ['funcref'], 'storage.type.wat');
      expectAll('(type $bytes', ['i8'], 'storage.type.wat');
      expectAll('(rec (type $node', ['struct', 'ref', 'null'], 'storage.type.heap.wat');
      expectAll('(type $bytes', ['array'], 'storage.type.heap.wat');
      expectAll('br_on_cast 0 anyref', ['anyref'], 'storage.type.wat');
      expectAll('(global $g (mut v128)', ['i32x4'], 'storage.type.vector-shape.wat');
      expectAll('(rec (type $node', ['final', 'mut'], 'storage.modifier.wat');
      expectAll('(memory $mem i64', ['shared'], 'storage.modifier.wat');
      expectAll('(memory $mem i64', ['i64'], 'storage.type.wat');
      expectAll('(elem declare', ['declare'], 'storage.modifier.wat');
      expectAll('ref.null func', ['func'], 'storage.type.heap.wat');
    });
  });

  describe('instructions', () => {
    it('control, exceptions and tail calls', () => {
      expectAll('unreachable nop', ['unreachable', 'nop'], 'keyword.control.wat');
      expectAll('block $out', ['block', 'loop', 'br', 'br_if', 'br_table', 'end'], 'keyword.control.wat');
      expectAll('if (result i32)', ['if', 'else'], 'keyword.control.wat');
      expectAll(
        'call $fd_write',
        ['call', 'return_call', 'call_indirect', 'return_call_ref', 'call_ref'],
        'keyword.control.wat',
      );
      expectAll(
        'try $t',
        ['try', 'catch', 'catch_all', 'delegate', 'throw', 'rethrow'],
        'keyword.control.wat',
      );
      expectAll('try_table', ['try_table', 'catch_ref', 'catch_all_ref', 'throw_ref'], 'keyword.control.wat');
      expectAll('br_on_cast 0', ['br_on_cast', 'br_on_null'], 'keyword.control.wat');
    });

    it('gives instructions scopes default themes colour (Dark+ paints keyword.operator as plain text)', () => {
      for (const [line, text] of [
        ['local.get $x', 'local.get'],
        ['i32.const 1_000_000', 'i32.const'],
        ['unreachable nop', 'drop'],
      ]) {
        const leaf = token(line, text, 0).scopes.at(-1) ?? '';
        assert.match(leaf, /^keyword\./, `${text}: ${leaf}`);
        assert.doesNotMatch(leaf, /^keyword\.operator\./, `${text}: ${leaf}`);
      }
    });

    it('parametric, variable and table', () => {
      expectAll('unreachable nop', ['drop', 'select'], 'keyword.other.parametric.wat');
      expectAll(
        'local.get $x',
        ['local.get', 'local.set', 'local.tee', 'global.get', 'global.set'],
        'keyword.other.variable.wat',
      );
      expectAll(
        'table.get $tab',
        ['table.get', 'table.size', 'table.grow', 'elem.drop'],
        'keyword.other.table.wat',
      );
    });

    it('memory, with memarg offset= and align=', () => {
      expectAll(
        'i32.load offset=16',
        ['i32.load', 'i64.store8', 'i32.load8_u', 'memory.size', 'memory.grow', 'memory.copy', 'data.drop'],
        'keyword.other.memory.wat',
      );
      expectScope('i32.load offset=16', 'offset', 'variable.parameter.memarg.wat');
      expectScope('i32.load offset=16', 'align', 'variable.parameter.memarg.wat');
      expectScope('i32.load offset=16', '=', 'keyword.operator.assignment.wat');
      expectScope('i32.load offset=16', '16', 'constant.numeric.integer.wat');
      expectScope('i32.load offset=16', '0x10', 'constant.numeric.integer.wat');
    });

    it('numeric, sign extension and conversions', () => {
      expectAll(
        'i32.add i64.div_u',
        ['i32.add', 'i64.div_u', 'f32.sqrt', 'f64.copysign', 'i32.extend8_s', 'i64.extend32_s', 'i32.eqz'],
        'keyword.other.numeric.wat',
      );
      expectAll(
        'i32.wrap_i64',
        [
          'i32.wrap_i64',
          'i64.extend_i32_s',
          'i32.trunc_sat_f32_u',
          'f64.convert_i64_u',
          'f32.demote_f64',
          'i64.reinterpret_f64',
        ],
        'keyword.other.conversion.wat',
      );
      expectAll('i32.const 1_000_000', ['i32.const', 'i64.const'], 'keyword.other.constant.wat');
      expectAll('f64.const 1.5e-3', ['f64.const'], 'keyword.other.constant.wat');
    });

    it('SIMD, including shuffles, lanes and relaxed SIMD', () => {
      expectAll(
        'v128.and i8x16.shuffle',
        ['v128.and', 'i8x16.shuffle', 'i32x4.extract_lane', 'f32x4.relaxed_madd'],
        'keyword.other.vector.wat',
      );
      expectScope('v128.and i8x16.shuffle', 'v128.load32_zero', 'keyword.other.memory.wat');
      expectScope('(global $g (mut v128)', 'v128.const', 'keyword.other.constant.wat');
    });

    it('atomics: wait, notify, fence, rmw and cmpxchg', () => {
      expectAll(
        'memory.atomic.notify',
        [
          'memory.atomic.notify',
          'memory.atomic.wait32',
          'atomic.fence',
          'i32.atomic.rmw.cmpxchg',
          'i64.atomic.rmw16.add_u',
          'i32.atomic.load',
        ],
        'keyword.other.atomic.wat',
      );
    });

    it('reference types and GC', () => {
      expectAll(
        'ref.null func',
        [
          'ref.null',
          'ref.is_null',
          'ref.func',
          'ref.as_non_null',
          'ref.eq',
          'ref.test',
          'ref.cast',
          'ref.i31',
          'i31.get_s',
        ],
        'keyword.other.reference.wat',
      );
      expectAll(
        'struct.new $node',
        [
          'struct.new',
          'struct.get_u',
          'array.new_fixed',
          'array.len',
          'any.convert_extern',
          'extern.convert_any',
        ],
        'keyword.other.gc.wat',
      );
    });
  });

  describe('numbers', () => {
    it('integers: decimal, signed, hex, with separators', () => {
      expectAll('i32.const 1_000_000', ['1_000_000', '-42'], 'constant.numeric.integer.wat');
      expectAll(
        'i32.const 1_000_000',
        ['+0xFF_FF', '0x7fffffffffffffff'],
        'constant.numeric.integer.hexadecimal.wat',
      );
    });

    it('floats: exponent, trailing dot, separators, hex floats', () => {
      expectAll('f64.const 1.5e-3', ['1.5e-3', '3.', '1_0.2_5E+1_0'], 'constant.numeric.float.wat');
      expectAll(
        'f64.const 1.5e-3',
        ['0x1.8p+3', '-0xA.Bp-2', '0x1F.'],
        'constant.numeric.float.hexadecimal.wat',
      );
    });

    it('inf and nan, with payloads and wast patterns', () => {
      expectAll('f64.const inf', ['inf', '-inf'], 'constant.numeric.float.inf.wat');
      expectAll('f64.const inf', ['nan', '-nan:0x8_0000'], 'constant.numeric.float.nan.wat');
      expectScope('(assert_return (invoke', 'nan:canonical', 'constant.numeric.float.nan.wat');
    });

    it('flags malformed numbers', () => {
      expectAll('f64.const inf', ['1__0', '12ab'], 'invalid.illegal.number.wat');
    });
  });

  describe('strings', () => {
    it('scopes the string and each valid escape', () => {
      expectScope('(data (memory', 'tab', 'string.quoted.double.wat');
      expectAll('(data (memory', ['\\t', '\\"', '\\7f', '\\u{1F600}'], 'constant.character.escape.wat');
    });

    it('flags an invalid escape', () => {
      expectScope('(data (memory', '\\q', 'invalid.illegal.escape.wat', 'string.quoted.double.wat');
    });

    it('ends an unterminated string at the end of its line', () => {
      expectScope('"unterminated string', 'unterminated string', 'string.quoted.double.wat');
      const previous = token(';; #endregion', ' #endregion');
      assert.deepEqual(previous.scopes, ['source.wat', 'comment.line.double-semicolon.wat']);
      expectScope('(func $plain', 'module', 'keyword.declaration.module.wat');
    });
  });

  describe('wast scripts', () => {
    it('scopes script commands', () => {
      expectScope('(assert_return (invoke', 'assert_return', 'keyword.other.wast.wat');
      expectScope('(assert_return (invoke', 'invoke', 'keyword.other.wast.wat');
      expectScope('(assert_trap', 'assert_trap', 'keyword.other.wast.wat');
      expectScope('(register "all"', 'register', 'keyword.other.wast.wat');
      expectScope('(assert_invalid', 'assert_invalid', 'keyword.other.wast.wat');
    });
  });
});
