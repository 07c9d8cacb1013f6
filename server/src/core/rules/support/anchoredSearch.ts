/**
 * Searching megabytes of data for a pattern by way of a short literal every match contains. V8
 * finds a literal of up to six characters with memchr on its first character, many times faster
 * than irregexp scans for a pattern that opens with a lookbehind, an alternation or a class (and
 * faster than for a longer literal, which goes through Boyer-Moore-Horspool). The pattern itself
 * then runs only at the few starts each occurrence of the literal allows.
 */
export interface AnchoredSearch {
  /** Sticky (`y`): tried at one start at a time. */
  pattern: RegExp;
  /** Literals (non-empty, at most six characters to be fast) of which every match holds one... */
  anchors: readonly string[];
  /** ...this many characters after the match's start, at least and at most. */
  lead: readonly [fewest: number, most: number];
}

/**
 * The matches of `search.pattern` in `text`, exactly those a global `exec` loop over the whole
 * text finds: the same starts in the same order, each search going on from the previous match's
 * end. Lookbehinds and lookaheads see the whole text, as they do there.
 */
export function* anchoredMatches(text: string, search: AnchoredSearch): Generator<RegExpExecArray> {
  const { pattern, anchors } = search;
  const [fewest, most] = search.lead;
  // Where each anchor next occurs (-1: no more), and the first start not yet tried.
  const next = anchors.map((anchor) => text.indexOf(anchor, fewest));
  let from = 0;
  // Where anchors crowd (a text made of them), a try per anchor costs far more than irregexp's own
  // scan: past this many tries, the rest of the text goes to a plain global search.
  let tries = 256 + (text.length >> 8);
  for (;;) {
    if (--tries < 0) {
      yield* globalMatches(text, pattern, from);
      return;
    }
    // An anchor before `from + fewest` only allows starts that were tried already.
    let at = -1;
    for (let i = 0; i < anchors.length; i++) {
      if (next[i] >= 0 && next[i] < from + fewest) next[i] = text.indexOf(anchors[i], from + fewest);
      if (next[i] >= 0 && (at < 0 || next[i] < at)) at = next[i];
    }
    if (at < 0) return;
    // The earliest untried start any anchor allows: a later anchor allows no earlier one.
    const start = Math.max(from, at - most);
    pattern.lastIndex = start;
    const match = pattern.exec(text);
    if (match) {
      from = start + Math.max(match[0].length, 1);
      yield match;
    } else {
      from = start + 1;
    }
  }
}

/** The sticky patterns' global twins, for texts where anchors do not pay. */
const globalTwins = new WeakMap<RegExp, RegExp>();

function* globalMatches(text: string, sticky: RegExp, from: number): Generator<RegExpExecArray> {
  let pattern = globalTwins.get(sticky);
  if (!pattern) {
    pattern = new RegExp(sticky.source, sticky.flags.replace('y', 'g'));
    globalTwins.set(sticky, pattern);
  }
  for (let start = from; ;) {
    pattern.lastIndex = start;
    const match = pattern.exec(text);
    if (!match) return;
    start = match.index + Math.max(match[0].length, 1);
    yield match;
  }
}
