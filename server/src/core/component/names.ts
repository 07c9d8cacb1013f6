/**
 * Import and export names of components (`importname'` / `exportname'`), shared by the section
 * reader and the type reader.
 */
import type { ByteReader } from '../module/byteReader';

/** Instance and component types nested deeper than this are reported instead of followed. */
export const MAX_TYPE_NESTING = 64;

/**
 * An `importname'`/`exportname'`: a discriminant byte, then the name. 0x02 adds attributes. 0x01
 * is a name with a version suffix in the current spec, but a plain interface name in 2023-era
 * binaries (jco 0.14); the suffix is taken only when it looks like one (`len` semver characters).
 */
export function readExternName(r: ByteReader): string {
  const at = r.pos;
  const discriminant = r.u8();
  if (discriminant > 0x02)
    r.fail(`malformed import/export name discriminant 0x${discriminant.toString(16)}`, at);
  const name = r.name();
  if (discriminant === 0x01) skipVersionSuffix(r);
  if (discriminant === 0x02) {
    const attributes = r.count(1);
    for (let i = 0; i < attributes; i++) {
      const kind = r.u8();
      if (kind > 0x02) r.fail(`malformed name attribute 0x${kind.toString(16)}`, r.pos - 1);
      r.name();
    }
  }
  return name;
}

const SEMVER_SUFFIX = /^[0-9A-Za-z.+-]+$/;

function skipVersionSuffix(r: ByteReader): void {
  const start = r.pos;
  const length = r.bytes[start];
  if (length === undefined || length === 0 || length >= 0x80 || start + 1 + length > r.end) return;
  const suffix = Buffer.from(r.bytes.subarray(start + 1, start + 1 + length)).toString('latin1');
  if (SEMVER_SUFFIX.test(suffix)) r.pos = start + 1 + length;
}
