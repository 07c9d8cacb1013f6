/** Paths of the pinned real-world modules (scripts/fetch-real-world.mjs fetches each once into .cache). */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(__dirname, '..', '..', '..');

/** id → cached path, for the ids `wanted` accepts. */
export async function realWorldPaths(wanted: (id: string) => boolean): Promise<Record<string, string>> {
  const script = pathToFileURL(join(ROOT, 'scripts', 'fetch-real-world.mjs')).href;
  const { REAL_WORLD_MODULES, fetchOne } = (await import(script)) as {
    REAL_WORLD_MODULES: Array<{ id: string }>;
    fetchOne: (entry: { id: string }) => string;
  };
  return Object.fromEntries(REAL_WORLD_MODULES.filter((m) => wanted(m.id)).map((m) => [m.id, fetchOne(m)]));
}
