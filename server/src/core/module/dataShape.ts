/**
 * The shape of a data section: its bytes with the bytes of each segment left out (the count, each
 * segment's flags, memory index, offset expression and length stay). A segment's bytes are opaque
 * to validation (only their length, the memory index and the offset expression are checked), so two
 * modules whose data sections have one shape get the same verdict from the engine: an embedded
 * string, a build id or an asset changed by a rebuild does not call for validating the code again.
 * The shape is one buffer, so hashing it is one call however many segments there are (esbuild-wasm
 * has 98,450).
 */

/** Where the LEB128 at `pos` (of at most `maxBytes` bytes) ends, or -1 when it does not end by `end`. */
function lebEnd(bytes: Uint8Array, pos: number, end: number, maxBytes: number): number {
  const last = Math.min(end, pos + maxBytes);
  for (let i = pos; i < last; i++) if (bytes[i] < 0x80) return i + 1;
  return -1;
}

/** The value of the unsigned LEB128 that ends at `after` (found by `lebEnd`, at most 5 bytes). */
function u32Before(bytes: Uint8Array, pos: number, after: number): number {
  let value = 0;
  for (let i = after - 1; i >= pos; i--) value = value * 128 + (bytes[i] & 0x7f);
  return value;
}

/** `end` and the extended-const arithmetic (i32/i64 add, sub, mul): no immediates. */
const NO_IMMEDIATE = new Set([0x0b, 0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e]);

/** Where an offset expression at `pos` ends (after its `end`); -1 for anything but the plain constants offsets use. */
function offsetExprEnd(bytes: Uint8Array, pos: number, end: number): number {
  for (let steps = 0; pos < end && steps < 64; steps++) {
    const op = bytes[pos++];
    if (op === 0x0b) return pos;
    if (op === 0x41 || op === 0x23) pos = lebEnd(bytes, pos, end, 5);
    else if (op === 0x42) pos = lebEnd(bytes, pos, end, 10);
    else if (!NO_IMMEDIATE.has(op)) return -1;
    if (pos < 0) return -1;
  }
  return -1;
}

/**
 * `bytes[start, end)` (a data section's content) without the bytes of its segments, in order.
 * Undefined when the section is not read to its exact end with the forms offsets take in practice:
 * the caller then treats the whole section as shape. (Plain loops over the bytes: a section can
 * hold a hundred thousand segments, and this runs on the server's thread for every file.)
 */
export function dataSectionShape(bytes: Uint8Array, start: number, end: number): Uint8Array | undefined {
  let shape = new Uint8Array(Math.min(end - start, 4096));
  let length = 0;
  let pos = lebEnd(bytes, start, end, 5);
  if (pos < 0) return undefined;
  const count = u32Before(bytes, start, pos);
  if (count > end - pos) return undefined;
  let kept = start;
  for (let i = 0; i < count; i++) {
    const flagsEnd = lebEnd(bytes, pos, end, 5);
    if (flagsEnd < 0) return undefined;
    const flags = u32Before(bytes, pos, flagsEnd);
    pos = flagsEnd;
    if (flags > 2) return undefined;
    if (flags === 2) pos = lebEnd(bytes, pos, end, 5); // memory index
    if (pos >= 0 && flags !== 1) pos = offsetExprEnd(bytes, pos, end);
    if (pos < 0) return undefined;
    const sizeEnd = lebEnd(bytes, pos, end, 5);
    if (sizeEnd < 0) return undefined;
    const size = u32Before(bytes, pos, sizeEnd);
    if (size > end - sizeEnd) return undefined;
    if (length + (sizeEnd - kept) > shape.length) {
      const grown = new Uint8Array(Math.max(shape.length * 2, length + (sizeEnd - kept)));
      grown.set(shape.subarray(0, length));
      shape = grown;
    }
    for (let b = kept; b < sizeEnd; b++) shape[length++] = bytes[b];
    pos = kept = sizeEnd + size;
  }
  if (pos !== end) return undefined;
  // The count, when there are no segments.
  for (let b = kept; b < pos; b++) shape[length++] = bytes[b];
  return shape.subarray(0, length);
}
