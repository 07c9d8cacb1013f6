/**
 * `check --baseline DIR_OR_FILE` and `--baseline-git REF`: the old bytes of a module, read into a
 * surface the `capability-change` rule compares with. A module missing from the baseline is new
 * (surface null); a baseline that cannot be read at all is an error for that module.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { EffectivePolicy } from '../../core/policy/types';
import type { Baseline } from '../../core/diff/surface';
import { gitShow } from '../../core/diff/gitShow';
import { readSurface } from '../diff/readSurface';

export type BaselineSource = { kind: 'path'; path: string } | { kind: 'git'; ref: string };

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await fsp.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Where a module's old version is under a baseline folder (same path relative to the root), or the file itself. */
async function baselinePath(file: string, base: string, root: string): Promise<string> {
  const stat = await fsp.stat(base);
  return stat.isDirectory() ? path.join(base, path.relative(root, file)) : base;
}

export async function loadBaseline(
  file: string,
  source: BaselineSource,
  root: string,
  policy: EffectivePolicy,
): Promise<Baseline> {
  if (source.kind === 'git') {
    const bytes = await gitShow(file, source.ref);
    return { label: `git ${source.ref}`, surface: bytes && (await readSurface({ bytes }, policy)) };
  }
  const old = await baselinePath(file, source.path, root);
  const bytes = await readOrNull(old);
  return {
    label: path.relative(root, old) || old,
    surface: bytes && (await readSurface({ bytes, file: old }, policy)),
  };
}
