/**
 * `imports.world`: the world a component must fit — a standard WASI 0.2 world by name
 * (`wasi:cli/command@0.2.0`) or a `.wit` file relative to the policy.
 */
import * as path from 'node:path';
import {
  parseWitWorld,
  standardWorld,
  STANDARD_WORLD_NAMES,
  type RequiredWorld,
} from '../component/standardWorlds';
import { nodeFileSystem, type PolicyFileSystem } from './fileSystem';

export type PolicyWorld = RequiredWorld | { spec: string; error: string };

export function resolveRequiredWorld(
  spec: string,
  policyDir: string,
  fs: PolicyFileSystem = nodeFileSystem,
): PolicyWorld {
  if (spec.endsWith('.wit')) {
    const file = path.resolve(policyDir, spec);
    const text = fs.readFile(file);
    if (text === undefined) return { spec, error: `cannot read ${file}` };
    const world = parseWitWorld(text);
    return 'error' in world ? { spec, error: world.error } : world;
  }
  return (
    standardWorld(spec) ?? {
      spec,
      error: `not a standard world; known: ${STANDARD_WORLD_NAMES.map((n) => `${n}@0.2.x`).join(', ')}, or a path to a .wit file`,
    }
  );
}
