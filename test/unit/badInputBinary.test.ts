import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { scanFunctionBodies } from '../../server/src/core/module/code';
import type { ModuleFacts } from '../../server/src/core/module/model';
import { validateBinary } from '../../server/src/core/module/validate';
import { encodeVarUint32 } from '../../server/src/core/module/byteReader';
import { sharedTestdata } from '../support/sharedTestdata';

const PREAMBLE = '0061736d01000000';
const SIGNED = sharedTestdata('wasm-signatures', 'modules', '03_signed_key1_key2.wasm');

function hex(...parts: string[]): Uint8Array {
  return Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex');
}

/** The one problem of a malformed module, as [offset, message]. */
function problem(bytes: Uint8Array): [number, string] {
  const facts = readBinaryModule(bytes);
  const errors = facts.problems.filter((p) => p.severity === 'error');
  assert.equal(errors.length, 1, `one error expected, got ${JSON.stringify(facts.problems)}`);
  const [error] = errors;
  assert.equal(error.ruleId, 'invalid-module');
  assert.equal(error.location.kind, 'binary');
  return [error.location.kind === 'binary' ? error.location.offset : -1, error.message];
}

/** Every problem is located inside the file (or at its very end for truncation). */
function assertLocated(facts: ModuleFacts, length: number): void {
  for (const p of facts.problems) {
    assert.equal(p.location.kind, 'binary');
    if (p.location.kind === 'binary') {
      assert.ok(
        p.location.offset >= 0 && p.location.offset <= length,
        `offset ${p.location.offset} outside 0..${length}`,
      );
      assert.ok(p.message.length > 0);
    }
  }
}

