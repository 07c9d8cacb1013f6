/**
 * Collects the lines of a `.wasm` text view together with the byte offset each line was printed
 * from, and enforces the view's size limits. Offsets never decrease from one line to the next, so
 * `lineForOffset` can binary-search them.
 */

/** How much text a view may hold. The defaults are chosen for VS Code; see DEFAULT_VIEW_LIMITS. */
export interface ViewLimits {
  /** Instruction lines shown per function body; the rest of the body becomes one note line. */
  maxLinesPerFunction: number;
  /** Instruction lines shown over all function bodies; later bodies show only a note line. */
  maxFunctionLines: number;
  /** Characters per line; longer lines (typically data segments) are cut with a note. */
  maxLineLength: number;
}

/**
 * VS Code slows down badly on documents of a million lines and more, and on lines of tens of
 * thousands of characters (it stops tokenising them). A large real module (esbuild-wasm, 14 MB)
 * disassembles to 4.8 million lines, so the view shows at most 200,000 instruction lines, at most
 * 2,000 per function, and cuts lines at 10,000 characters. Every cut leaves a note in the text,
 * placed at the byte offset of what it stands for, so findings there still land on a line.
 */
export const DEFAULT_VIEW_LIMITS: ViewLimits = {
  maxLinesPerFunction: 2_000,
  maxFunctionLines: 200_000,
  maxLineLength: 10_000,
};

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function hex(offset: number): string {
  return `0x${offset.toString(16)}`;
}

export class ViewBuilder {
  readonly lines: string[] = [];
  readonly offsets: number[] = [];
  /** Instruction lines kept so far over all function bodies. */
  functionLines = 0;
  /** Instruction lines left out of the view because of the limits. */
  omittedLines = 0;
  /** Lines cut at maxLineLength. */
  cutLines = 0;

  constructor(readonly limits: ViewLimits) {}

  /** Appends a line printed from `offset` (clamped so offsets never go backwards). */
  push(text: string, offset: number): void {
    const at = this.clamp(offset);
    if (text.length > this.limits.maxLineLength) {
      this.lines.push(cutLine(text, this.limits.maxLineLength));
      this.offsets.push(at);
      this.cutLines++;
      return;
    }
    this.lines.push(text);
    this.offsets.push(at);
  }

  /** Appends a `;;` comment line that explains something about the view (never cut). */
  note(indent: string, text: string, offset: number): void {
    this.lines.push(`${indent};; ${text}`);
    this.offsets.push(this.clamp(offset));
  }

  private clamp(offset: number): number {
    const previous = this.offsets.length > 0 ? this.offsets[this.offsets.length - 1] : 0;
    return Math.max(offset, previous);
  }
}

/**
 * Shortens a line to about `max` characters and keeps it well-formed WAT (so the highlighting and
 * the syntax check stay right): it is cut between string characters or at a space, an open string
 * is closed with "…", the parentheses the rest of the line would have closed are closed, and a
 * comment says how much was left out.
 */
export function cutLine(text: string, max: number): string {
  let depth = 0;
  let inString = false;
  let cut = { at: 0, depth: 0, inString: false };
  let lowestAfterCut = 0;
  for (let i = 0; i < text.length;) {
    const c = text[i];
    if (i <= max && (inString || c === ' ')) {
      cut = { at: i, depth, inString };
      lowestAfterCut = depth;
    }
    if (inString && c === '\\') {
      i += /[0-9a-fA-F]/.test(text[i + 1] ?? '') ? 3 : 2; // `\hh` or `\n`: never split an escape
      continue;
    }
    if (c === '"') inString = !inString;
    else if (!inString && c === '(') depth++;
    else if (!inString && c === ')') lowestAfterCut = Math.min(lowestAfterCut, --depth);
    i++;
  }
  const closed = Math.max(0, cut.depth - lowestAfterCut);
  const kept = text.slice(0, cut.at) + (cut.inString ? '…"' : '') + ')'.repeat(closed);
  return `${kept} ;; … line cut: ${formatCount(text.length - cut.at)} more characters not shown`;
}

export function indentOf(line: string): string {
  return /^\s*/.exec(line)![0];
}
