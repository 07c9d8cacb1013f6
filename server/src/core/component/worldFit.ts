/**
 * Which world a component fits: the world its policy requires, or the narrowest standard WASI 0.2
 * world whose imports cover the component's and whose required exports it has. For the module
 * summary ("component, world wasi:cli/command@0.2.0").
 */
import type { ModuleFacts } from '../module/model';
import { interfaceMatches, standardWorld, type RequiredWorld } from './standardWorlds';

/** Narrowest first: a command also fits `wasi:cli/imports`, which requires no export. */
const CANDIDATES = ['wasi:http/proxy', 'wasi:cli/command', 'wasi:cli/imports'];

/** Whether every import of the component is in the world and every export the world requires is there. */
export function fitsWorld(facts: ModuleFacts, world: RequiredWorld): boolean {
  const imports = facts.components?.imports ?? [];
  const exports = facts.components?.exports ?? [];
  return (
    imports.every((i) => i.kind === 'type' || world.imports.some((w) => interfaceMatches(i.name, w))) &&
    world.exports.every((w) => exports.some((e) => interfaceMatches(e.name, w)))
  );
}

/** The 0.2.x version the component's WASI imports name (the highest), for the standard worlds. */
function wasiVersion(facts: ModuleFacts): string {
  let best = 0;
  for (const i of facts.components?.imports ?? []) {
    const m = /^wasi:[^@]+@0\.2\.(\d+)$/.exec(i.name);
    if (m) best = Math.max(best, Number(m[1]));
  }
  return `0.2.${best}`;
}

export type WorldFit =
  /** The component fits this world (the required one, or a standard one). */
  | { kind: 'fits'; world: string; required: boolean }
  /** The policy requires a world the component does not fit. */
  | { kind: 'outside'; world: string }
  /** No standard world fits: the component's own imports and exports are its world. */
  | { kind: 'own'; imports: number; exports: number };

export function worldFit(facts: ModuleFacts, required?: RequiredWorld): WorldFit {
  if (required)
    return fitsWorld(facts, required)
      ? { kind: 'fits', world: required.name, required: true }
      : { kind: 'outside', world: required.name };
  const version = wasiVersion(facts);
  for (const name of CANDIDATES) {
    const world = standardWorld(`${name}@${version}`);
    if (world && fitsWorld(facts, world)) return { kind: 'fits', world: world.name, required: false };
  }
  return {
    kind: 'own',
    imports: (facts.components?.imports ?? []).filter((i) => i.kind !== 'type').length,
    exports: (facts.components?.exports ?? []).length,
  };
}

/** `world wasi:cli/command@0.2.0`, `outside world …`, `own world (3 imports, 1 export)`. */
export function worldFitText(fit: WorldFit): string {
  if (fit.kind === 'fits') return `world ${fit.world}`;
  if (fit.kind === 'outside') return `outside world ${fit.world}`;
  const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  return `own world (${plural(fit.imports, 'import')}, ${plural(fit.exports, 'export')})`;
}
