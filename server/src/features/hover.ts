/**
 * Hovers over modules: imports (signature, what the WASI function or interface does, its
 * capability, the policy's verdict with a link to the deciding line), memories (pages, bytes,
 * the policy's limit), functions, exports and the start function (signatures), and the module
 * itself (summary). Positions are matched against the facts' locations; in the `.wasm` text view
 * the caller maps the line to a byte offset first.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PolicyPointer } from '../core/findings';
import type { Position, SourceLocation } from '../core/location';
import type { ExportFact, FunctionFact, ImportFact, MemoryFact, ModuleFacts } from '../core/module/model';
import type { EffectivePolicy, ImportVerdict } from '../core/policy/types';
import { coreImportSourceText } from '../core/component/world';
import { findAbiFunction, HOST_ABI_NAMES } from '../core/wasi/hostAbis';
import { findWasiFunction, findWasiInterface, formatSignature } from '../core/wasi/catalogue';
import type { WasmViews } from './diagnostics';
import type { ModuleResult } from './moduleAnalysis';
import { isViewUri } from './viewUris';
import { summaryMarkdown } from './moduleSummary';
import { componentExportMarkdown, componentImportMarkdown } from './componentHover';

/** Where the cursor is: a text position, or a byte offset in a binary module. */
export type HoverTarget = { kind: 'text'; position: Position } | { kind: 'binary'; offset: number };

type Item =
  | { kind: 'import'; fact: ImportFact; facts: ModuleFacts; satisfiedBy?: string }
  | { kind: 'component-import' | 'component-export'; index: number; facts: ModuleFacts }
  | { kind: 'memory'; fact: MemoryFact; facts: ModuleFacts }
  | { kind: 'function'; fact: FunctionFact; facts: ModuleFacts }
  | { kind: 'export'; fact: ExportFact; facts: ModuleFacts }
  | { kind: 'start'; facts: ModuleFacts }
  | { kind: 'module'; facts: ModuleFacts };

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

/** Whether the target lies in the location, and how big the location is (smaller = more specific). */
function containment(location: SourceLocation, target: HoverTarget): number | undefined {
  if (location.kind === 'text' && target.kind === 'text') {
    if (!before(location.start, target.position) || !before(target.position, location.end)) return undefined;
    return (
      (location.end.line - location.start.line) * 1e6 + (location.end.character - location.start.character)
    );
  }
  if (location.kind === 'binary' && target.kind === 'binary') {
    const end = location.offset + Math.max(location.length, 1);
    return target.offset >= location.offset && target.offset < end ? location.length : undefined;
  }
  return undefined;
}

function itemsOf(facts: ModuleFacts): Array<{ item: Item; location: SourceLocation }> {
  const items: Array<{ item: Item; location: SourceLocation }> = [];
  for (const fact of facts.imports)
    items.push({ item: { kind: 'import', fact, facts }, location: fact.location });
  for (const fact of facts.memories)
    items.push({ item: { kind: 'memory', fact, facts }, location: fact.location });
  for (const fact of facts.functions)
    if (!fact.imported) items.push({ item: { kind: 'function', fact, facts }, location: fact.location });
  for (const fact of facts.exports)
    items.push({ item: { kind: 'export', fact, facts }, location: fact.location });
  if (facts.start) items.push({ item: { kind: 'start', facts }, location: facts.start.location });
  facts.components?.imports.forEach((c, index) =>
    items.push({ item: { kind: 'component-import', index, facts }, location: c.location }),
  );
  facts.components?.exports.forEach((c, index) =>
    items.push({ item: { kind: 'component-export', index, facts }, location: c.location }),
  );
  for (const [ordinal, inner] of (facts.modules ?? []).entries())
    for (const entry of itemsOf(inner)) {
      // An import of a nested core module: say what inside the component satisfies it.
      const { item } = entry;
      if (item.kind === 'import' && item.facts === inner) {
        const link = facts.components?.coreImports?.find(
          (l) =>
            l.module === ordinal && l.importModule === item.fact.module && l.importName === item.fact.name,
        );
        if (link) item.satisfiedBy = coreImportSourceText(link.source);
      }
      items.push(entry);
    }
  return items;
}

/** The most specific item under the target; the module itself when the target is on its keyword. */
export function itemAt(result: ModuleResult, target: HoverTarget): Item | undefined {
  let best: { item: Item; size: number } | undefined;
  for (const facts of result.facts) {
    for (const { item, location } of itemsOf(facts)) {
      const size = containment(location, target);
      if (size !== undefined && (!best || size < best.size)) best = { item, size };
    }
  }
  if (best) return best.item;
  // The summary belongs to the `(module` keyword, not to every comment, string or type line inside.
  const onModule = result.facts.find((f) => onModuleKeyword(f.location, target));
  return onModule ? { kind: 'module', facts: onModule } : undefined;
}

