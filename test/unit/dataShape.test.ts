import * as assert from 'node:assert/strict';
import { dataSectionShape } from '../../server/src/core/module/dataShape';

const shape = (...bytes: number[]) => dataSectionShape(Uint8Array.from(bytes), 0, bytes.length);

describe('data section shape', () => {
  it('keeps the count, flags, memory, offset and length of active, passive and memory-indexed segments', () => {
    // prettier-ignore
    const section = [
      3, // three segments
      0, 0x41, 0x10, 0x0b, 2, 0xaa, 0xbb, // active, i32.const 16, 2 bytes
      1, 1, 0xcc, // passive, 1 byte
      2, 0, 0x23, 0, 0x41, 1, 0x6a, 0x0b, 0, // memory 0, global.get 0 + 1, no bytes
    ];
    assert.deepEqual(
      shape(...section),
      Uint8Array.from([3, 0, 0x41, 0x10, 0x0b, 2, 1, 1, 2, 0, 0x23, 0, 0x41, 1, 0x6a, 0x0b, 0]),
    );
  });

  it('is the same whatever the segments hold, and differs when a length or an offset does', () => {
    const base = shape(1, 0, 0x41, 8, 0x0b, 2, 0xaa, 0xbb);
    assert.deepEqual(shape(1, 0, 0x41, 8, 0x0b, 2, 0x11, 0x22), base);
    assert.notDeepEqual(shape(1, 0, 0x41, 9, 0x0b, 2, 0xaa, 0xbb), base);
    assert.notDeepEqual(shape(1, 0, 0x41, 8, 0x0b, 3, 0xaa, 0xbb, 0xcc), base);
    assert.notDeepEqual(shape(1, 0, 0x42, 8, 0x0b, 2, 0xaa, 0xbb), base);
  });

  it('grows past its first buffer for sections of many segments', () => {
    const segments = 3000; // 3000 × 5 bytes of shape: more than the first 4 KB
    const section = [0xb8, 0x17]; // 3000 as LEB128
    for (let i = 0; i < segments; i++) section.push(0, 0x41, 0, 0x0b, 1, i & 0xff);
    const result = shape(...section);
    assert.equal(result?.length, 2 + segments * 5);
    assert.deepEqual([...result!.subarray(2, 12)], [0, 0x41, 0, 0x0b, 1, 0, 0x41, 0, 0x0b, 1]);
  });

  it('is undefined for sections it cannot read to their exact end, so those are hashed whole', () => {
    assert.equal(shape(1, 0, 0x41, 0, 0x0b, 5, 1, 2), undefined); // bytes run past the section
    assert.equal(shape(1, 1, 1, 9, 9), undefined); // bytes left over
    assert.equal(shape(1, 0, 0xd2, 0, 0x0b, 0), undefined); // ref.func: not an offset form
    assert.equal(shape(1, 3, 0), undefined); // unknown segment flags
    assert.equal(shape(0x80), undefined); // a cut count
    assert.deepEqual(shape(0), Uint8Array.from([0]));
  });
});
