/**
 * The rolling SHA-256 of the signed content: every section after the signature section, each as
 * `id | LEB128(size) minimal | content`, with a snapshot after each `signature_delimiter` and a
 * final one at the end (unless the content ends with a delimiter). One pass over the bytes:
 * contiguous runs of canonical sections go to the hash in a single update, so large modules
 * hash at the speed of SHA-256 itself.
 */
import { createHash } from 'node:crypto';
import { canonicalHeader, isDelimiter, type RawSection } from './sections';

export interface PartBoundary {
  /** Offset just past the last byte of this part (a delimiter section, or the end of the module). */
  end: number;
  /** Rolling hash of everything hashed from the start of the content up to `end`. */
  hash: Uint8Array;
}

/**
 * Hashes `sections` (the content, in file order, signature section excluded) of `bytes`;
 * `contentStart` is where the content begins (right after the signature section, if any).
 */
export function hashParts(bytes: Uint8Array, sections: RawSection[], contentStart: number): PartBoundary[] {
  const hasher = createHash('sha256');
  const boundaries: PartBoundary[] = [];
  let runStart = contentStart;
  let runEnd = runStart;
  const flush = () => {
    if (runEnd > runStart) hasher.update(bytes.subarray(runStart, runEnd));
  };
  let endsWithDelimiter = false;
  for (const section of sections) {
    if (section.offset !== runEnd || !section.minimalSize) {
      // Not contiguous with the current run, or its header must be rewritten canonically.
      flush();
      if (section.minimalSize) runStart = section.offset;
      else {
        hasher.update(canonicalHeader(section));
        runStart = section.contentOffset;
      }
    }
    runEnd = section.end;
    endsWithDelimiter = isDelimiter(section);
    if (endsWithDelimiter) {
      flush();
      runStart = runEnd;
      boundaries.push({ end: section.end, hash: hasher.copy().digest() });
    }
  }
  if (!endsWithDelimiter) {
    flush();
    boundaries.push({ end: runEnd, hash: hasher.digest() });
  }
  return boundaries;
}
