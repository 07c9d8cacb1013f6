/**
 * Reads the workspace scan's files into one buffer that it keeps: a scan of 1,000 files would
 * otherwise allocate (and have the kernel page in) every file's size anew, 2.2 GB for the real-world
 * workspace of the benchmarks, with the garbage collections that external memory brings.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';

/** Files up to this size are read into the kept buffer; a larger one gets a buffer of its own. */
const KEEP_BYTES = 64 * 1024 * 1024;

export class FileBuffer {
  private buffer = Buffer.alloc(0);

  constructor(private readonly keepBytes = KEEP_BYTES) {}

  /**
   * The file's bytes, undefined when it cannot be read. They live in the kept buffer: valid until
   * the next `read`, so nothing that outlives the caller's job may hold on to them.
   */
  read(file: string): Uint8Array | undefined {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return undefined;
    }
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) return readFileSync(fd);
      const size = stat.size;
      const target = this.bufferFor(size);
      let got = 0;
      while (got < size) {
        const n = readSync(fd, target, got, size - got, got);
        if (n === 0) break; // the file shrank meanwhile: what is there is what it holds
        got += n;
      }
      return target.subarray(0, got);
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }

  private bufferFor(size: number): Buffer {
    if (size <= this.buffer.length) return this.buffer;
    if (size > this.keepBytes) return Buffer.allocUnsafeSlow(size);
    // Exactly the size: a scan's largest file soon sets it, and every byte kept counts in its peak.
    this.buffer = Buffer.allocUnsafeSlow(size);
    return this.buffer;
  }
}

/** A file's bytes, or undefined when it cannot be read (for small side files such as a `.sig`). */
export function readOptionalSync(file: string): Uint8Array | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
