import * as assert from 'node:assert/strict';
import { checkWatSyntax } from '../../server/src/core/wat/syntax';

function at(text: string) {
  return checkWatSyntax(text).map((f) => ({
    message: f.message,
    range:
      f.location.kind === 'text'
        ? [f.location.start.line, f.location.start.character, f.location.end.line, f.location.end.character]
        : null,
  }));
}

describe('WAT syntax diagnostics', () => {
  const valid = [
    '(module)',
    '(module $m (func $f (param i32) (result i32) local.get 0))',
    '(func) (memory 1)',
    ';; comment\n(module (; block (; nested ;) ;) )',
    '(module (data "\\00\\ff\\n\\t\\u{1F600}\\"\\\'\\\\"))',
    '(module (func $"quoted id" (f64.const 0x1.8p+3) (f32.const nan:0x200000) (f64.const -inf) (i32.const 1_000)))',
    '(module (@custom "x" "y"))',
    '(assert_invalid (module (func (result i32))) "type mismatch")',
  ];
  for (const text of valid) {
    it(`accepts ${JSON.stringify(text).slice(0, 60)}`, () => assert.deepEqual(at(text), []));
  }

  it('reports an unclosed paren at its open paren', () => {
    assert.deepEqual(at('(module\n  (func)'), [
      { message: 'Unbalanced "(": this list is never closed.', range: [0, 0, 0, 1] },
    ]);
  });

  it('reports a stray close paren where it is', () => {
    assert.deepEqual(at('(module))'), [
      { message: 'Unbalanced ")": nothing to close here.', range: [0, 8, 0, 9] },
    ]);
  });

  it('reports an unterminated string from its quote to the line end', () => {
    const r = at('(module (data "abc\n))');
    assert.equal(r.length, 1);
    assert.deepEqual(r[0].range, [0, 14, 0, 18]);
    assert.match(r[0].message, /Unterminated string/);
  });

  it('reports an unterminated block comment at its start', () => {
    assert.deepEqual(at('(module)\n  (; never closed'), [
      { message: 'Unterminated block comment: "(;" has no matching ";)".', range: [1, 2, 1, 4] },
    ]);
  });

  it('reports a bad escape exactly', () => {
    const r = at('(module (data "a\\qb"))');
    assert.equal(r.length, 1);
    assert.deepEqual(r[0].range, [0, 16, 0, 18]);
    assert.match(r[0].message, /Bad escape "\\q"/);
  });

  it('reports an unknown top-level form at its keyword', () => {
    assert.deepEqual(at('(modul)'), [
      {
        message:
          'Unknown top-level form "(modul": expected "module", a module field (func, memory, import, ...) or a script command.',
        range: [0, 1, 0, 6],
      },
    ]);
  });

  it('reports stray atoms at top level', () => {
    const r = at('module');
    assert.equal(r.length, 1);
    assert.deepEqual(r[0].range, [0, 0, 0, 6]);
  });

  it('counts positions in UTF-16 code units after non-ASCII strings and CRLF lines', () => {
    const r = at('(module (data "😀"))\r\n(bogus)');
    assert.deepEqual(r[0].range, [1, 1, 1, 6]);
  });

  it('lexes , ; [ ] { } as reserved tokens: fine inside annotations, reported at top level', () => {
    assert.deepEqual(at('(module (@a , ; [ ] {x} (@) "s"))'), []);
    const r = at('(module) ; ]');
    assert.deepEqual(
      r.map((f) => f.range),
      [
        [0, 9, 0, 10],
        [0, 11, 0, 12],
      ],
    );
  });

  it('handles 100,000 nested parentheses without recursion', () => {
    const r = at('(module ' + '('.repeat(100_000));
    assert.equal(r.length, 1);
    assert.match(r[0].message, /and 100000 inside it/);
  });
});
