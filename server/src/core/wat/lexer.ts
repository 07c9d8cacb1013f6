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
const ID_CHARS = (() => {
  const table = new Uint8Array(128);
  const mark = (from: number, to: number): void => {
    table.fill(1, from, to + 1);
  };
  mark(0x30, 0x39); // 0-9
  mark(0x41, 0x5a); // A-Z
  mark(0x61, 0x7a); // a-z
  for (const c of "!#$%&'*+-./:<=>?@\\^_`|~") table[c.charCodeAt(0)] = 1;
  return table;
})();

/**
 * Characters that only ever form reserved tokens (spec 3.0 §6.3.1): legal in annotations and
 * script-level syntax, an error wherever the module grammar expects a real token.
 */
function isReservedChar(c: number): boolean {
  return (
    c === 0x2c /* , */ || c === 0x3b /* ; */ || c === 0x5b || c === 0x5d /* [ ] */ || c === 0x7b || c === 0x7d
  ); /* { } */
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isIdChar(c: number): boolean {
  return c < 128 && ID_CHARS[c] === 1;
}

const NUMBER =
  /^[+-]?(?:inf|nan(?::0x[0-9a-fA-F](?:_?[0-9a-fA-F])*)?|0x[0-9a-fA-F](?:_?[0-9a-fA-F])*(?:\.(?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?)?(?:[pP][+-]?[0-9](?:_?[0-9])*)?|[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?)$/;

export function isNumberText(text: string): boolean {
  return NUMBER.test(text);
}

export function lex(text: string): LexResult {
  const tokens: Token[] = [];
  const errors = scanTokens(text, (kind, start, end) => {
    tokens.push({ kind, start, end, text: text.slice(start, end) });
  });
  return { tokens, errors };
}

/** Receives each token as it is scanned (no token objects: the s-expression reader builds its own). */
export type TokenSink = (kind: TokenKind, start: number, end: number) => void;

/** The lexer proper: calls `emit` for every token in order and returns the lexical errors. */
export function scanTokens(text: string, emit: TokenSink): LexError[] {
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
        // `(@id` or `(@"quoted id"`; a `(@` without a name is a plain `(` followed by a reserved `@…`.
        let j = i + 2;
        let empty = true;
        if (text.charCodeAt(j) === 0x22) {
          j = scanString(text, j, errors);
          empty = j <= i + 4; // `(@""`
        } else {
          while (j < n && isIdChar(text.charCodeAt(j))) j++;
          empty = j === i + 2;
        }
        if (!empty) {
          emit('annotation', i, j);
          i = j;
          continue;
        }
      }
      emit('lparen', i, i + 1);
      i++;
      continue;
    }
    if (c === 0x29 /* ) */) {
      emit('rparen', i, i + 1);
      i++;
      continue;
    }
    if (c === 0x22 /* " */) {
      const end = scanString(text, i, errors);
      emit('string', i, end);
      i = end;
      continue;
    }
    if (isIdChar(c) || isReservedChar(c)) {
      let j = i;
      let sawQuote = false;
      let sawReserved = false;
      // A token is a run of idchars and strings; `$"quoted id"` is the one legal mix.
      while (j < n) {
        const d = text.charCodeAt(j);
        if (isIdChar(d)) j++;
        else if (d === 0x22) {
          sawQuote = true;
          j = scanString(text, j, errors);
        } else if (isReservedChar(d) && !(d === 0x3b && text.charCodeAt(j + 1) === 0x3b)) {
          sawReserved = true;
          j++;
        } else break;
      }
      emit(sawReserved ? 'reserved' : classify(text, i, j, sawQuote), i, j);
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
  return errors;
}

/** Classifies the idchar run text[start, end) (`quoted`: it contains a string) without slicing it when it can. */
function classify(text: string, start: number, end: number, quoted: boolean): TokenKind {
  const first = text.charCodeAt(start);
  if (first === 0x24 /* $ */) {
    if (end - start === 1) return 'reserved';
    if (!quoted) return 'id';
    // `$"…"` is a quoted id; `$a"b"` mixes an id with a string: reserved.
    return text.charCodeAt(start + 1) === 0x22 && text.charCodeAt(end - 1) === 0x22 && end - start > 3
      ? 'id'
      : 'reserved';
  }
  if (quoted) return 'reserved';
  if (first >= 0x61 && first <= 0x7a) {
    // Only `inf…` and `nan…` can be numbers among tokens that start with a letter.
    const maybeNumber =
      (first === 0x69 && text.startsWith('inf', start)) || (first === 0x6e && text.startsWith('nan', start));
    return maybeNumber && isNumberText(text.slice(start, end)) ? 'number' : 'keyword';
  }
  return isNumberText(text.slice(start, end)) ? 'number' : 'reserved';
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
      errors.push({
        start: i,
        end: i + 1,
        message: 'Control characters are not allowed in strings; use an escape like \\09.',
      });
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
  if (isHexDigit(text.charCodeAt(at + 1)) && isHexDigit(text.charCodeAt(at + 2))) return at + 3;
  if (e === 'u') {
    const m = /^\{([0-9a-fA-F](?:_?[0-9a-fA-F])*)\}/.exec(text.slice(at + 2, at + 20));
    if (m) {
      const cp = parseInt(m[1].replace(/_/g, ''), 16);
      if (cp >= 0xd800 && (cp < 0xe000 || cp > 0x10ffff)) {
        errors.push({
          start: at,
          end: at + 2 + m[0].length,
          message: `Escape \\u{${m[1]}} is not a Unicode scalar value.`,
        });
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
