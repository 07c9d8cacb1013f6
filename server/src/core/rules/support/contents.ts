/**
 * The raw contents of a module's data segments and custom sections, for rules that read them,
 * with a way to turn an offset inside the contents back into a location: a byte span in the file
 * for binaries, the characters of the string literal for text.
 */
import { byteSpan, LineIndex, type SourceLocation } from '../../location';
import { dataSegmentTable } from '../../module/lazyDataSegments';
import type { DataSegmentFact, ModuleFacts } from '../../module/model';
import { decodeStringsIn } from './watStrings';

export interface ContentBlock {
  kind: 'data' | 'custom';
  /** `data segment 3` or `custom section "name"`. */
  label: string;
  /** Custom section name, for custom blocks. */
  sectionName?: string;
  index: number;
  bytes: Uint8Array;
  locate(offset: number, length: number): SourceLocation;
}

function binaryBlock(
  file: Uint8Array,
  kind: ContentBlock['kind'],
  label: string,
  index: number,
  start: number,
  size: number,
  sectionName?: string,
): ContentBlock | undefined {
  if (start < 0 || size < 0 || start + size > file.length) return undefined;
  return {
    kind,
    label,
    index,
    sectionName,
    bytes: file.subarray(start, start + size),
    locate: (offset, length) => byteSpan(start + offset, length),
  };
}

function textBlock(
  text: string,
  lines: LineIndex,
  location: SourceLocation,
  kind: ContentBlock['kind'],
  label: string,
  index: number,
  skipStrings: number,
  sectionName?: string,
): ContentBlock | undefined {
  if (location.kind !== 'text') return undefined;
  const decoded = decodeStringsIn(
    text,
    lines.offsetAt(location.start),
    lines.offsetAt(location.end),
    skipStrings,
  );
  return {
    kind,
    label,
    index,
    sectionName,
    bytes: decoded.bytes,
    locate: (offset, length) => {
      if (decoded.bytes.length === 0) return location;
      const first = Math.min(offset, decoded.bytes.length - 1);
      const last = Math.min(offset + Math.max(length, 1) - 1, decoded.bytes.length - 1);
      return lines.span(decoded.starts[first], decoded.ends[last]);
    },
  };
}

/**
 * The contents of the data segments and then of the custom sections, in module order; `kinds`
 * leaves out what a caller has already read another way (a binary's data region).
 */
export function contentBlocks(
  facts: ModuleFacts,
  bytes: Uint8Array | undefined,
  text: string | undefined,
  kinds: { data: boolean; custom: boolean },
): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  const lines = text !== undefined ? new LineIndex(text) : undefined;
  const binary = facts.source === 'binary' ? bytes : undefined;
  const table = binary && dataSegmentTable(facts);
  if (kinds.data && table) {
    // Straight from a binary's table: no segment objects built (Go modules have ~100,000).
    for (let i = 0; i < table.length; i++) {
      const label = dataSegmentLabel(i);
      const block = binaryBlock(binary, 'data', label, i, table.contentOffset(i), table.size(i));
      if (block) blocks.push(block);
    }
  } else if (kinds.data) {
    for (const segment of facts.dataSegments) {
      const label = dataSegmentLabel(segment.index);
      const block =
        binary && segment.contentOffset !== undefined
          ? binaryBlock(binary, 'data', label, segment.index, segment.contentOffset, segment.size)
          : text !== undefined && lines
            ? textBlock(text, lines, segment.location, 'data', label, segment.index, 0)
            : undefined;
      if (block) blocks.push(block);
    }
  }
  if (kinds.custom) {
    facts.customSections.forEach((section, index) => {
      const label = `custom section "${section.name}"`;
      const block =
        binary && section.payloadOffset !== undefined
          ? binaryBlock(binary, 'custom', label, index, section.payloadOffset, section.size, section.name)
          : text !== undefined && lines
            ? textBlock(text, lines, section.location, 'custom', label, index, 1, section.name)
            : undefined;
      if (block) blocks.push(block);
    });
  }
  return blocks;
}

/** One byte per character, so regular-expression indices are byte offsets. */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/**
 * The data segments of a binary as few long runs of bytes: segments sit next to each other in the
 * data section, separated only by their small headers, so one scan of the whole section costs far
 * less than one per segment (ffmpeg-core has 28,951 segments). Each match is then mapped back to
 * the segment it falls in; one that runs into a header is cut at the segment's end.
 */
export interface DataRegion {
  bytes: Uint8Array;
  /** File offset of `bytes[0]`. */
  start: number;
  /** The segments inside, in file order (esbuild-wasm has 98,450: read in place, not copied). */
  blocks: RegionSegments;
  /**
   * `bytes` as a latin1 string (the headers between segments as NUL), made once and shared by
   * the rules that search it.
   */
  text(): string;
}

