/**
 * Hovers on a component's own imports and exports (the `(import "wasi:…"` lines of the `.wasm`
 * view): what the interface does, its capability group, the policy's verdict (and every function
 * a per-function pattern decides otherwise), and the interface's functions with WIT signatures.
 */
import { worldFunctionText } from '../core/component/world';
import type { ModuleFacts, WorldFunctionFact, WorldItemFact } from '../core/module/model';
import type { EffectivePolicy, ImportVerdict } from '../core/policy/types';
import { capabilityInfo } from '../core/wasi/capabilities';
import { findWasiInterface } from '../core/wasi/catalogue';
import { describeInterfaceFunction } from '../core/wasi/interfaceFunctions';

/** Functions listed in one hover; a larger interface gets a count of the rest. */
const MAX_LISTED_FUNCTIONS = 60;

/** How the caller writes a verdict (icon, reason, link to the deciding line). */
export type VerdictText = (verdict: ImportVerdict) => string;

/** The typed world item of the component's import or export `n`, when the reader typed it. */
function worldItem(facts: ModuleFacts, side: 'imports' | 'exports', n: number): WorldItemFact | undefined {
  const entry = facts.components?.[side][n];
  const item = facts.components?.world?.[side][n];
  return item && entry && item.name === entry.name ? item : undefined;
}

function functionsBlock(iface: string, functions: WorldFunctionFact[]): string[] {
  if (functions.length === 0) return [];
  const listed = functions.slice(0, MAX_LISTED_FUNCTIONS);
  const lines = [
    '',
    `**${functions.length} function${functions.length === 1 ? '' : 's'}**`,
    '',
    '```wit',
    ...listed.map(worldFunctionText),
    '```',
  ];
  if (functions.length > listed.length) lines.push(`… and ${functions.length - listed.length} more`);
  const described = listed.flatMap((f) => {
    const d = describeInterfaceFunction(iface, f.name);
    return d ? [`- \`${f.name}\`: ${d}`] : [];
  });
  if (described.length) lines.push('', ...described);
  return lines;
}

/** The first lines of an import's or export's hover: what it is, and what the WASI interface does. */
function heading(facts: ModuleFacts, side: 'imports' | 'exports', n: number) {
  const entry = facts.components?.[side][n];
  if (!entry) return undefined;
  const lines = [`**${side.slice(0, -1)}** \`${entry.name}\` (${entry.kind ?? 'unknown'})`];
  const wasi = findWasiInterface(entry.name);
  if (wasi) lines.push('', `WASI \`${wasi.name}\`: ${wasi.description}`);
  return { entry, item: worldItem(facts, side, n), wasi, lines };
}

export function componentImportMarkdown(
  facts: ModuleFacts,
  n: number,
  policy: EffectivePolicy,
  verdictText: VerdictText,
): string | undefined {
  const head = heading(facts, 'imports', n);
  if (!head) return undefined;
  const { entry, item, wasi, lines } = head;
  if (entry.kind === 'type') {
    lines.push('', 'A type the component imports by name; it grants nothing by itself.');
    return lines.join('\n');
  }
  const verdict = policy.checkImport(entry.name, '');
  if (verdict.capability) {
    const grants = capabilityInfo(verdict.capability)?.grants;
    lines.push('', `Capability: \`${verdict.capability}\`${grants ? ` (${grants})` : ''}`);
  } else if (!wasi) lines.push('', 'Not a WASI interface: the host that links it decides what it does.');
  lines.push('', `Policy: ${verdictText(verdict)}`);
  const functions = item?.functions ?? [];
  // Functions an `iface#function` pattern decides otherwise than the interface as a whole.
  for (const f of functions) {
    const own = policy.checkImport(entry.name, f.name);
    if (own.decision !== verdict.decision) lines.push(`- \`${f.name}\`: ${verdictText(own)}`);
  }
  lines.push(...functionsBlock(entry.name, functions));
  if (item?.types?.length) lines.push('', `Types: ${item.types.map((t) => `\`${t}\``).join(', ')}`);
  return lines.join('\n');
}

export function componentExportMarkdown(facts: ModuleFacts, n: number): string | undefined {
  const head = heading(facts, 'exports', n);
  if (!head) return undefined;
  const { entry, item, lines } = head;
  lines.push('', 'The host calls what the component exports; the policy governs imports.');
  lines.push(...functionsBlock(entry.name, item?.functions ?? []));
  return lines.join('\n');
}
