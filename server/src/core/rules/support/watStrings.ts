/**
 * Decodes WAT string literals into bytes while remembering which character each byte came from,
 * so a finding inside a `(data "…")` string can point at the exact characters.
 */
import { lex } from '../../wat/lexer';

export interface DecodedStrings {
  bytes: Uint8Array;
  /** For each byte: [start, end) UTF-16 offsets in the whole text of the source that produced it. */
  starts: Uint32Array;
  ends: Uint32Array;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

function utf8(codePoint: number): number[] {
  if (codePoint < 0x80) return [codePoint];
  if (codePoint < 0x800) return [0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f)];
  if (codePoint < 0x10000) {
    return [0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f)];
  }
  return [
    0xf0 | (codePoint >> 18),
    0x80 | ((codePoint >> 12) & 0x3f),
    0x80 | ((codePoint >> 6) & 0x3f),
    0x80 | (codePoint & 0x3f),
  ];
}

const SIMPLE_ESCAPES: Record<string, number> = { t: 9, n: 10, r: 13, '"': 34, "'": 39, '\\': 92 };

/**
 * The bytes of the string literals between `startOffset` and `endOffset` of `text`, concatenated
 * (as a data segment concatenates them). `skipStrings` drops the first N literals (a custom
 * section annotation's name).
 */
export function decodeStringsIn(
  text: string,
  startOffset: number,
  endOffset: number,
  skipStrings = 0,
): DecodedStrings {
  const bytes: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const push = (values: number[], from: number, to: number) => {
    for (const v of values) {
      bytes.push(v);
      starts.push(from);
      ends.push(to);
    }
  };
  const slice = text.slice(startOffset, endOffset);
  let skipped = 0;
  for (const token of lex(slice).tokens) {
    if (token.kind !== 'string') continue;
    if (skipped++ < skipStrings) continue;
    const body = token.text;
    const base = startOffset + token.start;
    // Skip the quotes; an unterminated string simply ends at the token end.
    const last = body.length > 1 && body.endsWith('"') ? body.length - 1 : body.length;
    let i = 1;
    while (i < last) {
      const c = body.charCodeAt(i);
      if (c === 0x5c /* \ */ && i + 1 < last) {
        const next = body[i + 1];
        if (next in SIMPLE_ESCAPES) {
          push([SIMPLE_ESCAPES[next]], base + i, base + i + 2);
          i += 2;
          continue;
        }
        if (next === 'u' && body[i + 2] === '{') {
          const close = body.indexOf('}', i + 3);
          const hex = close > 0 ? body.slice(i + 3, close).replace(/_/g, '') : '';
          const cp = Number.parseInt(hex, 16);
          if (close > 0 && Number.isFinite(cp) && cp <= 0x10ffff) {
            push(utf8(cp), base + i, base + close + 1);
            i = close + 1;
            continue;
          }
        }
        const h1 = hexValue(body.charCodeAt(i + 1));
        const h2 = hexValue(body.charCodeAt(i + 2));
        if (h1 >= 0 && h2 >= 0) {
          push([h1 * 16 + h2], base + i, base + i + 3);
          i += 3;
          continue;
        }
      }
      const cp = body.codePointAt(i) ?? c;
      const width = cp > 0xffff ? 2 : 1;
      push(utf8(cp), base + i, base + i + width);
      i += width;
    }
  }
  return { bytes: Uint8Array.from(bytes), starts: Uint32Array.from(starts), ends: Uint32Array.from(ends) };
}
