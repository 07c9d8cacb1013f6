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
    this.reserve(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }

  /** Appends another writer's content. */
  append(other: ByteWriter): void {
    this.bytes(other.view());
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
