import * as assert from 'node:assert/strict';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { ENGINE_LIMITS } from '../../server/src/core/module/engineLimits';
import { engine } from '../../server/src/core/module/engineSupport';
import { leb } from '../support/wasmBytes';

// Counts past the engines' limits are refused before a fact is built for each entry: a section
// of one-byte entries can declare as many entries as it has bytes, and facts cost far more.

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const ONE_TYPE = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00]; // type 0: [] -> []

function section(id: number, payload: number[] | Uint8Array): Uint8Array {
  return Uint8Array.from([id, ...leb(payload.length), ...payload]);
}

function moduleOf(...parts: Array<number[] | Uint8Array>): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A vector payload: the count, then `count` copies of `entry`. */
function vector(count: number, entry: number[]): Uint8Array {
  const head = leb(count);
  const out = new Uint8Array(head.length + count * entry.length);
  out.set(head);
  for (let i = 0; i < count; i++) out.set(entry, head.length + i * entry.length);
  return out;
}

function errors(bytes: Uint8Array): Array<{ offset: number; message: string }> {
  return readBinaryModule(bytes)
    .problems.filter((p) => p.severity === 'error')
    .map((p) => ({ offset: p.location.kind === 'binary' ? p.location.offset : -1, message: p.message }));
}

function overLimit(bytes: Uint8Array): Array<{ offset: number; message: string }> {
  return errors(bytes).filter((e) => / is more than the /.test(e.message));
}

describe('engine limits in the module reader', () => {
  it('refuses a function section past 1,000,000 functions at its count, with the count in the message', () => {
    const payload = vector(1_000_001, [0x00]);
    const found = overLimit(moduleOf(HEADER, ONE_TYPE, section(3, payload)));
    assert.equal(found.length, 1);
    // The count's first byte: after the header, the type section and the function section's id and size.
    assert.equal(found[0].offset, HEADER.length + ONE_TYPE.length + 1 + leb(payload.length).length);
    assert.match(found[0].message, /^1000001 functions is more than the 1,000,000 a module may have/);
  });

  it('counts imported functions toward the function limit', () => {
    const importEntry = [0x01, 0x6d, 0x01, 0x66, 0x00, 0x00]; // "m" "f" (func 0)
    const imports = section(2, [0x02, ...importEntry, ...importEntry]);
    const atLimit = moduleOf(HEADER, ONE_TYPE, imports, section(3, vector(999_998, [0x00])));
    const past = moduleOf(HEADER, ONE_TYPE, imports, section(3, vector(999_999, [0x00])));
    assert.deepEqual(overLimit(atLimit), []);
    assert.equal(overLimit(past).length, 1);
    assert.match(overLimit(past)[0].message, /^1000001 functions/);
  });

  it('agrees with the engine on data segments: 100,000 pass, 100,001 do not', () => {
    const memory = section(5, [0x01, 0x00, 0x01]);
    const segment = [0x00, 0x41, 0x00, 0x0b, 0x00]; // active, offset i32.const 0, no bytes
    const at = (n: number) => moduleOf(HEADER, memory, section(11, vector(n, segment)));
    assert.equal(ENGINE_LIMITS.dataSegments.max, 100_000);
    assert.deepEqual(errors(at(100_000)), []);
    assert.equal(engine.validate(at(100_000)), true);
    assert.equal(overLimit(at(100_001)).length, 1);
    assert.equal(engine.validate(at(100_001)), false);
  });

  it('counts the types of recursion groups toward the type limit', () => {
    // One group of 1,000,001 function types (0x4e count, then each type).
    const group = vector(1_000_001, [0x60, 0x00, 0x00]);
    const types = section(1, Uint8Array.from([0x01, 0x4e, ...group]));
    const found = overLimit(moduleOf(HEADER, types));
    assert.equal(found.length, 1);
    assert.match(found[0].message, /^1000001 types/);
  });

  it('leaves names unread past 1,000,000 function names, as a warning, and keeps the module', () => {
    const nameEntry = [0x00, 0x00]; // function 0, empty name
    const map = vector(1_000_001, nameEntry);
    const subsection = Uint8Array.from([0x01, ...leb(map.length), ...map]);
    const payload = moduleOf([0x04, ...Buffer.from('name')], subsection);
    const facts = readBinaryModule(moduleOf(HEADER, section(0, payload)));
    assert.deepEqual(
      facts.problems.filter((p) => p.severity === 'error'),
      [],
    );
    const warning = facts.problems.find((p) => /malformed name section/.test(p.message));
    assert.ok(warning, JSON.stringify(facts.problems));
    assert.match(warning.message, /1000001 function names is more than/);
    assert.deepEqual(facts.functionNames, {});
  });
});

describe('entry limit in the component reader', () => {
  const COMPONENT_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
  const bools = (n: number) => section(7, vector(n, [0x7f])); // a type section of `bool` types

  it('reads 1,000,000 entries and refuses the next, across sections, at the count that passes the limit', () => {
    const atLimit = moduleOf(COMPONENT_HEADER, bools(600_000), bools(400_000));
    assert.deepEqual(overLimit(atLimit), []);
    const first = bools(600_000);
    const secondPayload = vector(400_001, [0x7f]);
    const past = moduleOf(COMPONENT_HEADER, first, section(7, secondPayload));
    const found = overLimit(past);
    assert.equal(found.length, 1, JSON.stringify(errors(past)));
    // At the second section's count: after its id and size.
    assert.equal(
      found[0].offset,
      COMPONENT_HEADER.length + first.length + 1 + leb(secondPayload.length).length,
    );
    assert.match(
      found[0].message,
      /^1000001 entries is more than the 1,000,000 this reader takes from one component/,
    );
  });
});
