/**
 * Where the bytes of each data segment lie in a data section. A segment's bytes are opaque to
 * validation (only their length, the memory index and the offset expression are checked), so two
 * modules that differ only in those bytes get the same verdict from the engine: an embedded
 * string, a build id or an asset changed by a rebuild does not call for validating the code again.
 */
import { ByteReader } from './byteReader';

/** `end` and the extended-const arithmetic (i32/i64 add, sub, mul): no immediates. */
const NO_IMMEDIATE = new Set([0x0b, 0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e]);

/** Steps over an offset expression; false for anything but the plain constants offsets use. */
function skipOffsetExpr(r: ByteReader): boolean {
  for (let steps = 0; !r.atEnd() && steps < 64; steps++) {
    const op = r.u8();
    if (op === 0x0b) return true;
    if (op === 0x41) r.skipVarInt(32);
    else if (op === 0x42) r.skipVarInt(64);
    else if (op === 0x23) r.skipVarInt(32);
    else if (!NO_IMMEDIATE.has(op)) return false;
  }
  return false;
}

/**
 * The `[start, end)` spans (absolute offsets in `bytes`) of the segments' bytes in the data
 * section whose content is `bytes[start, end)`. Undefined when the section is not read to its
 * exact end with the forms offsets take in practice: the caller then treats it as opaque.
 */
export function dataPayloadSpans(
  bytes: Uint8Array,
  start: number,
  end: number,
): Array<[number, number]> | undefined {
  try {
    const r = new ByteReader(bytes, start, end);
    const count = r.varU32();
    if (count > r.remaining) return undefined;
    const spans: Array<[number, number]> = [];
    for (let i = 0; i < count; i++) {
      const flags = r.varU32();
      if (flags === 2) r.skipVarInt(32); // memory index
      if ((flags === 0 || flags === 2) && !skipOffsetExpr(r)) return undefined;
      if (flags > 2) return undefined;
      const length = r.varU32();
      const from = r.pos;
      r.skip(length);
      spans.push([from, r.pos]);
    }
    return r.atEnd() ? spans : undefined;
  } catch {
    return undefined;
  }
}
