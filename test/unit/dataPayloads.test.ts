import * as assert from 'node:assert/strict';
import { dataPayloadSpans } from '../../server/src/core/module/dataPayloads';

/** A data section's content as bytes, followed by `trailing`. */
const content = (...bytes: number[]) => Uint8Array.from(bytes);

describe('data payload spans', () => {
  it('find the bytes of active, passive and memory-indexed segments', () => {
    const section = content(
      3, // three segments
      0,
      0x41,
      0x10,
      0x0b,
      2,
      0xaa,
      0xbb, // active, i32.const 16, 2 bytes
      1,
      1,
      0xcc, // passive, 1 byte
      2,
      0,
      0x23,
      0,
      0x41,
      1,
      0x6a,
      0x0b,
      0, // memory 0, global.get 0 + 1, no bytes
    );
    assert.deepEqual(dataPayloadSpans(section, 0, section.length), [
      [6, 8],
      [10, 11],
      [20, 20],
    ]);
  });

  it('give up on sections they cannot read to their exact end, so those are hashed whole', () => {
    const spans = (...bytes: number[]) => dataPayloadSpans(content(...bytes), 0, bytes.length);
    assert.equal(spans(1, 0, 0x41, 0, 0x0b, 5, 1, 2), undefined); // bytes run past the section
    assert.equal(spans(1, 1, 1, 9, 9), undefined); // bytes left over
    assert.equal(spans(1, 0, 0xd2, 0, 0x0b, 0), undefined); // ref.func: not an offset form
    assert.equal(spans(1, 3, 0), undefined); // unknown segment flags
    assert.equal(spans(0x80), undefined); // a cut count
    assert.deepEqual(spans(0), []);
  });
});
