/** A growable byte buffer with the LEB128 encodings the metering rewriter emits. */
export class ByteWriter {
  private buf: Uint8Array;
  length = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(byte: number): void {
    this.reserve(1);
    this.buf[this.length++] = byte;
  }

  /** Unsigned LEB128 of a non-negative integer below 2^53. */
  u32(value: number): void {
    this.reserve(8);
    let v = value;
    do {
      let byte = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) byte |= 0x80;
      this.buf[this.length++] = byte;
    } while (v !== 0);
  }

  /** Signed LEB128 of a safe integer (i64.const immediates). */
  s64(value: number): void {
    this.reserve(10);
    let v = value;
    for (;;) {
      const byte = ((v % 128) + 128) % 128;
      v = Math.floor(v / 128);
      const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
      this.buf[this.length++] = done ? byte : byte | 0x80;
      if (done) return;
    }
  }

  bytes(data: Uint8Array): void {
    const n = data.length;
    this.reserve(n);
    if (n <= 16) {
      // A byte loop beats TypedArray.set's call overhead for the short runs the rewriter copies.
      const buf = this.buf;
      let at = this.length;
      for (let i = 0; i < n; i++) buf[at++] = data[i];
    } else this.buf.set(data, this.length);
    this.length += n;
  }

  /** Copies `source[from, to)` without making a view first. */
  range(source: Uint8Array, from: number, to: number): void {
    const n = to - from;
    this.reserve(n);
    if (n <= 64) {
      const buf = this.buf;
      let at = this.length;
      for (let i = from; i < to; i++) buf[at++] = source[i];
      this.length += n;
    } else {
      this.buf.set(source.subarray(from, to), this.length);
      this.length += n;
    }
  }

  /** A 5-byte LEB128 placeholder (padded encodings are valid); returns where to patch it. */
  placeholder(): number {
    this.reserve(5);
    const at = this.length;
    this.length += 5;
    return at;
  }

  /** Writes `value` (0 ≤ value < 2^28 for any use, < 2^34 as a signed constant) padded to 5 bytes at `at`. */
  patch(at: number, value: number): void {
    let v = value;
    for (let i = 0; i < 4; i++) {
      this.buf[at + i] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[at + 4] = v;
  }

  /**
   * Replaces the 5-byte placeholders at the ascending offsets `at` with the shortest signed LEB128
   * of `values[of[i]]` (non-negative), moving the bytes between them down in place.
   */
  shrinkPlaceholders(
    at: readonly number[],
    of: readonly number[],
    values: readonly number[],
    count = at.length,
  ): void {
    this.compact(at, 5, values, of, count);
  }

  /**
   * Edits at the ascending offsets `at` (its first `count`): removes `removed` bytes (one count
   * for all, or one per edit) and writes the shortest signed LEB128 of `values[i]`
   * (`values[of[i]]` with `of`) there unless it is negative, moving the bytes between the edits
   * down in place.
   */
  compact(
    at: readonly number[],
    removed: number | readonly number[],
    values: readonly number[],
    of?: readonly number[],
    count = at.length,
  ): void {
    const buf = this.buf;
    let dst = count > 0 ? at[0] : this.length;
    for (let i = 0; i < count; i++) {
      let v = values[of ? of[i] : i];
      if (v >= 0) {
        while (v >= 64) {
          buf[dst++] = (v % 128) | 0x80;
          v = Math.floor(v / 128);
        }
        buf[dst++] = v;
      }
      const from = at[i] + (typeof removed === 'number' ? removed : removed[i]);
      const to = i + 1 < count ? at[i + 1] : this.length;
      buf.copyWithin(dst, from, to);
      dst += to - from;
    }
    this.length = dst;
  }

  /** Appends another writer's content. */
  append(other: ByteWriter): void {
    this.range(other.buf, 0, other.length);
  }

  /** A length-prefixed UTF-8 name. */
  name(text: string): void {
    const encoded = new TextEncoder().encode(text);
    this.u32(encoded.length);
    this.bytes(encoded);
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }

  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