describe('bad binary input: always a located error, never a throw', () => {
  it('wrong magic', () => {
    assert.deepEqual(problem(hex('00617370 01000000')), [
      0,
      'magic header not detected: this is not a WebAssembly binary (expected \\0asm)',
    ]);
    assert.deepEqual(problem(new Uint8Array(0)), [
      0,
      'unexpected end: a module starts with the 4-byte magic \\0asm',
    ]);
    assert.deepEqual(problem(hex('7b2261223a317d')), [
      0,
      'magic header not detected: this is not a WebAssembly binary (expected \\0asm)',
    ]);
  });

  it('wrong version', () => {
    assert.deepEqual(problem(hex('0061736d 02000000')), [
      4,
      'unknown binary version 02 00 00 00 (expected 01 00 00 00)',
    ]);
    assert.deepEqual(problem(hex('0061736d 0100')), [4, 'unexpected end: the version field is missing']);
  });

  it('truncated at every section boundary, and one byte past it', () => {
    const bytes = new Uint8Array(readFileSync(SIGNED));
    const full = readBinaryModule(bytes);
    assert.deepEqual(full.problems, []);
    const boundaries = full.sections!.map((s) => s.offset);
    assert.ok(boundaries.length >= 8, 'the fixture has many sections');
    for (const boundary of boundaries) {
      for (const cut of [boundary + 1, boundary + 2, boundary + 3]) {
        const truncated = bytes.subarray(0, cut);
        const facts = readBinaryModule(truncated);
        assertLocated(facts, cut);
        const errors = facts.problems.filter((p) => p.severity === 'error');
        assert.ok(errors.length > 0, `cut at ${cut} must be reported`);
        assert.match(errors[0].message, /unexpected end|runs past the end|inconsistent lengths/);
        assert.doesNotThrow(() => validateBinary(truncated));
      }
    }
  });

  it('truncated at every byte: no throw, every problem located', () => {
    const bytes = new Uint8Array(readFileSync(SIGNED));
    for (let cut = 0; cut < bytes.length; cut++) {
      const truncated = bytes.subarray(0, cut);
      const facts = readBinaryModule(truncated);
      assertLocated(facts, cut);
      scanFunctionBodies(truncated, { facts });
    }
  });

  it('a section size past the end', () => {
    assert.deepEqual(problem(hex(PREAMBLE, '01 7f 01 60 00 00')), [
      9,
      'section size 127 of the type section runs past the end of the module (4 bytes left)',
    ]);
  });

  it('LEB128 longer than allowed', () => {
    // a section size in 6 bytes (u32 allows 5)
    assert.deepEqual(problem(hex(PREAMBLE, '01 808080808000')), [
      9,
      'integer representation too long (LEB128 over 5 bytes)',
    ]);
    // fifth byte carrying bits beyond 32
    assert.deepEqual(problem(hex(PREAMBLE, '01 8080808070')), [9, 'integer too large']);
    // an i32.const in a global initialiser with 6 bytes
    assert.deepEqual(problem(hex(PREAMBLE, '06 0b 01 7f 00 41 808080808000 0b')), [
      14,
      'integer representation too long (LEB128 over 5 bytes)',
    ]);
  });

  it('counts of 2^32-1 are rejected before anything is allocated', () => {
    const huge = 'ffffffff0f';
    for (const id of ['01', '02', '03', '05', '06', '07', '09', '0a', '0b']) {
      const [offset, message] = problem(hex(PREAMBLE, id, '05', huge));
      assert.equal(offset, 10);
      assert.match(message, /count 4294967295 is larger than the remaining 0 bytes allow/);
    }
    // inside a function body: 2^32-1 local groups, and a br_table of 2^32-1 labels
    const bodies = [`${huge} 0b`, `00 41 00 0e ${huge} 0b`];
    for (const body of bodies) {
      const b = hex(body);
      const module = hex(
        PREAMBLE,
        '01 04 01 60 00 00',
        '03 02 01 00',
        '0a',
        (b.length + 2).toString(16).padStart(2, '0'),
        '01',
        b.length.toString(16).padStart(2, '0'),
        body,
      );
      const facts = readBinaryModule(module);
      assert.deepEqual(facts.problems, []);
      const scan = scanFunctionBodies(module, { facts });
      assert.equal(scan.problems.length, 1);
      assert.match(scan.problems[0].message, /count 4294967295|integer/);
    }
  });

  it('invalid UTF-8 in names', () => {
    // import module name "\xff"
    assert.deepEqual(problem(hex(PREAMBLE, '02 08 01 01 ff 01 61 00 00 00')), [
      12,
      'malformed UTF-8 encoding in a name',
    ]);
    // export name with a truncated two-byte sequence
    assert.deepEqual(problem(hex(PREAMBLE, '07 05 01 01 c3 00 00')), [
      12,
      'malformed UTF-8 encoding in a name',
    ]);
    // custom section name (overlong encoding of '/')
    assert.deepEqual(problem(hex(PREAMBLE, '00 03 02 c0af')), [11, 'malformed UTF-8 encoding in a name']);
  });

  it('sections out of order, duplicated, unknown', () => {
    assert.match(problem(hex(PREAMBLE, '03 01 00', '01 01 00'))[1], /unexpected type section/);
    assert.match(problem(hex(PREAMBLE, '01 01 00', '01 01 00'))[1], /unexpected type section/);
    assert.deepEqual(problem(hex(PREAMBLE, '2a 00')), [8, 'malformed section id 42']);
  });

  it('a broken section does not hide the sections after it', () => {
    const facts = readBinaryModule(hex(PREAMBLE, '01 03 01 99 00', '07 05 01 01 78 02 00'));
    assert.equal(facts.problems.length, 1);
    assert.deepEqual(
      facts.exports.map((e) => e.name),
      ['x'],
    );
  });

  it('malformed function bodies are located by the body scan', () => {
    // body without end, and an illegal opcode
    for (const [body, pattern] of [
      ['00 01', /must end with the end opcode/],
      ['00 ff 0b', /illegal opcode 0xff/],
    ] as const) {
      const b = hex(body);
      const module = hex(
        PREAMBLE,
        '01 04 01 60 00 00',
        '03 02 01 00',
        '0a',
        (b.length + 2).toString(16).padStart(2, '0'),
        '01',
        b.length.toString(16).padStart(2, '0'),
        body,
      );
      const scan = scanFunctionBodies(module);
      assert.equal(scan.problems.length, 1);
      assert.match(scan.problems[0].message, pattern);
      assert.equal(scan.problems[0].location.kind, 'binary');
    }
  });

  it('components: truncated and hostile input', () => {
    const component = hex('0061736d0d000100', '0a 06 01 00 01 61 05 00');
    assert.deepEqual(readBinaryModule(component).problems, []);
    for (let cut = 8; cut < component.length; cut++)
      assertLocated(readBinaryModule(component.subarray(0, cut)), cut);
    // a nested core module that is garbage: located inside the outer file
    const nested = readBinaryModule(hex('0061736d0d000100', '01 04 deadbeef'));
    assert.deepEqual(
      nested.problems.map((p) => [p.location.kind === 'binary' ? p.location.offset : -1, p.message]),
      [[10, 'magic header not detected: this is not a WebAssembly binary (expected \\0asm)']],
    );
    assert.deepEqual(validateBinary(component), []);
  });

  it('components nested 100 deep: a located error at the limit, no stack overflow', () => {
    const preamble = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
    let bytes = Uint8Array.from(preamble);
    for (let depth = 0; depth < 100; depth++)
      bytes = Uint8Array.from([...preamble, 0x04, ...encodeVarUint32(bytes.length), ...bytes]);
    const facts = readBinaryModule(bytes);
    assertLocated(facts, bytes.length);
    assert.deepEqual(
      facts.problems.map((p) => p.message),
      ['components nested more than 64 deep'],
    );
  });

  it('deterministic mutations of a real module never throw', () => {
    const original = new Uint8Array(readFileSync(SIGNED));
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let round = 0; round < 300; round++) {
      const bytes = new Uint8Array(original);
      for (let k = 0; k < 3; k++) bytes[8 + (random() % (bytes.length - 8))] = random() & 0xff;
      const facts = readBinaryModule(bytes);
      assertLocated(facts, bytes.length);
      scanFunctionBodies(bytes, { facts });
    }
  });
});
