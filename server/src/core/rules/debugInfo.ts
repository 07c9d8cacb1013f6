/** `debug-info`: debug sections and build paths that tell a reader how and where a module was built. */
import type { Finding } from '../findings';
import { ByteReader } from '../module/byteReader';
import type { CustomSectionFact, ModuleFacts } from '../module/model';
import type { DebugInfoFixData } from './fixData';
import { createRule } from './rule';
import { byteSpan, type SourceLocation } from '../location';
import { binaryDataRegion, blockAt, contentBlocks, dataSegmentLabel, latin1 } from './support/contents';
import { firstHomePath, homePathsIn, type HomePath } from './support/homePaths';
import { formatBytes } from './support/units';

/** The URL of a sourceMappingURL / external_debug_info section: one length-prefixed string. */
function readUrlPayload(bytes: Uint8Array | undefined, section: CustomSectionFact): string | undefined {
  if (!bytes || section.payloadOffset === undefined) return undefined;
  try {
    const end = Math.min(bytes.length, section.payloadOffset + section.size);
    return new ByteReader(bytes, section.payloadOffset, end).name();
  } catch {
    return undefined;
  }
}

/** The first home-directory path in these sections, read in order until one has a path. */
function firstHomePathInSections(
  bytes: Uint8Array | undefined,
  sections: CustomSectionFact[],
): HomePath | undefined {
  if (!bytes) return undefined;
  for (const s of sections) {
    if (s.payloadOffset === undefined) continue;
    const hit = firstHomePath(latin1(bytes.subarray(s.payloadOffset, s.payloadOffset + s.size)));
    if (hit) return hit;
  }
  return undefined;
}

/**
 * The first data segment holding a home-directory path (one is enough to make the point; the
 * message counts the rest of that segment). Binaries are searched as one run of data.
 */
function firstBuildPathInData(context: {
  facts: ModuleFacts;
  bytes?: Uint8Array;
  text?: string;
}): { label: string; location: SourceLocation; hit: HomePath & { count: number } } | undefined {
  const region = context.bytes && binaryDataRegion(context.facts, context.bytes);
  if (region) {
    const first = firstHomePath(region.text());
    if (!first) return undefined;
    const block = blockAt(region, region.start + first.offset);
    if (!block) return undefined;
    const within = region.start + first.offset - block.contentOffset;
    // The segment's own span of the region's text: no header falls inside a segment, so it reads
    // as the segment's bytes, and V8 slices a string without copying it.
    const from = block.contentOffset - region.start;
    const hit = homePathsIn(region.text().slice(from, from + block.size));
    if (!hit) return undefined;
    return {
      label: dataSegmentLabel(block.index),
      location: byteSpan(block.contentOffset + hit.offset, hit.length),
      hit: { ...hit, offset: within },
    };
  }
  for (const block of contentBlocks(context.facts, context.bytes, context.text, {
    data: true,
    custom: false,
  })) {
    const hit = homePathsIn(latin1(block.bytes));
    if (hit) return { label: block.label, location: block.locate(hit.offset, hit.length), hit };
  }
  return undefined;
}

export const debugInfo = createRule({
  meta: {
    id: 'debug-info',
    description: 'DWARF, name, source map and producers sections, and build paths left in the module.',
    rationale:
      "Debug sections make reverse engineering easy and leak build machines' paths, user names and exact toolchain versions; release builds usually strip them.",
    defaultSeverity: 'info',
    policyFields: ['rules.debug-info'],
    needsCode: false,
    messages: {
      dwarf: 'DWARF debug information ({{sections}}; {{size}}) ships with the module{{path}}.',
      names: 'The "name" section names {{count}} functions, which shows the source\'s symbols to anyone.',
      sourceMap: 'Section "{{section}}" points to {{url}}.',
      producers: 'The "producers" section records the toolchain: {{tools}}.',
      buildPath: '{{where}} contains a home-directory build path ({{path}}){{more}}.',
    },
  },
  check(context) {
    const { facts, bytes } = context;
    const findings: Finding[] = [];
    const sections = facts.customSections;

    const dwarf = sections.filter((s) => s.name.startsWith('.debug_'));
    if (dwarf.length > 0) {
      const size = dwarf.reduce((sum, s) => sum + s.size, 0);
      const withPath = firstHomePathInSections(bytes, dwarf);
      findings.push(
        context.report({
          messageId: 'dwarf',
          location: dwarf[0].location,
          data: {
            sections: dwarf.map((s) => s.name).join(', '),
            size: formatBytes(size),
            path: withPath ? `, including build paths such as ${withPath.path}` : '',
          },
          fix: { sections: dwarf.map((s) => s.name), bytes: size } satisfies DebugInfoFixData,
        }),
      );
    }

    const nameSection = sections.find((s) => s.name === 'name');
    const namedCount = Object.keys(facts.functionNames).length;
    if (nameSection && namedCount > 0) {
      findings.push(
        context.report({
          messageId: 'names',
          location: nameSection.location,
          data: { count: namedCount },
          fix: { sections: ['name'] } satisfies DebugInfoFixData,
        }),
      );
    }

    for (const section of sections) {
      if (section.name !== 'sourceMappingURL' && section.name !== 'external_debug_info') continue;
      const url = readUrlPayload(bytes, section);
      findings.push(
        context.report({
          messageId: 'sourceMap',
          location: section.location,
          data: { section: section.name, url: url !== undefined ? `"${url}"` : 'an external file' },
          fix: { sections: [section.name], url: url ?? null } satisfies DebugInfoFixData,
        }),
      );
    }

    const producers = facts.producers;
    const producersSection = sections.find((s) => s.name === 'producers');
    if (producers && producersSection) {
      const tools = Object.values(producers.fields)
        .flat()
        .map((t) => (t.version ? `${t.name} ${t.version}` : t.name));
      if (tools.length > 0) {
        findings.push(
          context.report({
            messageId: 'producers',
            location: producersSection.location,
            data: { tools: tools.join('; ') },
            fix: { sections: ['producers'] } satisfies DebugInfoFixData,
          }),
        );
      }
    }

    const buildPath = firstBuildPathInData(context);
    if (buildPath) {
      findings.push(
        context.report({
          messageId: 'buildPath',
          location: buildPath.location,
          data: {
            where: buildPath.label.charAt(0).toUpperCase() + buildPath.label.slice(1),
            path: buildPath.hit.path,
            more: buildPath.hit.count > 1 ? ` and ${buildPath.hit.count - 1} more` : '',
          },
          fix: { block: buildPath.label } satisfies DebugInfoFixData,
        }),
      );
    }
    return findings;
  },
});
