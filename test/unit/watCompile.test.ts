import * as assert from 'node:assert/strict';
import type { SourceLocation } from '../../server/src/core/location';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { compileWat, validateWat } from '../../server/src/core/wat/compile';

function range(location: SourceLocation): number[] {
  if (location.kind !== 'text') return [];
  return [location.start.line, location.start.character, location.end.line, location.end.character];
}

describe('WAT compilation with wabt', function () {
  this.timeout(30_000);

  it('compiles a module to bytes the binary reader reads', async () => {
    const result = await compileWat(
      '(module (memory (export "m") 1 2) (func (export "f") (result i32) i32.const 42))',
    );
    assert.deepEqual(result.findings, []);
    assert.ok(result.bytes);
    assert.deepEqual([...result.bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
    const facts = readBinaryModule(result.bytes);
    assert.deepEqual(facts.problems, []);
    assert.deepEqual(
      facts.exports.map((e) => [e.name, e.kind]),
      [
        ['m', 'memory'],
        ['f', 'func'],
      ],
    );
  });

  it('enables post-MVP features, multiple memories included', async () => {
    const result = await compileWat(
      '(module (memory 1) (memory $b i64 1) (memory 1 1 shared) (func (param v128) (result i32) (i32.load $b (i64.const 0))) (tag))',
    );
    assert.deepEqual(result.findings, []);
    const facts = readBinaryModule(result.bytes!);
    assert.deepEqual(
      facts.memories.map((m) => [m.memory64, m.shared]),
      [
        [false, false],
        [true, false],
        [false, true],
      ],
    );
  });

  it('reports a parse error as syntax-error at the offending token', async () => {
    const text = '(module\n  (func (i32.bogus)))';
    const result = await compileWat(text, 'x.wat');
    assert.equal(result.bytes, undefined);
    assert.deepEqual(
      result.findings.map((f) => [f.ruleId, range(f.location)]),
      [['syntax-error', [1, 9, 1, 18]]],
    );
    assert.match(result.findings[0].message, /unexpected token "i32.bogus"/);
  });

  it('names a misspelt instruction and suggests the nearest one', async () => {
    const folded = await compileWat('(module\n  (func (result i32) (i32.cnst 1)))', 'x.wat');
    assert.equal(
      folded.findings[0].message,
      'Unknown instruction "i32.cnst". Did you mean "i32.const"? (wabt: unexpected token "i32.cnst", expected an instr.)',
    );
    const flat = await compileWat('(module\n  (func (param i32) (result i32) local.gte 0))', 'x.wat');
    assert.match(flat.findings[0].message, /^Unknown instruction "local\.gte"\. Did you mean "local\.get"\?/);
  });

  it('reports a validation error as invalid-module at its place', async () => {
    const text = '(module\n  (func (result i32)\n    i64.const 1))';
    const findings = await validateWat(text);
    assert.equal(findings.length, 1);
    assert.equal(findings[0].ruleId, 'invalid-module');
    assert.match(findings[0].message, /type mismatch/);
    assert.deepEqual(range(findings[0].location), [2, 4, 2, 13]);
  });

  it('reports an unknown name as a syntax error at the name', async () => {
    const text = '(module (func call $missing))';
    const findings = await validateWat(text);
    assert.deepEqual(
      findings.map((f) => [f.ruleId, range(f.location)]),
      [['syntax-error', [0, 19, 0, 27]]],
    );
  });

  it('counts columns in UTF-16 after non-ASCII text on the line', async () => {
    // wabt counts bytes: "é" is two bytes but one UTF-16 unit, "😀" four bytes and two units.
    const text = '(module (data "é😀") (func (bogus)))';
    const findings = await validateWat(text);
    assert.equal(findings.length, 1);
    const at = text.indexOf('bogus');
    assert.deepEqual(range(findings[0].location), [0, at, 0, at + 'bogus'.length]);
  });

  it('compiles non-ASCII string contents as UTF-8', async () => {
    const result = await compileWat('(module (memory 1) (data (i32.const 0) "é😀"))');
    const bytes = result.bytes!;
    assert.deepEqual([...bytes.subarray(bytes.length - 6)], [0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]);
  });

  it('reports every error wabt finds', async () => {
    const text = '(module (func (bogus1)) (func (bogus2)))';
    const findings = await validateWat(text);
    assert.ok(findings.length >= 2, JSON.stringify(findings));
    assert.deepEqual(range(findings[0].location), [0, 15, 0, 21]);
  });

  it('gives no bytes, and says why, when wabt writes a binary that does not decode', async () => {
    // wabt 1.0.39 drops the memory index of a data segment in a second memory.
    const result = await compileWat('(module (memory 1) (memory $b 1) (data (memory $b) (i32.const 0) "x"))');
    assert.equal(result.bytes, undefined);
    assert.equal(result.findings.length, 1);
    assert.equal(result.findings[0].severity, 'warning');
    assert.match(result.findings[0].message, /wabt wrote a binary for it that does not decode/);
  });

  it('validates a valid module to no findings', async () => {
    assert.deepEqual(await validateWat('(module (func (export "f")))'), []);
  });
});
