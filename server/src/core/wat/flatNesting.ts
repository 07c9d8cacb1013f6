/**
 * How deep flat structured instructions (`block`, `loop`, `if`, `try`, `try_table` … `end`) nest
 * in module text. wabt's npm build (1.0.39) never returns from a module whose flat `block` or
 * `loop` nesting passes about 175 (its parser's stack runs out and it spins: sql.js printed by
 * `wasm2wat` nests 300 deep in SQLite's VDBE switch), so compile.ts measures this first. One pass
 * over the characters, skipping comments and strings; folded forms (`(block …)`) have no `end` and
 * are not counted (wabt handles those thousands deep).
 */
const OPENERS = new Set(['block', 'loop', 'if', 'try', 'try_table']);

/** Characters that end a keyword token: whitespace, parens, a quote or a `;` (comment start). */
function endsToken(c: number): boolean {
  return c <= 32 || c === 40 /* ( */ || c === 41 /* ) */ || c === 34 /* " */ || c === 59; /* ; */
}

/** The deepest flat nesting in `text`; stops counting once it passes `stopAbove` (the caller's limit). */
export function flatNestingDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 59 /* ; */ && text.charCodeAt(i + 1) === 59) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === 40 /* ( */ && text.charCodeAt(i + 1) === 59) {
      i = afterBlockComment(text, i);
    } else if (c === 34 /* " */) {
      i = afterString(text, i + 1);
    } else if (c >= 97 /* a */ && c <= 122 /* z */ && (i === 0 || endsToken(text.charCodeAt(i - 1)))) {
      let end = i + 1;
      while (end < n && !endsToken(text.charCodeAt(end))) end++;
      // A folded form's keyword follows its open paren: `(block` has no `end` of its own.
      const folded = i > 0 && text.charCodeAt(i - 1) === 40;
      if (end - i <= 9 && !folded) {
        const word = text.slice(i, end);
        if (word === 'end') depth = Math.max(0, depth - 1);
        else if (OPENERS.has(word) && ++depth > deepest) {
          deepest = depth;
          if (deepest > stopAbove) return deepest;
        }
      }
      i = end;
    } else i++;
  }
  return deepest;
}

/** The index after a `(; … ;)` comment starting at `start` (they nest). */
function afterBlockComment(text: string, start: number): number {
  let level = 0;
  let i = start;
  while (i < text.length) {
    if (text.charCodeAt(i) === 40 && text.charCodeAt(i + 1) === 59) {
      level++;
      i += 2;
    } else if (text.charCodeAt(i) === 59 && text.charCodeAt(i + 1) === 41) {
      i += 2;
      if (--level === 0) return i;
    } else i++;
  }
  return i;
}

/** The index after a string whose contents start at `i` (a backslash escapes the next character). */
function afterString(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i += 2;
    else if (c === 34 || c === 10) return i + 1;
    else i++;
  }
  return i;
}