/** Segments by row, in file order: a binary's DataSegmentTable (row = index) or facts' objects. */
interface RegionSegments {
  readonly length: number;
  index(row: number): number;
  contentOffset(row: number): number;
  size(row: number): number;
}

export function dataSegmentLabel(index: number): string {
  return `data segment ${index}`;
}

/** Regions per file: two rules read the same one, and it dies with the file's bytes. */
const regions = new WeakMap<Uint8Array, { facts: ModuleFacts; region: DataRegion | undefined }>();

export function binaryDataRegion(facts: ModuleFacts, bytes: Uint8Array): DataRegion | undefined {
  const known = regions.get(bytes);
  if (known?.facts === facts) return known.region;
  const region = makeDataRegion(facts, bytes);
  regions.set(bytes, { facts, region });
  return region;
}

function makeDataRegion(facts: ModuleFacts, bytes: Uint8Array): DataRegion | undefined {
  if (facts.source !== 'binary') return undefined;
  const blocks = tableInFileOrder(facts, bytes) ?? factsInFileOrder(facts, bytes);
  if (blocks.length === 0) return undefined;
  const start = blocks.contentOffset(0);
  const last = blocks.length - 1;
  const regionBytes = bytes.subarray(start, blocks.contentOffset(last) + blocks.size(last));
  let text: string | undefined;
  return { bytes: regionBytes, start, blocks, text: () => (text ??= regionText(regionBytes, start, blocks)) };
}

/**
 * The region as latin1 text with the segment headers between segments blanked to NUL, so that no
 * pattern sees a header byte: a size byte that reads as a letter (a 100-byte segment's is "d")
 * would fail the lookbehind of a URL at the start of the segment, and a path could start in one.
 */
function regionText(regionBytes: Uint8Array, start: number, blocks: RegionSegments): string {
  const text = scratchFor(regionBytes.length);
  text.set(regionBytes);
  for (let row = 1; row < blocks.length; row++) {
    const headerStart = blocks.contentOffset(row - 1) + blocks.size(row - 1) - start;
    const headerEnd = blocks.contentOffset(row) - start;
    if (headerEnd > headerStart) text.fill(0, headerStart, headerEnd);
  }
  return text.toString('latin1', 0, regionBytes.length);
}

/** Regions up to this size are blanked in one reused buffer; a larger one gets a copy of its own. */
const SCRATCH_BYTES = 8 * 1024 * 1024;
let scratch = Buffer.alloc(0);

/**
 * Room to blank a region in: the string is made from it at once, so one buffer serves every module
 * (a workspace scan made a new copy of each module's data, esbuild-wasm's 3.9 MB, for the collector).
 */
function scratchFor(size: number): Buffer {
  if (size > SCRATCH_BYTES) return Buffer.allocUnsafeSlow(size);
  if (size > scratch.length)
    scratch = Buffer.allocUnsafeSlow(Math.min(SCRATCH_BYTES, Math.max(size, scratch.length * 2)));
  return scratch;
}

/** The table itself when every segment lies in `bytes` (always, for the file it was read from). */
function tableInFileOrder(facts: ModuleFacts, bytes: Uint8Array): RegionSegments | undefined {
  const table = dataSegmentTable(facts);
  if (!table) return undefined;
  for (let row = 0; row < table.length; row++) {
    if (table.contentOffset(row) + table.size(row) > bytes.length) return undefined;
  }
  // The reader adds segments as it meets them, so they are in file order already.
  return table;
}

function factsInFileOrder(facts: ModuleFacts, bytes: Uint8Array): RegionSegments {
  const inFile = (s: DataSegmentFact) =>
    s.contentOffset !== undefined && s.contentOffset + s.size <= bytes.length;
  const segments = facts.dataSegments;
  // A binary's segments are in file order: use the facts' own list unless one is out of place.
  const usable = segments.every(
    (s, i) => inFile(s) && (i === 0 || segments[i - 1].contentOffset! <= s.contentOffset!),
  );
  const sorted = usable
    ? segments
    : segments.filter(inFile).sort((a, b) => a.contentOffset! - b.contentOffset!);
  return {
    length: sorted.length,
    index: (row) => sorted[row].index,
    contentOffset: (row) => sorted[row].contentOffset!,
    size: (row) => sorted[row].size,
  };
}

/** The segment holding file offset `offset`, or undefined when it falls in a segment header. */
export function blockAt(
  region: DataRegion,
  offset: number,
): { index: number; contentOffset: number; size: number } | undefined {
  const blocks = region.blocks;
  let low = 0;
  let high = blocks.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (blocks.contentOffset(mid) <= offset) low = mid;
    else high = mid - 1;
  }
  const contentOffset = blocks.contentOffset(low);
  const size = blocks.size(low);
  return offset >= contentOffset && offset < contentOffset + size
    ? { index: blocks.index(low), contentOffset, size }
    : undefined;
}
