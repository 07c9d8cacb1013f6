/**
 * Unsigned LEB128 (varuint32) encoding and a bounds-checked reader for the signature format.
 * Reading past the end yields an error value with the offset, never an exception.
 */

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

export interface ReadError {
  /** Absolute offset (in the buffer the reader was given, plus its base) where reading failed. */
  offset: number;
  message: string;
}

/** Sequential reader over `bytes[start, end)`; offsets it reports are `base + index`. */
export class ByteReader {
  position: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
    private readonly base = 0,
  ) {
    this.position = start;
  }

  get remaining(): number {
    return this.end - this.position;
  }

  /** Absolute offset of the current position (for error locations). */
  get offset(): number {
    return this.base + this.position;
  }

  u8(what: string): number | ReadError {
    if (this.position >= this.end) return this.fail(`unexpected end while reading ${what}`);
    return this.bytes[this.position++];
  }

  /** Reads a varuint32; `minimal` tells whether it used the fewest bytes (canonical encoding). */
  varUint32(what: string): { value: number; minimal: boolean } | ReadError {
    const start = this.position;
    let result = 0;
    for (let i = 0; i < 5; i++) {
      if (this.position >= this.end) return this.fail(`unexpected end while reading ${what}`, start);
      const byte = this.bytes[this.position++];
      if (i === 4 && byte > 0x0f) return this.fail(`${what} does not fit in 32 bits`, start);
      result += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) {
        const length = this.position - start;
        const minimal = length === 1 || byte !== 0;
        return { value: result, minimal };
      }
    }
    return this.fail(`${what} is longer than 5 bytes`, start);
  }

  bytesOf(length: number, what: string): Uint8Array | ReadError {
    if (length > this.remaining) {
      return this.fail(`${what} needs ${length} bytes but only ${this.remaining} remain`);
    }
    const slice = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return slice;
  }

  private fail(message: string, at = this.position): ReadError {
    return { offset: this.base + at, message };
  }
}

export function isReadError(value: unknown): value is ReadError {
  return (
    typeof value === 'object' &&
    value !== null &&
    'message' in value &&
    'offset' in value &&
    !(value instanceof Uint8Array)
  );
}