function onModuleKeyword(location: SourceLocation, target: HoverTarget): boolean {
  if (location.kind === 'text' && target.kind === 'text') {
    const { line, character } = target.position;
    return (
      line === location.start.line &&
      character >= location.start.character &&
      character <= location.start.character + '(module'.length
    );
  }
  return location.kind === 'binary' && target.kind === 'binary' && target.offset === location.offset;
}

/** Instructions whose operand names a function. */
const FUNCTION_REFERENCES = new Set(['call', 'return_call', 'ref.func']);

/**
 * The function a `$name` or index names when it follows `call`, `return_call` or `ref.func` on the
 * hovered line (the callee, not the function the call sits in).
 */
function referencedFunction(
  result: ModuleResult,
  lineText: string,
  character: number,
): { fact: FunctionFact; facts: ModuleFacts } | undefined {
  const tokens = [...lineText.matchAll(/[^\s()]+/g)];
  const at = tokens.findIndex((t) => t.index <= character && character <= t.index + t[0].length);
  if (at < 1 || !FUNCTION_REFERENCES.has(tokens[at - 1][0])) return undefined;
  const word = tokens[at][0];
  for (const facts of [...result.facts, ...result.facts.flatMap((f) => f.modules ?? [])]) {
    const fact = /^\d+$/.test(word)
      ? facts.functions.find((f) => f.index === Number(word))
      : facts.functions.find((f) => {
          const name = f.name ?? facts.functionNames[f.index];
          return name !== undefined && name.replace(/^\$/, '') === word.replace(/^\$/, '');
        });
    if (fact) return { fact, facts };
  }
  return undefined;
}

export function pointerLink(pointer: PolicyPointer): string {
  if (!path.isAbsolute(pointer.file)) return pointer.file;
  const line = pointer.location?.kind === 'text' ? pointer.location.start.line + 1 : undefined;
  const label = `${path.basename(pointer.file)}${line ? `:${line}` : ''}`;
  return `[${label}](${pathToFileURL(pointer.file).href}${line ? `#L${line}` : ''})`;
}

const VERDICT_ICON = { allow: '✅', warn: '⚠️', deny: '⛔' } as const;

function importMarkdown(fact: ImportFact, policy: EffectivePolicy, satisfiedBy?: string): string {
  const lines = [`**import** \`${fact.module}\` \`${fact.name}\` (${fact.kind})`];
  if (satisfiedBy) lines.push('', `Inside the component, this import is ${satisfiedBy}.`);
  if ((fact.type.kind === 'func' || fact.type.kind === 'tag') && fact.type.signature)
    lines.push('', `\`${formatSignature(fact.type.signature)}\``);
  const wasi = findWasiFunction(fact.module, fact.name);
  const iface = wasi ? undefined : findWasiInterface(fact.module);
  const abi = wasi || iface ? undefined : findAbiFunction(fact.module, fact.name);
  if (wasi) lines.push('', `WASI: ${wasi.description}`);
  else if (iface) lines.push('', `WASI 0.2 \`${iface.name}\`: ${iface.description}`);
  else if (abi) lines.push('', `${HOST_ABI_NAMES[abi.abi]}: ${abi.description}`);
  const verdict = policy.checkImport(fact.module, fact.name);
  if (verdict.capability) lines.push('', `Capability: \`${verdict.capability}\``);
  else if (!wasi && !iface && !abi)
    lines.push('', `Not a WASI import: the host's \`${fact.module}\` module decides what it does.`);
  lines.push('', `Policy: ${verdictText(verdict)}`);
  return lines.join('\n');
}

/** `✅ allowed by … (wasm-policy.json:5)`, with a link to the deciding line. */
function verdictText(verdict: ImportVerdict): string {
  // The reason already starts with the verdict and ends with its place, which the link gives.
  const reason = verdict.reason.replace(/ \([^()]*\)$/, '');
  return `${VERDICT_ICON[verdict.decision]} ${reason} (${pointerLink(verdict.decidedBy)})`;
}

function pages(n: number, pageSize: number): string {
  const bytes = n * pageSize;
  const size =
    bytes >= 1024 * 1024 ? `${+(bytes / (1024 * 1024)).toFixed(2)} MiB` : `${+(bytes / 1024).toFixed(2)} KiB`;
  return `${n} page${n === 1 ? '' : 's'} (${size})`;
}

