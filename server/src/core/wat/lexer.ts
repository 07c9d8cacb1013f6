/**
 * The WebAssembly text-format lexer (spec §6.3 "Lexical Format"). It never throws: malformed input
 * becomes a token plus a located LexError, and lexing goes on, so an editor always gets a result.
 */

export type TokenKind =
  | 'lparen'
  | 'rparen'
  | 'annotation' // `(@name`: the open paren and the annotation id in one token
  | 'keyword' // starts with a-z: module, func, i32.add, offset=4
  | 'id' // $name or $"quoted name"
  | 'string'
  | 'number'
  | 'reserved'; // any other idchar run: not valid where a token is expected

export interface Token {
  kind: TokenKind;
  /** UTF-16 offsets into the text: [start, end). */
  start: number;
  end: number;
  text: string;
}

export interface LexError {
  start: number;
  end: number;
  message: string;
}

export interface LexResult {
  tokens: Token[];
  errors: LexError[];
}

/** idchar of the spec: the characters that may form keywords, ids, numbers and reserved tokens. */
function isIdChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || // 0-9
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    '!#$%&\'*+-./:<=>?@\\^_`|~'.includes(String.fromCharCode(c))
  );
}

const NUMBER =
  /^[+-]?(?:inf|nan(?::0x[0-9a-fA-F](?:_?[0-9a-fA-F])*)?|0x[0-9a-fA-F](?:_?[0-9a-fA-F])*(?:\.(?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?)?(?:[pP][+-]?[0-9](?:_?[0-9])*)?|[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?)$/;

export function isNumberText(text: string): boolean {
  return NUMBER.test(text);
}

export function lex(text: string): LexResult {
  const tokens: Token[] = [];
  const errors: LexError[] = [];
  const n = text.length;
  let i = 0;

  while (i < n) {
    const c = text.charCodeAt(i);
    // whitespace
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    // line comment
    if (c === 0x3b /* ; */ && text.charCodeAt(i + 1) === 0x3b) {
      while (i < n && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
      continue;
    }
    if (c === 0x28 /* ( */) {
      const next = text.charCodeAt(i + 1);
      if (next === 0x3b /* ; */) {
        i = skipBlockComment(text, i, errors);
        continue;
      }
      if (next === 0x40 /* @ */) {
        let j = i + 2;
        while (j < n && isIdChar(text.charCodeAt(j))) j++;
        if (j === i + 2) errors.push({ start: i, end: j, message: 'An annotation needs a name after "(@".' });
        tokens.push({ kind: 'annotation', start: i, end: j, text: text.slice(i, j) });
        i = j;
        continue;
      }
      tokens.push({ kind: 'lparen', start: i, end: i + 1, text: '(' });
      i++;
      continue;
    }
    if (c === 0x29 /* ) */) {
      tokens.push({ kind: 'rparen', start: i, end: i + 1, text: ')' });
      i++;
      continue;
    }
    if (c === 0x22 /* " */) {
      const end = scanString(text, i, errors);
      tokens.push({ kind: 'string', start: i, end, text: text.slice(i, end) });
      i = end;
      continue;
    }
    if (c === 0x3b /* lone ; */) {
      errors.push({ start: i, end: i + 1, message: 'Unexpected ";": comments start with ";;" or "(;".' });
      i++;
      continue;
    }
    if (isIdChar(c)) {
      let j = i;
      // A token is a run of idchars and strings; `$"quoted id"` is the one legal mix.
      while (j < n) {
        const d = text.charCodeAt(j);
        if (isIdChar(d)) j++;
        else if (d === 0x22) j = scanString(text, j, errors);
        else break;
      }
      const tokenText = text.slice(i, j);
      tokens.push({ kind: classify(tokenText), start: i, end: j, text: tokenText });
      i = j;
      continue;
    }
    // Anything else (control characters, non-ASCII outside strings, U+FFFD from invalid UTF-8).
    let j = i + 1;
    while (j < n && !isIdChar(text.charCodeAt(j)) && !'() \t\r\n";'.includes(text[j])) j++;
    errors.push({
      start: i,
      end: j,
      message: `Unexpected character${j - i > 1 ? 's' : ''} ${JSON.stringify(text.slice(i, Math.min(j, i + 16)))}: only ASCII is allowed outside strings and comments.`,
    });
    i = j;
  }
  return { tokens, errors };
}

function classify(text: string): TokenKind {
  const first = text.charCodeAt(0);
  if (first === 0x24 /* $ */) {
    if (text.length === 1) return 'reserved';
    if (text[1] === '"') return text.endsWith('"') && text.length > 3 ? 'id' : 'reserved';
    return text.includes('"') ? 'reserved' : 'id';
  }
  if (text.includes('"')) return 'reserved';
  if (first >= 0x61 && first <= 0x7a) {
    return /^(inf|nan)/.test(text) && isNumberText(text) ? 'number' : 'keyword';
  }
  return isNumberText(text) ? 'number' : 'reserved';
}

/** Skips a (possibly nested) block comment starting at `(;`; returns the offset after it. */
function skipBlockComment(text: string, start: number, errors: LexError[]): number {
  let depth = 0;
  let i = start;
  const n = text.length;
  while (i < n) {
    if (text.charCodeAt(i) === 0x28 && text.charCodeAt(i + 1) === 0x3b) {
      depth++;
      i += 2;
    } else if (text.charCodeAt(i) === 0x3b && text.charCodeAt(i + 1) === 0x29) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  errors.push({ start, end: start + 2, message: 'Unterminated block comment: "(;" has no matching ";)".' });
  return n;
}

/** Scans a string literal starting at its opening quote; returns the offset after the closing quote. */
function scanString(text: string, start: number, errors: LexError[]): number {
  const n = text.length;
  let i = start + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x0a || c === 0x0d) break; // strings cannot span lines: report at the opening quote
    if (c === 0x5c /* \ */) {
      i = scanEscape(text, i, errors);
      continue;
    }
    if (c < 0x20 || c === 0x7f) {
      errors.push({ start: i, end: i + 1, message: 'Control characters are not allowed in strings; use an escape like \\09.' });
    }
    i++;
  }
  errors.push({ start, end: i, message: 'Unterminated string: missing closing quote.' });
  return i;
}

function scanEscape(text: string, at: number, errors: LexError[]): number {
  const e = text[at + 1];
  if (e === undefined) return at + 1;
  if ('tnr"\'\\'.includes(e)) return at + 2;
  if (/[0-9a-fA-F]/.test(e) && /[0-9a-fA-F]/.test(text[at + 2] ?? '')) return at + 3;
  if (e === 'u') {
    const m = /^\{([0-9a-fA-F](?:_?[0-9a-fA-F])*)\}/.exec(text.slice(at + 2, at + 20));
    if (m) {
      const cp = parseInt(m[1].replace(/_/g, ''), 16);
      if (cp >= 0xd800 && (cp < 0xe000 || cp > 0x10ffff)) {
        errors.push({ start: at, end: at + 2 + m[0].length, message: `Escape \\u{${m[1]}} is not a Unicode scalar value.` });
      }
      return at + 2 + m[0].length;
    }
  }
  const end = Math.min(at + 2, text.length);
  errors.push({
    start: at,
    end,
    message: `Bad escape "${text.slice(at, end)}": use \\t \\n \\r \\" \\' \\\\, two hex digits (\\0a) or \\u{hex}.`,
  });
  return end;
}
