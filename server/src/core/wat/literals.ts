/**
 * Values of WAT literal tokens: natural and signed integers (decimal or hex, with `_`), string
 * literals as bytes, names as UTF-8 text, and `$"quoted"` ids. Returns null on bad input so the
 * caller can report it at the token.
 */

const DEC = /^[0-9](?:_?[0-9])*$/;
const HEX = /^0x[0-9a-fA-F](?:_?[0-9a-fA-F])*$/;

/** An unsigned integer literal (`nat` of the spec), or null when the text is not one. */
export function parseNat(text: string): bigint | null {
  if (DEC.test(text)) return BigInt(text.replace(/_/g, ''));
  if (HEX.test(text)) return BigInt(text.replace(/_/g, ''));
  return null;
}

/** A signed or unsigned integer literal (`int` of the spec): `+1`, `-0x10`, `1_000`. */
export function parseInt(text: string): bigint | null {
  const sign = text[0] === '-' ? -1n : 1n;
  const body = text[0] === '-' || text[0] === '+' ? text.slice(1) : text;
  const magnitude = parseNat(body);
  return magnitude === null ? null : sign * magnitude;
}

/**
 * An integer literal as the binary stores it in `bits` bits (two's complement), or null when it is
 * out of range: `-1` as i32 is 0xffffffff.
 */
export function parseIntBits(text: string, bits: 32 | 64): bigint | null {
  const value = parseInt(text);
  if (value === null) return null;
  const limit = 1n << BigInt(bits);
  if (value >= limit || value < -(limit >> 1n)) return null;
  return BigInt.asUintN(bits, value);
}

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF: it is part of a name, not a byte-order mark.
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The bytes of a string token (with its quotes). Escapes: \t \n \r \" \' \\, two hex digits, and
 * \u{hex}; other characters are UTF-8 encoded. The lexer already reported bad escapes; here they
 * are skipped.
 */
export function stringBytes(token: string): Uint8Array {
  const out: number[] = [];
  const end = token.endsWith('"') && token.length > 1 ? token.length - 1 : token.length;
  let plainStart = 1;
  const flushPlain = (upTo: number): void => {
    if (upTo > plainStart) for (const b of utf8Encoder.encode(token.slice(plainStart, upTo))) out.push(b);
  };
  for (let i = 1; i < end; i++) {
    if (token.charCodeAt(i) !== 0x5c /* \ */) continue;
    flushPlain(i);
    const e = token[i + 1];
    let next = i + 2;
    if (e === 't') out.push(9);
    else if (e === 'n') out.push(10);
    else if (e === 'r') out.push(13);
    else if (e === '"' || e === "'" || e === '\\') out.push(e.charCodeAt(0));
    else if (e === 'u') {
      const m = /^\{([0-9a-fA-F_]+)\}/.exec(token.slice(i + 2, i + 24));
      if (m) {
        const cp = Number.parseInt(m[1].replace(/_/g, ''), 16);
        if (cp <= 0x10ffff && !(cp >= 0xd800 && cp < 0xe000)) {
          for (const b of utf8Encoder.encode(String.fromCodePoint(cp))) out.push(b);
        }
        next = i + 2 + m[0].length;
      }
    } else if (/^[0-9a-fA-F]{2}$/.test(token.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(token.slice(i + 1, i + 3), 16));
      next = i + 3;
    }
    plainStart = next;
    i = next - 1;
  }
  flushPlain(end);
  return Uint8Array.from(out);
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * The number of bytes `stringBytes(token)` would return, without building them: data segments of
 * big modules are megabytes of escapes, and their facts only need the size.
 */
export function stringByteLength(token: string): number {
  const end = token.endsWith('"') && token.length > 1 ? token.length - 1 : token.length;
  let size = 0;
  for (let i = 1; i < end; i++) {
    const c = token.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      const e = token.charCodeAt(i + 1);
      if (e === 0x75 /* u */ && token.charCodeAt(i + 2) === 0x7b /* { */) {
        const close = token.indexOf('}', i + 3);
        const cp = close > 0 ? Number.parseInt(token.slice(i + 3, close).replace(/_/g, ''), 16) : NaN;
        if (cp <= 0x10ffff && !(cp >= 0xd800 && cp < 0xe000))
          size += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        i = close > 0 ? close : i + 1;
      } else if (isHexDigit(e) && isHexDigit(token.charCodeAt(i + 2))) {
        size++;
        i += 2;
      } else {
        if ('tnr"\'\\'.includes(token[i + 1] ?? '')) size++;
        i++;
      }
    } else if (c < 0x80) size++;
    else if (c < 0x800) size += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < end) {
      size += 4; // a surrogate pair: one code point of four bytes
      i++;
    } else size += 3;
  }
  return size;
}

/**
 * The content of a string token without escapes or surrogates (nearly every name), which is its
 * own UTF-8 decoding; undefined for any other token, which takes the byte path.
 */
function plainStringContent(token: string): string | undefined {
  const end = token.endsWith('"') && token.length > 1 ? token.length - 1 : token.length;
  for (let i = 1; i < end; i++) {
    const c = token.charCodeAt(i);
    if (c === 0x5c /* \ */ || (c >= 0xd800 && c < 0xe000)) return undefined;
  }
  return token.slice(1, end);
}

/** A string token as a name: its bytes must be valid UTF-8. Null when they are not. */
export function stringName(token: string): string | null {
  const plain = plainStringContent(token);
  if (plain !== undefined) return plain;
  try {
    return utf8Strict.decode(stringBytes(token));
  } catch {
    return null;
  }
}

/** The identity of an id token: `$abc` → `abc`, `$"a b"` → `a b` (so `$abc` and `$"abc"` agree). */
export function idName(token: string): string {
  if (token.startsWith('$"')) return stringName(token.slice(1)) ?? token.slice(1);
  return token.slice(1);
}
