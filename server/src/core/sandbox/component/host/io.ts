/**
 * `wasi:io`: pollables, input and output streams, errors. Everything in the sandbox is in memory
 * and synchronous, so a pollable is ready at once unless it waits for a clock.
 */
import { sleepMs, WitError } from './context';

export class IoError {
  constructor(readonly message: string) {}
  toDebugString(): string {
    return this.message;
  }
}

export class Pollable {
  /** performance.now() at which it becomes ready (0: ready now). */
  constructor(readonly readyAt = 0) {}
  _ready(): boolean {
    return performance.now() >= this.readyAt;
  }
  _block(): void {
    sleepMs(this.readyAt - performance.now());
  }
}

export function poll(list: Pollable[]): Uint32Array {
  if (list.length === 0) throw new WitError('poll needs at least one pollable');
  const earliest = Math.min(...list.map((p) => p.readyAt));
  sleepMs(earliest - performance.now());
  const ready: number[] = [];
  list.forEach((p, i) => p._ready() && ready.push(i));
  return new Uint32Array(ready);
}

const CLOSED = { tag: 'closed' };

/** Where an input stream reads from: returns bytes, or undefined at the end. */
export interface ByteSource {
  read(max: number): Uint8Array | undefined;
}

export class InputStream {
  constructor(private readonly source: ByteSource) {}
  /** Not an interface function (so calls are counted once): what read, skip and splice share. */
  _take(len: bigint): Uint8Array {
    const bytes = this.source.read(Number(len > 1n << 30n ? 1n << 30n : len));
    if (bytes === undefined) throw new WitError(CLOSED);
    return bytes;
  }
  read(len: bigint): Uint8Array {
    return this._take(len);
  }
  blockingRead(len: bigint): Uint8Array {
    return this._take(len);
  }
  skip(len: bigint): bigint {
    return BigInt(this._take(len).byteLength);
  }
  blockingSkip(len: bigint): bigint {
    return BigInt(this._take(len).byteLength);
  }
  subscribe(): Pollable {
    return new Pollable();
  }
}

/** Where an output stream writes to; a string is the error message of a failed write. */
export interface ByteSink {
  write(bytes: Uint8Array): string | undefined;
}

/** How much a guest may write before flushing (the spec's check-write budget). */
const WRITE_BUDGET = 1n << 20n;

export class OutputStream {
  constructor(private readonly sink: ByteSink) {}
  checkWrite(): bigint {
    return WRITE_BUDGET;
  }
  /** Not an interface function (so calls are counted once): what the writes share. */
  _put(contents: Uint8Array): void {
    const failed = this.sink.write(contents);
    if (failed !== undefined) throw new WitError({ tag: 'last-operation-failed', val: new IoError(failed) });
  }
  write(contents: Uint8Array): void {
    this._put(contents);
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this._put(contents);
  }
  flush(): void {}
  blockingFlush(): void {}
  writeZeroes(len: bigint): void {
    this._put(new Uint8Array(Number(len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this._put(new Uint8Array(Number(len)));
  }
  splice(from: InputStream, len: bigint): bigint {
    const bytes = from._take(len);
    this._put(bytes);
    return BigInt(bytes.byteLength);
  }
  blockingSplice(from: InputStream, len: bigint): bigint {
    const bytes = from._take(len);
    this._put(bytes);
    return BigInt(bytes.byteLength);
  }
  subscribe(): Pollable {
    return new Pollable();
  }
}

/** A source over bytes in hand (stdin, a request body, a file's contents). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  let at = 0;
  return {
    read(max) {
      if (at >= bytes.byteLength) return undefined;
      const part = bytes.subarray(at, at + max);
      at += part.byteLength;
      return part;
    },
  };
}
