/**
 * Where something is in a module's source. Text (`.wat`) locations are zero-based line and
 * character (UTF-16 code units, as LSP counts them); binary (`.wasm`) locations are byte ranges.
 */
export interface Position {
  line: number;
  character: number;
}

export interface TextSpan {
  kind: 'text';
  start: Position;
  end: Position;
}

export interface ByteSpan {
  kind: 'binary';
  offset: number;
  length: number;
}

export type SourceLocation = TextSpan | ByteSpan;

export function textSpan(start: Position, end: Position): TextSpan {
  return { kind: 'text', start, end };
}

export function byteSpan(offset: number, length: number): ByteSpan {
  return { kind: 'binary', offset, length };
}

/** Maps UTF-16 offsets in a text to line/character positions (binary search over line starts). */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    // Text without CR (nearly all): indexOf finds line ends several times faster than a char loop.
    if (text.indexOf('\r') < 0) {
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */) this.lineStarts.push(i + 1);
      else if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.lineStarts.push(i + 1);
      }
    }
  }

  positionAt(offset: number): Position {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: offset - this.lineStarts[low] };
  }

  offsetAt(position: Position): number {
    const start = this.lineStarts[Math.min(position.line, this.lineStarts.length - 1)] ?? 0;
    return start + position.character;
  }

  span(startOffset: number, endOffset: number): TextSpan {
    return textSpan(this.positionAt(startOffset), this.positionAt(endOffset));
  }
}
