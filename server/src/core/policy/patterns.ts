/**
 * Import patterns: `module.name` with `*` wildcards (`env.*`, `wasi_snapshot_preview1.fd_*`). A WASI
 * 0.2 interface may be named with or without its version and without a function, so
 * `wasi:filesystem/types` covers `wasi:filesystem/types@0.2.0` and every function imported from it.
 * One function of a component interface is `iface#function`, as WIT names it:
 * `wasi:filesystem/types@0.2.*#[method]descriptor.write`.
 */
import { splitInterfaceVersion } from '../wasi/catalogue';

/** Longer patterns are refused by policy validation: no import name is that long. */
export const MAX_PATTERN_LENGTH = 4096;

/** A compiled pattern: whether a string matches it. */
export type PatternMatcher = (text: string) => boolean;

const compiled = new Map<string, PatternMatcher>();

/**
 * A pattern compiled to a matcher that runs in time linear in the text and the pattern, whatever
 * the pattern holds. Policies are written by whoever ships a module, so a pattern such as
 * `env.*a*a*a*a*a*b` (catastrophic backtracking for a regular expression) or one 35,000
 * characters long (too large for the regular-expression engine) must neither stall nor fail:
 * `*` only needs each literal piece found in order, and the leftmost place for each piece is
 * always as good as any later one. Cached: the same patterns are matched again and again.
 */
export function compilePattern(pattern: string): PatternMatcher {
  let matcher = compiled.get(pattern);
  if (!matcher) {
    matcher = starMatcher(pattern.split('*'));
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, matcher);
  }
  return matcher;
}

function starMatcher(pieces: string[]): PatternMatcher {
  const head = pieces[0]!;
  if (pieces.length === 1) return (text) => text === head;
  const tail = pieces[pieces.length - 1]!;
  const middle = pieces.slice(1, -1).filter((piece) => piece !== '');
  return (text) => {
    if (text.length < head.length + tail.length) return false;
    if (!text.startsWith(head) || !text.endsWith(tail)) return false;
    const end = text.length - tail.length;
    let at = head.length;
    for (const piece of middle) {
      const found = text.indexOf(piece, at);
      if (found < 0 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}

/** Component imports come as one name (`wasi:http/types@0.2.0`): callers may pass it as module or as name. */
export function normaliseImport(module: string, name: string): { module: string; name: string } {
  return module === '' ? { module: name, name: '' } : { module, name };
}

/** The strings a pattern is matched against, most specific first. */
export function importSubjects(module: string, name: string): string[] {
  const subjects = [name === '' ? module : `${module}.${name}`];
  if (module.includes(':')) {
    const unversioned = splitInterfaceVersion(module).name;
    if (name !== '') subjects.push(`${module}#${name}`, `${unversioned}#${name}`, `${unversioned}.${name}`);
    subjects.push(module, unversioned);
  }
  return [...new Set(subjects)];
}

export function matchesImport(pattern: string, module: string, name: string): boolean {
  const matches = compilePattern(pattern);
  return importSubjects(module, name).some(matches);
}

/** Whether a pattern matches a plain string (used to see which catalogue names a pattern can reach). */
export function matchesText(pattern: string, text: string): boolean {
  return compilePattern(pattern)(text);
}
