/**
 * The largest `.wat`/`.wast` the CLI reads: V8's longest string (about 512 MiB). A larger text
 * (esbuild-wasm's module printed by `wasm2wat` is 1.9 GB) would be read whole before failing with
 * the engine's own "Cannot create a string longer than…", after tens of seconds and gigabytes; its
 * size says so at once.
 */
import { stat } from 'node:fs/promises';

export const MAX_TEXT_BYTES = 0x1fffffe8;

/** Why `file` is too large to read as text, or undefined when it is not (or cannot be stat'ed). */
export async function textTooLarge(file: string): Promise<string | undefined> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return undefined; // the read that follows reports why
  }
  if (size <= MAX_TEXT_BYTES) return undefined;
  return `the text is ${(size / 1e9).toFixed(1)} GB, more than the ${Math.round(MAX_TEXT_BYTES / 1048576)} MiB a text module can have (the JavaScript engine's longest string); compile it to a .wasm (wat2wasm) and give that instead`;
}