function memoryMarkdown(fact: MemoryFact, policy: EffectivePolicy): string {
  const traits = [
    fact.imported ? 'imported' : 'defined',
    fact.shared ? 'shared' : '',
    fact.memory64 ? '64-bit index' : '',
    fact.pageSize !== 65536 ? `page size ${fact.pageSize} bytes` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const lines = [
    `**memory ${fact.index}** (${traits})`,
    '',
    `- initial: ${pages(fact.initial, fact.pageSize)}`,
    `- maximum: ${fact.maximum === null ? '**none** (can grow to the engine limit)' : pages(fact.maximum, fact.pageSize)}`,
  ];
  if (fact.exportedAs.length)
    lines.push(`- exported as ${fact.exportedAs.map((e) => `\`${e}\``).join(', ')}`);
  const m = policy.memory;
  const limit = m.maxPages !== undefined ? `at most ${pages(m.maxPages, 65536)}` : 'no size limit';
  const where = m.decidedBy.maxPages ?? m.decidedBy.maxBytes;
  lines.push(
    '',
    `Policy: ${limit}${m.requireMaximum ? ', a maximum is required' : ''}${m.allowShared ? '' : ', no shared memory'}${m.allowMemory64 ? '' : ', no 64-bit memory'}${where ? ` (${pointerLink(where)})` : ''}`,
  );
  return lines.join('\n');
}

function functionLabel(facts: ModuleFacts, index: number): string {
  const fn = facts.functions.find((f) => f.index === index);
  const name = fn?.name ?? facts.functionNames[index];
  return `func ${name ? (name.startsWith('$') ? name : `$${name}`) : index}${fn?.signature ? ` ${formatSignature(fn.signature)}` : ''}`;
}

function functionMarkdown(fact: FunctionFact, facts: ModuleFacts): string {
  const lines = [`\`${functionLabel(facts, fact.index)}\``];
  if (fact.exportedAs.length)
    lines.push('', `Exported as ${fact.exportedAs.map((e) => `\`${e}\``).join(', ')}`);
  if (facts.start?.funcIndex === fact.index)
    lines.push('', 'This is the start function: it runs on instantiation.');
  if (fact.bodySize !== undefined) lines.push('', `Body: ${fact.bodySize} bytes`);
  return lines.join('\n');
}

function exportMarkdown(fact: ExportFact, facts: ModuleFacts): string {
  const target =
    fact.kind === 'func' ? `\`${functionLabel(facts, fact.index)}\`` : `${fact.kind} ${fact.index}`;
  return `**export** \`"${fact.name}"\` → ${target}`;
}

export function hoverMarkdown(
  result: ModuleResult,
  target: HoverTarget,
  moduleNote?: string,
): string | undefined {
  const item = itemAt(result, target);
  if (!item) return undefined;
  switch (item.kind) {
    case 'import':
      return importMarkdown(item.fact, result.policy, item.satisfiedBy);
    case 'component-import':
      return componentImportMarkdown(item.facts, item.index, result.policy, verdictText);
    case 'component-export':
      return componentExportMarkdown(item.facts, item.index);
    case 'memory':
      return memoryMarkdown(item.fact, result.policy);
    case 'function':
      return functionMarkdown(item.fact, item.facts);
    case 'export':
      return exportMarkdown(item.fact, item.facts);
    case 'start':
      return `**start**: \`${functionLabel(item.facts, item.facts.start?.funcIndex ?? 0)}\` runs when the module is instantiated, before any export is called.`;
    case 'module':
      return moduleNote ? `${summaryMarkdown(result)}\n\n${moduleNote}` : summaryMarkdown(result);
  }
}

/**
 * The hover for a position in a document: a `.wat` position directly; in a `.wasm` text view, the
 * byte offset the hovered line was printed from. Binary files themselves have no positions.
 */
export function moduleHover(
  result: ModuleResult,
  uri: string,
  position: Position,
  views: WasmViews,
  /** The hovered line's text, to tell a callee from the function the call sits in. */
  lineText?: string,
  /** Appended to the module's own hover (what it gained since git HEAD). */
  moduleNote?: string,
): string | undefined {
  const callee =
    lineText === undefined ? undefined : referencedFunction(result, lineText, position.character);
  if (callee) {
    const imported = callee.fact.imported
      ? callee.facts.imports.find((i) => i.kind === 'func' && i.index === callee.fact.index)
      : undefined;
    return imported ? importMarkdown(imported, result.policy) : functionMarkdown(callee.fact, callee.facts);
  }
  if (!isViewUri(uri))
    return result.source === 'text' ? hoverMarkdown(result, { kind: 'text', position }) : undefined;
  const line = views.viewFor(result.uri)?.lines[position.line];
  return line ? hoverMarkdown(result, { kind: 'binary', offset: line.offset }, moduleNote) : undefined;
}
