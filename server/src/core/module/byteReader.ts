/**
 * A bounds-checked cursor over WebAssembly binary bytes. Every read checks the end of the current
 * window and the LEB128 length limits of the spec, and fails with a `MalformedError` that carries the
 * absolute file offset, so callers can turn any decoding problem into a located finding. Offsets are
 * always absolute in the original buffer, which keeps nested modules (inside components) located
 * correctly.
 */
import { overLimitMessage, type CountLimit } from './engineLimits';

/** A decoding failure at a byte offset; caught by the readers and turned into a `Finding`. */
export class MalformedError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

// ignoreBOM: a name may legitimately start with U+FEFF; the decoder must not swallow it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class ByteReader {
  /** Absolute offset of the next byte to read. */
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    /** Absolute end (exclusive) of the window this reader may read. */
    public end = bytes.length,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  fail(message: string, offset = this.pos): never {
    throw new MalformedError(offset, message);
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('unexpected end of data');
    return this.bytes[this.pos++];
  }

  peekU8(): number {
    if (this.pos >= this.end) this.fail('unexpected end of data');
    return this.bytes[this.pos];
  }

  /** Unsigned LEB128 of at most `bits` bits (32 → at most 5 bytes), as a JS number. */
  varUint(bits = 32): number {
    const start = this.pos;
    const maxBytes = Math.ceil(bits / 7);
    let result = 0;
    let scale = 1;
    for (let i = 0; i < maxBytes; i++) {
      const byte = this.u8();
      if (i === maxBytes - 1) {
        // The last allowed byte may only carry the remaining high bits, and no continuation.
        const usedBits = bits - 7 * i;
        if (byte & 0x80) this.fail(`integer representation too long (LEB128 over ${maxBytes} bytes)`, start);
        if (usedBits < 7 && byte >> usedBits !== 0) this.fail('integer too large', start);
      }
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) return result;
    }
    return this.fail('integer representation too long', start);
  }

  varU32(): number {
    return this.varUint(32);
  }

  /** Unsigned 64-bit LEB128; values above 2^53 lose precision (only used for limits). */
  varU64(): number {
    return this.varUint(64);
  }

  /** Signed LEB128 of at most `bits` bits, as a bigint (exact for i64 constants). */
  varSint(bits: 32 | 33 | 64): bigint {
    const start = this.pos;
    const maxBytes = Math.ceil(bits / 7);
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < maxBytes; i++) {
      const byte = this.u8();
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) {
        if (i === maxBytes - 1) {
          // Unused high bits of the last byte must be a sign extension of the value's top bit.
          const usedBits = bits - 7 * i;
          const rest = byte >> (usedBits - 1);
          if (rest !== 0 && rest !== 0x7f >> (usedBits - 1)) this.fail('integer too large', start);
        }
        if (byte & 0x40) result -= 1n << shift;
        return result;
      }
    }
    return this.fail(`integer representation too long (LEB128 over ${maxBytes} bytes)`, start);
  }

  /** Signed 32-bit LEB128 as a number (no bigint on the common one- and two-byte path). */
  varS32(): number {
    const start = this.pos;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 4; i++) {
      const byte = this.u8();
      result |= (byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) === 0) return (result << (32 - shift)) >> (32 - shift);
    }
    this.pos = start;
    return Number(this.varSint(32));
  }

  /** Skips a signed LEB128 of at most `bits` bits without building its value (hot path). */
  skipVarInt(bits: number): void {
    const start = this.pos;
    const maxBytes = Math.ceil(bits / 7);
    for (let i = 0; i < maxBytes; i++) {
      if ((this.u8() & 0x80) === 0) return;
    }
    this.fail(`integer representation too long (LEB128 over ${maxBytes} bytes)`, start);
  }

  skip(length: number): void {
    if (length > this.end - this.pos) this.fail(`length ${length} runs past the end of the data`);
    this.pos += length;
  }

  bytesView(length: number): Uint8Array {
    const start = this.pos;
    this.skip(length);
    return this.bytes.subarray(start, start + length);
  }

  /** A length-prefixed UTF-8 name; invalid UTF-8 is a located error, as the spec requires. */
  name(): string {
    const lengthOffset = this.pos;
    const length = this.varU32();
    if (length > this.end - this.pos)
      this.fail(`name length ${length} runs past the end of the data`, lengthOffset);
    const start = this.pos;
    this.pos += length;
    // Most names are short ASCII: built here, they skip the decoder's per-call cost.
    if (length <= 64) {
      const bytes = this.bytes;
      let ascii = true;
      for (let i = start; i < start + length; i++) if (bytes[i] >= 0x80) ascii = false;
      if (ascii)
        return String.fromCharCode.apply(null, bytes.subarray(start, start + length) as unknown as number[]);
    }
    try {
      return utf8.decode(this.bytes.subarray(start, start + length));
    } catch {
      return this.fail('malformed UTF-8 encoding in a name', start);
    }
  }

  /**
   * A vector count. Each element takes at least `minElementSize` bytes, so a count that cannot fit
   * in the rest of the window is rejected before anything is allocated (counts of 2^32-1); so is
   * one past the engines' `limit` for what is counted.
   */
  count(minElementSize = 1, limit?: CountLimit): number {
    const start = this.pos;
    const n = this.varU32();
    if (n * minElementSize > this.end - this.pos) {
      this.fail(`count ${n} is larger than the remaining ${this.end - this.pos} bytes allow`, start);
    }
    if (limit) this.atMost(n, limit, start);
    return n;
  }

  /** Fails at `offset` when `total` things counted so far are more than `limit` allows. */
  atMost(total: number, limit: CountLimit, offset: number): void {
    if (total > limit.max) this.fail(overLimitMessage(total, limit), offset);
  }
}

/**
 * Reads `what` with `read`; a MalformedError comes out naming what was being read (readers of
 * small structures, such as the signature section, where the field says more than the offset).
 */
export function reading<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof MalformedError) throw new MalformedError(error.offset, `${what}: ${error.message}`);
    throw error;
  }
}

/** Whether the unsigned LEB128 at `[start, end)` is in the fewest bytes (its canonical encoding). */
export function isMinimalLeb(bytes: Uint8Array, start: number, end: number): boolean {
  return end - start === 1 || bytes[end - 1] !== 0;
}

/** Unsigned LEB128 (varuint32) encoding of a u32: the bytes `varU32` reads back. */
export function encodeVarUint32(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new RangeError(`not a u32: ${value}`);
  const out: number[] = [];
  let v = value;
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return Uint8Array.from(out);
}

/** Converts a bigint constant to a number when it is exactly representable, else null. */
export function exactNumber(value: bigint): number | null {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}
