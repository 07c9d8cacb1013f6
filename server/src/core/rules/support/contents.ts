/**
 * The raw contents of a module's data segments and custom sections, for rules that read them,
 * with a way to turn an offset inside the contents back into a location: a byte span in the file
 * for binaries, the characters of the string literal for text.
 */
import { byteSpan, LineIndex, type SourceLocation } from '../../location';
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
  if (kinds.data) {
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
  /** The segments inside, in file order (the facts' own objects: esbuild-wasm has 98,450). */
  blocks: Array<{ index: number; contentOffset: number; size: number }>;
  /** `bytes` as a latin1 string, made once and shared by the rules that search it. */
  text(): string;
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
  const inFile = (s: DataSegmentFact) =>
    s.contentOffset !== undefined && s.contentOffset + s.size <= bytes.length;
  const segments = facts.dataSegments;
  // A binary's segments are in file order: use the facts' own list unless one is out of place.
  const usable = segments.every(
    (s, i) => inFile(s) && (i === 0 || segments[i - 1].contentOffset! <= s.contentOffset!),
  );
  const blocks = (
    usable ? segments : segments.filter(inFile).sort((a, b) => a.contentOffset! - b.contentOffset!)
  ) as DataRegion['blocks'];
  if (blocks.length === 0) return undefined;
  const start = blocks[0].contentOffset;
  const last = blocks[blocks.length - 1];
  const regionBytes = bytes.subarray(start, last.contentOffset + last.size);
  let text: string | undefined;
  return { bytes: regionBytes, start, blocks, text: () => (text ??= latin1(regionBytes)) };
}

/** The segment holding file offset `offset`, or undefined when it falls in a segment header. */
export function blockAt(region: DataRegion, offset: number): DataRegion['blocks'][number] | undefined {
  let low = 0;
  let high = region.blocks.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (region.blocks[mid].contentOffset <= offset) low = mid;
    else high = mid - 1;
  }
  const block = region.blocks[low];
  return offset >= block.contentOffset && offset < block.contentOffset + block.size ? block : undefined;
}
