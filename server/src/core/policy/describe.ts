/**
 * Markdown that says what an import pattern or a capability group grants: shown when hovering
 * over them in a policy file (and usable for hovers over imports in modules).
 */
import { matchesText } from './patterns';
import { CAPABILITIES, capabilityInfo } from '../wasi/capabilities';
import {
  WASI_INTERFACES,
  WASI_PREVIEW1_FUNCTIONS,
  formatSignature,
  isWasiPreview1Module,
  splitInterfaceVersion,
} from '../wasi/catalogue';

const MAX_LISTED = 12;

function list(items: string[]): string {
  const shown = items.slice(0, MAX_LISTED).map((i) => `- ${i}`);
  if (items.length > MAX_LISTED) shown.push(`- … and ${items.length - MAX_LISTED} more`);
  return shown.join('\n');
}

/** What a capability group grants, and which WASI imports it covers. */
export function describeCapability(name: string): string | undefined {
  const info = capabilityInfo(name);
  if (!info) return undefined;
  const functions = WASI_PREVIEW1_FUNCTIONS.filter((f) => f.capability === info.name).map(
    (f) => `\`${f.name}\``,
  );
  const interfaces = WASI_INTERFACES.filter(
    (i) => i.capability === info.name || i.alsoIn?.includes(info.name),
  ).map((i) => `\`${i.name}\``);
  return [
    `**Capability \`${info.name}\`**: lets a module ${info.grants}.`,
    '',
    `WASI preview1 functions: ${functions.join(', ') || 'none'}`,
    '',
    `WASI 0.2 interfaces: ${interfaces.join(', ') || 'none'}`,
  ].join('\n');
}

/** What the imports an allow/deny pattern names can do. Undefined when the pattern names nothing WASI. */
export function describeImportPattern(pattern: string): string | undefined {
  if (pattern.startsWith('wasi:')) {
    const iface = splitInterfaceVersion(pattern.split('.')[0]).name;
    const matches = WASI_INTERFACES.filter((i) => matchesText(iface, i.name));
    if (matches.length === 1) {
      const i = matches[0];
      return `**\`${i.name}\`** (WASI 0.2, capability \`${i.capability}\`): ${i.description}\n\nThe \`${i.capability}\` capability lets a module ${capabilityInfo(i.capability)?.grants}.`;
    }
    if (matches.length > 1)
      return `**\`${pattern}\`** matches ${matches.length} WASI 0.2 interfaces:\n\n${list(matches.map((i) => `\`${i.name}\` (${i.capability}): ${i.description}`))}`;
    return undefined;
  }
  const dot = pattern.indexOf('.');
  const module = dot < 0 ? pattern : pattern.slice(0, dot);
  if (!isWasiPreview1Module(module)) return undefined;
  const name = pattern.slice(dot + 1);
  const matches = WASI_PREVIEW1_FUNCTIONS.filter(
    (f) => matchesText(name, f.name) && (!f.preview1Only || module === 'wasi_snapshot_preview1'),
  );
  if (matches.length === 1) {
    const f = matches[0];
    return [
      `**\`${module}.${f.name}\`** (WASI preview1, capability \`${f.capability}\`): ${f.description}`,
      '',
      '```wat',
      `(func $${f.name} ${formatSignature(f.signature)})`,
      '```',
      `The \`${f.capability}\` capability lets a module ${capabilityInfo(f.capability)?.grants}.`,
    ].join('\n');
  }
  if (matches.length > 1) {
    return `**\`${pattern}\`** matches ${matches.length} WASI preview1 functions:\n\n${list(matches.map((f) => `\`${f.name}\` (${f.capability}): ${f.description}`))}`;
  }
  return undefined;
}

/** Every capability group, one line each (for docs and help). */
export function capabilityTable(): string[] {
  return CAPABILITIES.map((c) => `${c.name}: ${c.grants}`);
}
