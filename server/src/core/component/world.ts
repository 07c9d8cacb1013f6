/**
 * The world a component targets, from its decoded imports and exports: each item's kind and, for
 * interfaces and functions, the functions with WIT signatures; and the WIT text of it all.
 */
import type { CoreImportLinkFact, WorldFacts, WorldFunctionFact, WorldItemFact } from '../module/model';
import type { ComponentItem } from './spaces';
import { underlying, type ComponentType, type DeclaredExtern } from './types';
import { splitInterfaceName, typeText, witIdent, worldText, type TypeOwners } from './wit';

function functionFact(name: string, type: ComponentType): WorldFunctionFact {
  const t = underlying(type);
  if (t.kind !== 'func') return { name, params: [], results: [] };
  const fact: WorldFunctionFact = {
    name,
    params: t.params.map((p) => ({ name: p.name, type: typeText(p.type) })),
    results: t.results.map(typeText),
  };
  if (t.async) fact.async = true;
  return fact;
}

function itemFact(item: ComponentItem): WorldItemFact {
  const t = underlying(item.type);
  const fact: WorldItemFact = { name: item.name, kind: item.kind, functions: [] };
  if (item.kind === 'func') fact.functions.push(functionFact(item.name, t));
  else if (item.kind === 'instance' && t.kind === 'instance') {
    fact.functions = t.exports.filter((e) => e.kind === 'func').map((e) => functionFact(e.name, e.type));
    const types = t.exports.filter((e) => e.kind === 'type').map((e) => witIdent(e.name));
    if (types.length) fact.types = types;
  } else if (item.kind === 'type') fact.types = [witIdent(item.name)];
  return fact;
}

/** Types declared by each named interface, so an interface that reuses one writes `use`. */
function typeOwners(items: ComponentItem[]): TypeOwners {
  const owners: TypeOwners = new Map();
  for (const item of items) {
    const t = underlying(item.type);
    if (item.kind !== 'instance' || t.kind !== 'instance' || !splitInterfaceName(item.name)) continue;
    for (const e of t.exports as DeclaredExtern[])
      if (e.kind === 'type' && !owners.has(e.type)) owners.set(e.type, item.name);
  }
  return owners;
}

export function buildWorld(
  imports: ComponentItem[],
  exports: ComponentItem[],
): { world: WorldFacts; wit: string } {
  const world = { imports: imports.map(itemFact), exports: exports.map(itemFact) };
  return { world, wit: worldText(imports, exports, typeOwners([...imports, ...exports])) };
}

/** A world function as WIT writes it: `name: func(a: T) -> R`. */
export function worldFunctionText(f: WorldFunctionFact): string {
  const params = f.params.map((p) => `${witIdent(p.name)}: ${p.type}`).join(', ');
  const result =
    f.results.length === 0
      ? ''
      : f.results.length === 1
        ? ` -> ${f.results[0]}`
        : ` -> tuple<${f.results.join(', ')}>`;
  return `${f.name}: ${f.async ? 'async ' : ''}func(${params})${result}`;
}

/** What satisfies an import of a nested core module, in words (for hovers and reports). */
export function coreImportSourceText(source: CoreImportLinkFact['source']): string {
  switch (source.kind) {
    case 'lowered':
      return source.import
        ? `lowered from \`${source.import}\` function \`${source.function}\``
        : `lowered from the component's function \`${source.function}\``;
    case 'builtin':
      return `the canonical built-in \`${source.builtin}\`${source.resource ? ` of resource \`${source.resource}\`` : ''}`;
    case 'core-export':
      return `the export \`${source.name}\` of core module ${source.module} (an adapter or shim inside the component)`;
    default:
      return 'nothing the component wires up (an unresolved argument)';
  }
}
