/** A file's committed bytes: `git show REF:./NAME`, run in the file's own folder. */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

/** Larger than any module Wasm Warden reads. */
const MAX_BLOB = 1 << 30;

/**
 * The file's bytes at REF, or null when REF does not have it (a new file). Rejects when git is
 * missing, the folder is no repository, or REF is unknown.
 */
export function gitShow(file: string, ref: string): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['show', `${ref}:./${path.basename(file)}`],
      { cwd: path.dirname(file), encoding: 'buffer', maxBuffer: MAX_BLOB, windowsHide: true },
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
