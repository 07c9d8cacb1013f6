/** Modules whose data segments hold given strings, for the rules that read data (suspicious-data, debug-info). */
import * as assert from 'node:assert/strict';
import { leb } from '../../support/wasmBytes';
import { wat2wasm } from './helpers';

/** Each byte of `content` (latin1) as a WAT string escape, so any byte survives. */
const escaped = (content: string) =>
  [...Buffer.from(content, 'latin1')].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');

/** A module whose data segments hold `contents`, one after the other, each at address 16. */
export const dataSegmentsWat = (contents: string[]) =>
  `(module (memory 1 1) ${contents.map((c) => `(data (i32.const 16) "${escaped(c)}")`).join(' ')})`;

/** A module whose one data segment holds `content` (at byte 22 of the binary while short). */
export const dataModule = (content: string) => dataSegmentsWat([content]);

export const dataSegmentsModule = (contents: string[]) => wat2wasm(dataSegmentsWat(contents));

/** A string as the binary format writes a name: its length, then its UTF-8 bytes. */
export const nameBytes = (s: string) => Uint8Array.from([...leb(Buffer.byteLength(s)), ...Buffer.from(s)]);

/** Where `needle` first is in the file, as `[offset, length]`. */
export function spanOf(bytes: Uint8Array, needle: string): number[] {
  const offset = Buffer.from(bytes).indexOf(Buffer.from(needle, 'latin1'));
  assert.ok(offset >= 0, `${needle} not in module`);
  return [offset, Buffer.byteLength(needle, 'latin1')];
}
