/**
 * `suspicious-data`: mining pools, private keys, cloud credentials, network endpoints and encoded
 * payloads in data segments and custom sections.
 */
import type { Finding } from '../findings';
import type { SuspiciousDataFixData } from './fixData';
import { createRule } from './rule';
import { byteSpan, type SourceLocation } from '../location';
import { binaryDataRegion, blockAt, contentBlocks, dataSegmentLabel, latin1 } from './support/contents';
import { scanForSuspiciousData, type DataMatch } from './support/dataPatterns';
import { isHostAllowed } from './support/hosts';
import { hasGoStrings } from './support/urlExtent';

/** Metadata sections other rules own (debug-info, signatures) or that hold toolchain data only. */
function isMetadataSection(name: string): boolean {
  return (
    name === 'name' ||
    name === 'producers' ||
    name === 'sourceMappingURL' ||
    name === 'external_debug_info' ||
    name === 'signature' ||
    name === 'target_features' ||
    name === 'linking' ||
    name === 'build_id' ||
    name.startsWith('.debug_') ||
    name.startsWith('reloc.') ||
    name.startsWith('dylink') ||
    name.startsWith('component-type')
  );
}

/** Past this many findings a module gets one summary instead of a flood. */
const MAX_FINDINGS = 50;

const DEFAULT_PORTS: Record<string, string> = { http: '80', ws: '80', https: '443', wss: '443', ftp: '21' };

export const suspiciousData = createRule({
  meta: {
    id: 'suspicious-data',
    description:
      'Mining pool addresses, private keys, cloud credentials, URLs, IP addresses and encoded payloads in data and custom sections.',
    rationale:
      'Data segments ship inside the module: a credential there is published, a mining pool address betrays a miner, and endpoints show where a module wants to talk.',
    defaultSeverity: 'warning',
    policyFields: ['sandbox.network.allow'],
    needsCode: false,
    messages: {
      miningPool:
        'Mining pool address "{{shown}}" in {{where}}: this module is likely a cryptocurrency miner.',
      privateKey: 'A private key ({{shown}}) is embedded in {{where}}: anyone with the module has the key.',
      cloudKey:
        'What looks like {{detail}} ({{shown}}) is embedded in {{where}}: revoke it and load it at run time instead.',
      url: 'URL "{{shown}}" in {{where}}: host "{{host}}" is not on the sandbox network allow list.',
      ip: 'IP address {{shown}} in {{where}} is not on the sandbox network allow list.',
      blob: 'A {{detail}} blob of {{shown}} with high entropy in {{where}}: an encoded payload or key material?',
      embeddedModule:
        'A base64-encoded WebAssembly module ({{shown}}) is embedded in {{where}}: a second stage that this check cannot see into.',
      more: '{{count}} more suspicious strings in this module are not listed.',
    },
  },
  check(context) {
    const allow = context.policy.sandbox.network.allow;
    const found: Array<{ match: DataMatch; label: string; location: SourceLocation }> = [];
    const region = context.bytes && binaryDataRegion(context.facts, context.bytes);
    const importModules = context.facts.imports.map((i) => i.module);
    if (region) {
      const text = region.text();
      for (const match of scanForSuspiciousData(text, { packedStrings: hasGoStrings(importModules, text) })) {
        const offset = region.start + match.offset;
        const block = blockAt(region, offset);
        if (!block) continue;
        const length = Math.min(match.length, block.contentOffset + block.size - offset);
        found.push({ match, label: dataSegmentLabel(block.index), location: byteSpan(offset, length) });
      }
    }
    // A binary's data was scanned above, all at once; a text module's is decoded per segment.
    const blocks = contentBlocks(context.facts, context.bytes, context.text, { data: !region, custom: true });
    for (const block of blocks) {
      if (block.kind === 'custom' && isMetadataSection(block.sectionName ?? '')) continue;
      const text = latin1(block.bytes);
      const packedStrings = block.kind !== 'custom' && hasGoStrings(importModules, text);
      for (const match of scanForSuspiciousData(text, { packedStrings })) {
        found.push({ match, label: block.label, location: block.locate(match.offset, match.length) });
      }
    }

    const findings: Finding[] = [];
    let skipped = 0;
    const seenHosts = new Set<string>();
    for (const { match, label, location } of found) {
      if (isAllowedEndpoint(match, allow)) continue;
      // One finding per host is enough to review it; repeats only add noise.
      if (match.host !== undefined) {
        if (seenHosts.has(match.host)) continue;
        seenHosts.add(match.host);
      }
      if (findings.length >= MAX_FINDINGS) {
        skipped++;
        continue;
      }
      findings.push(
        context.report({
          messageId: match.kind,
          severity: match.severity,
          location,
          data: { shown: match.shown, where: label, host: match.host ?? '', detail: match.detail ?? '' },
          fix: {
            kind: match.kind,
            block: label,
            ...(match.host !== undefined ? { host: match.host, port: match.port ?? null } : {}),
          } satisfies SuspiciousDataFixData,
        }),
      );
    }
    if (skipped > 0) {
      findings.push(
        context.report({
          messageId: 'more',
          severity: 'info',
          location: context.facts.location,
          data: { count: skipped },
        }),
      );
    }
    return findings;
  },
});

function isAllowedEndpoint(match: DataMatch, allow: readonly string[]): boolean {
  if (match.host === undefined) return false;
  const port = match.port ?? (match.detail ? DEFAULT_PORTS[match.detail] : undefined);
  return isHostAllowed(match.host, port, allow);
}
