/**
 * Folding ranges for WAT: every parenthesised list that spans lines folds, and so do block
 * comments. Works on tokens alone (no tree), so it is cheap on a view of a large binary.
 */
import { LineIndex } from '../location';
import { scanTokens } from './lexer';

export interface FoldRange {
  startLine: number;
  endLine: number;
  kind?: 'comment';
}

/** Folds larger than this many lines per file are enough for any editor; past it we stop. */
const MAX_RANGES = 20_000;

export function foldingRanges(text: string): FoldRange[] {
  const lines = new LineIndex(text);
  const open: number[] = [];
  const ranges: FoldRange[] = [];
  scanTokens(text, (kind, start, end) => {
    if (kind === 'lparen' || kind === 'annotation') open.push(start);
    else if (kind === 'rparen' && open.length > 0) {
      const from = open.pop() as number;
      const startLine = lines.positionAt(from).line;
      // The closing line stays visible, as editors do for braces.
      const endLine = lines.positionAt(end).line - 1;
      if (endLine > startLine && ranges.length < MAX_RANGES) ranges.push({ startLine, endLine });
    }
  });
  for (const match of text.matchAll(/\(;[\s\S]*?;\)/g)) {
    const startLine = lines.positionAt(match.index).line;
    const endLine = lines.positionAt(match.index + match[0].length).line;
    if (endLine > startLine && ranges.length < MAX_RANGES)
      ranges.push({ startLine, endLine, kind: 'comment' });
  }
  return ranges.sort((a, b) => a.startLine - b.startLine);
}
