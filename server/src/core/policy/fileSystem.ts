/**
 * The little of a file system that policy resolution needs. The CLI passes `nodeFileSystem`; the
 * language server passes one that answers from open editor documents first.
 */
import * as fs from 'node:fs';

export interface PolicyFileSystem {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readFile(path: string): string | undefined;
  /** What is at `path`, or undefined when nothing is. */
  stat(path: string): 'file' | 'directory' | undefined;
}

export const nodeFileSystem: PolicyFileSystem = {
  readFile(path) {
    try {
      return fs.readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  stat(path) {
    try {
      const stats = fs.statSync(path);
      return stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : undefined;
    } catch {
      return undefined;
    }
  },
};
