/**
 * Writes the least-privilege policy for one or several modules: allow exactly the imports they
 * use (each commented with its capability and what it grants; an import no code calls is written
 * commented out, not granted), deny everything else, and memory
 * limits at what they declare. The result is JSONC text that passes validation and governs the
 * modules it came from without a single import or memory finding.
 */
import type { ModuleFacts } from '../module/model';
import { CAPABILITY_NAMES, capabilityInfo } from '../wasi/capabilities';
import { capabilityOfImport, findWasiFunction, findWasiInterface } from '../wasi/catalogue';
import { findBridge } from '../wasi/codeBridges';
import { WASM_PAGE_SIZE, formatBytes } from './sizes';

export interface GenerationInput {
  /** Shown in the header comment (a file name relative to the policy). */
  name: string;
  facts: ModuleFacts;
  /** Imports ("module.name") no code of the module calls, when its call graph was read. */
  neverCalled?: string[];
}

export interface UsedImport {
  module: string;
  name: string;
  pattern: string;
  capability?: string;
  /** Why granting it deserves a second look, when it does. */
  danger?: string;
  comment: string;
  /** No module that declares it calls it: written commented out, not granted. */
  neverCalled?: boolean;
}

/** Capability groups that reach outside the module's own streams: granting them is never routine. */
const DANGEROUS_CAPABILITIES = new Set(['filesystem', 'network', 'process']);

/** Why an import is dangerous to grant (code execution on the host, files, sockets), or undefined. */
export function dangerOfImport(module: string, name: string): string | undefined {
  const bridge = findBridge(name);
  if (bridge) return bridge.what;
  const capability = capabilityOfImport(module, name);
  if (capability && DANGEROUS_CAPABILITIES.has(capability)) return `grants ${capability} access`;
  return undefined;
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
  const danger = dangerOfImport(module, name);
  const wasi = findWasiFunction(module, name)?.description ?? findWasiInterface(module)?.description;
  const what = capability
    ? `${capability}: ${wasi ?? capabilityInfo(capability)?.grants}`
    : `no capability group: a ${kind} the host provides as "${module}"`;
  // A dangerous grant says so where it is written, so a reviewer cannot miss it.
  const comment = danger ? `DANGEROUS (${danger}), review: ${what}` : what;
  return {
    module,
    name,
    pattern,
    ...(capability ? { capability } : {}),
    ...(danger ? { danger } : {}),
    comment,
  };
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
    ...used,
    name: f.name,
    pattern: `${item.name}#${f.name}`,
    comment: `${used.capability}: one function of ${item.name}`,
  }));
}

/** Every import the modules use, once, in capability order, each with its comment. */
export function collectImports(inputs: GenerationInput[]): UsedImport[] {
  const byPattern = new Map<string, UsedImport>();
  for (const input of inputs) {
    const idle = new Set(input.neverCalled ?? []);
    for (const [n, { module, name, kind }] of hostImportsOf(input.facts).entries()) {
      const described = describeImport(module, name, kind);
      const patterns =
        input.facts.kind === 'component' ? componentImportPatterns(input.facts, n, described) : [described];
      for (const used of patterns) {
        const calledHere = !idle.has(used.pattern);
        const known = byPattern.get(used.pattern);
        if (!known) byPattern.set(used.pattern, { ...used, neverCalled: !calledHere });
        else if (calledHere) known.neverCalled = false;
      }
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
  const granted = imports.filter((u) => !u.neverCalled);
  const idle = imports.filter((u) => u.neverCalled);
  if (imports.length === 0) out.push('    "allow": [], // the module imports nothing');
  else {
    out.push('    "allow": [');
    granted.forEach((used, index) => {
      out.push(
        `      ${withComma(`${JSON.stringify(used.pattern)} // ${used.comment}`, index === granted.length - 1)}`,
      );
    });
    for (const used of idle)
      out.push(
        `      // ${JSON.stringify(used.pattern)}, // declared but never called: not granted (${used.comment})`,
      );
    out.push('    ],');
  }
  out.push('    "otherwise": "deny"', '  },', '  "memory": {');
  const memory = memoryLines(inputs);
  memory.forEach((line) => out.push(`    ${line}`));
  out.push('  }', '}', '');
  return out.join('\n');
}
