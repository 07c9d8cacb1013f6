/** The real-world modules of scripts/fetch-real-world.mjs, fetched (or found cached) by id. */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(__dirname, '..', '..', '..');

export async function realWorldModule(id: string): Promise<string> {
  const script = pathToFileURL(join(ROOT, 'scripts', 'fetch-real-world.mjs')).href;
  const { REAL_WORLD_MODULES, fetchOne } = (await import(script)) as {
    REAL_WORLD_MODULES: Array<{ id: string }>;
    fetchOne: (entry: { id: string }) => string;
  };
  const entry = REAL_WORLD_MODULES.find((m) => m.id === id);
  if (!entry) throw new Error(`no real-world module "${id}" in scripts/fetch-real-world.mjs`);
  return fetchOne(entry);
}
