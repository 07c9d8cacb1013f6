/**
 * Writes the least-privilege policy for one or several modules: allow exactly the imports they
 * use (each commented with its capability and what it grants), deny everything else, and memory
 * limits at what they declare. The result is JSONC text that passes validation and governs the
 * modules it came from without a single import or memory finding.
 */
import type { ModuleFacts } from '../module/model';
import { CAPABILITY_NAMES, capabilityInfo } from '../wasi/capabilities';
import { capabilityOfImport, findWasiFunction, findWasiInterface } from '../wasi/catalogue';
import { WASM_PAGE_SIZE, formatBytes } from './sizes';

export interface GenerationInput {
  /** Shown in the header comment (a file name relative to the policy). */
  name: string;
  facts: ModuleFacts;
}

interface UsedImport {
  pattern: string;
  capability?: string;
  comment: string;
}

/** The imports a module asks its host for: core imports, or a component's own imports. */
export function hostImportsOf(facts: ModuleFacts): Array<{ module: string; name: string; kind: string }> {
  if (facts.kind === 'component') {
    return (facts.components?.imports ?? []).map((i) => ({ module: i.name, name: '', kind: 'interface' }));
  }
  return facts.imports.map((i) => ({
    module: i.module,
    name: i.name,
    kind: i.kind === 'func' ? 'function' : i.kind,
  }));
}

function describeImport(module: string, name: string, kind: string): UsedImport {
  const pattern = name === '' ? module : `${module}.${name}`;
  const capability = capabilityOfImport(module, name);
  const wasi = findWasiFunction(module, name)?.description ?? findWasiInterface(module)?.description;
  if (capability)
    return { pattern, capability, comment: `${capability}: ${wasi ?? capabilityInfo(capability)?.grants}` };
  return { pattern, comment: `no capability group: a ${kind} the host provides as "${module}"` };
}

/** Groups where granting single functions narrows what a component gets (files, sockets, HTTP). */
const NARROWED_BY_FUNCTION = new Set(['filesystem', 'network']);

/**
 * A component's interface import, as patterns: the whole interface, or — for the file-system and
 * network groups, where the component's types list the functions it uses — `iface#function` for
 * each, so the grant is only what it calls (wit-component keeps only the functions used).
 */
function componentImportPatterns(facts: ModuleFacts, n: number, used: UsedImport): UsedImport[] {
  const item = facts.components?.world?.imports[n];
  if (!item || item.kind !== 'instance' || !used.capability || !NARROWED_BY_FUNCTION.has(used.capability))
    return [used];
  if (item.functions.length === 0) return [used];
  return item.functions.map((f) => ({
    pattern: `${item.name}#${f.name}`,
    capability: used.capability,
    comment: `${used.capability}: one function of ${item.name}`,
  }));
}

function collectImports(inputs: GenerationInput[]): UsedImport[] {
  const byPattern = new Map<string, UsedImport>();
  for (const input of inputs) {
    for (const [n, { module, name, kind }] of hostImportsOf(input.facts).entries()) {
      const described = describeImport(module, name, kind);
      const patterns =
        input.facts.kind === 'component' ? componentImportPatterns(input.facts, n, described) : [described];
      for (const used of patterns) if (!byPattern.has(used.pattern)) byPattern.set(used.pattern, used);
    }
  }
  const order = (u: UsedImport) =>
    u.capability ? CAPABILITY_NAMES.indexOf(u.capability as never) : CAPABILITY_NAMES.length;
  return [...byPattern.values()].sort((a, b) => order(a) - order(b) || a.pattern.localeCompare(b.pattern));
}

function memoryLines(inputs: GenerationInput[]): string[] {
  const memories = inputs.flatMap((i) => [i.facts, ...(i.facts.modules ?? [])]).flatMap((f) => f.memories);
  const pages = (count: number, pageSize: number) => Math.ceil((count * pageSize) / WASM_PAGE_SIZE);
  const largest = Math.max(0, ...memories.map((m) => pages(m.maximum ?? m.initial, m.pageSize)));
  const unbounded = memories.filter((m) => m.maximum === null);
  const lines = [
    `"maxPages": ${largest}, // ${memories.length ? `the largest memory the module${inputs.length > 1 ? 's' : ''} declare${inputs.length > 1 ? '' : 's'}: ${formatBytes(largest * WASM_PAGE_SIZE)}` : 'no memory is declared'}`,
    unbounded.length
      ? `"requireMaximum": false, // ${unbounded.length} memor${unbounded.length === 1 ? 'y declares' : 'ies declare'} no maximum: set true once ${unbounded.length === 1 ? 'it does' : 'they do'}`
      : `"requireMaximum": true,`,
    `"allowShared": ${memories.some((m) => m.shared)},`,
    `"allowMemory64": ${memories.some((m) => m.memory64)},`,
    `"allowImported": ${memories.some((m) => m.imported)}`,
  ];
  return lines;
}

/** Adds the comma a JSON list needs before a line's trailing comment. */
function withComma(line: string, last: boolean): string {
  if (last) return line;
  const comment = line.indexOf(' //');
  return comment < 0 ? `${line},` : `${line.slice(0, comment)},${line.slice(comment)}`;
}

export function generatePolicy(inputs: GenerationInput[]): string {
  const imports = collectImports(inputs);
  const names = inputs.map((i) => i.name).join(', ');
  const out: string[] = [
    `// Least-privilege policy for ${names}, generated by Wasm Warden.`,
    '// It allows exactly the imports used today; anything else is denied. Format: docs/policy.md',
    '{',
    '  "imports": {',
  ];
  if (imports.length === 0) out.push('    "allow": [], // the module imports nothing');
  else {
    out.push('    "allow": [');
    imports.forEach((used, index) => {
      out.push(
        `      ${withComma(`${JSON.stringify(used.pattern)} // ${used.comment}`, index === imports.length - 1)}`,
      );
    });
    out.push('    ],');
  }
  out.push('    "otherwise": "deny"', '  },', '  "memory": {');
  const memory = memoryLines(inputs);
  memory.forEach((line) => out.push(`    ${line}`));
  out.push('  }', '}', '');
  return out.join('\n');
}
