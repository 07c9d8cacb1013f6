/**
 * `check --baseline DIR_OR_FILE` and `--baseline-git REF`: the old bytes of a module, read into a
 * surface the `capability-change` rule compares with. A module missing from the baseline is new
 * (surface null); a baseline that cannot be read at all is an error for that module.
 */
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { EffectivePolicy } from '../../core/policy/types';
import type { Baseline } from '../../core/rules/capabilityChange';
import { readSurface } from '../diff/readSurface';

export type BaselineSource = { kind: 'path'; path: string } | { kind: 'git'; ref: string };

/** Larger than any module `check` reads (the server's default limit is far below). */
const MAX_BLOB = 1 << 30;

/** `git show REF:./NAME` run in the file's folder: its bytes at REF, or null when REF lacks it. */
export function gitShow(file: string, ref: string): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['show', `${ref}:./${path.basename(file)}`],
      { cwd: path.dirname(file), encoding: 'buffer', maxBuffer: MAX_BLOB },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const message = stderr.toString().trim();
        // "path 'x' does not exist in 'REF'" / "exists on disk, but not in 'REF'": a new file.
        if (/does not exist in|exists on disk, but not in/.test(message)) return resolve(null);
        reject(new Error(message || error.message));
      },
    );
  });
}

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
