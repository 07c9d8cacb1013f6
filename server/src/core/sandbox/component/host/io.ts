/**
 * `wasi:io`: pollables, input and output streams, errors. Everything in the sandbox is in memory
 * and synchronous, so a pollable is ready at once unless it waits for a clock.
 */
import { sleepMs, WitError } from './context';

export class IoError {
  /** `code`: the `wasi:sockets/network` error-code behind a failed socket stream, if any. */
  constructor(
    readonly message: string,
    readonly code?: string,
  ) {}
  toDebugString(): string {
    return this.message;
  }
}

/** What blocks until one of several pollables of one kind is ready (sockets: the network worker). */
export interface PollWaiter {
  waitAny(pollables: Pollable[], timeoutMs: number): void;
}

/** Longest single wait; poll loops, so a longer wait is only split (the wall clock still ends the run). */
const MAX_WAIT_MS = 60_000;

export class Pollable {
  /**
   * `readyAt`: performance.now() at which it becomes ready (0: ready now; Infinity: when
   * `_waiter` says so, as for a socket).
   */
  constructor(
    readonly readyAt = 0,
    readonly _waiter?: PollWaiter,
  ) {}
  _ready(): boolean {
    return performance.now() >= this.readyAt;
  }
  ready(): boolean {
    return this._ready();
  }
  block(): void {
    poll([this]);
  }
}

export function poll(list: Pollable[]): Uint32Array {
  if (list.length === 0) throw new WitError('poll needs at least one pollable');
  for (;;) {
    const ready: number[] = [];
    list.forEach((p, i) => p._ready() && ready.push(i));
    if (ready.length) return new Uint32Array(ready);
    const waitMs = Math.min(MAX_WAIT_MS, Math.min(...list.map((p) => p.readyAt)) - performance.now());
    const waiting = list.filter((p) => p._waiter);
    if (waiting.length) waiting[0]._waiter?.waitAny(waiting, waitMs);
    else sleepMs(waitMs);
  }
}

const CLOSED = { tag: 'closed' };

/**
 * Where an input stream reads from. A source may throw the stream's error (a `WitError`)
 * itself; sources in memory need only `read`.
 */
export interface ByteSource {
  /** Blocks until at least one byte: bytes, or undefined at the end. */
  read(max: number): Uint8Array | undefined;
  /** Without blocking: possibly no bytes yet, or undefined at the end. */
  readNow?(max: number): Uint8Array | undefined;
  subscribe?(): Pollable;
}

export class InputStream {
  constructor(private readonly source: ByteSource) {}
  /** Not an interface function (so calls are counted once): what read, skip and splice share. */
  _take(len: bigint, blocking: boolean): Uint8Array {
    const max = Number(len > 1n << 30n ? 1n << 30n : len);
    const bytes = blocking || !this.source.readNow ? this.source.read(max) : this.source.readNow(max);
    if (bytes === undefined) throw new WitError(CLOSED);
    return bytes;
  }
  read(len: bigint): Uint8Array {
    return this._take(len, false);
  }
  blockingRead(len: bigint): Uint8Array {
    return this._take(len, true);
  }
  skip(len: bigint): bigint {
    return BigInt(this._take(len, false).byteLength);
  }
  blockingSkip(len: bigint): bigint {
    return BigInt(this._take(len, true).byteLength);
  }
  subscribe(): Pollable {
    return this.source.subscribe?.() ?? new Pollable();
  }
}

/**
 * Where an output stream writes to; a string is the error message of a failed write (a sink
 * may also throw the stream's error itself).
 */
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
    const bytes = from._take(len, false);
    this._put(bytes);
    return BigInt(bytes.byteLength);
  }
  blockingSplice(from: InputStream, len: bigint): bigint {
    const bytes = from._take(len, true);
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
