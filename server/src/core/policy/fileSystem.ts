/**
 * The little of a file system that policy resolution needs. The CLI passes `nodeFileSystem`; the
 * language server passes one that answers from open editor documents first.
 */
import * as fs from 'node:fs';

/** What is at a path: `other` is something that is there but cannot be read as a file. */
export type PathKind = 'file' | 'directory' | 'other';

export interface PolicyFileSystem {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readFile(path: string): string | undefined;
  /**
   * What is at `path`, or undefined when nothing is. `other`: a FIFO, socket or device, or a
   * symbolic link that leads nowhere or into a loop. A policy there still governs: it fails closed.
   */
  stat(path: string): PathKind | undefined;
  /** Why `readFile` gave nothing, in words a user can act on (when the file system knows). */
  whyUnreadable?(path: string): string;
}

/** Policies are small; anything larger is not one, and reading it would only cost memory. */
export const MAX_POLICY_BYTES = 16 * 1024 * 1024;

const kindOf = (stats: fs.Stats): PathKind =>
  stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';

export const nodeFileSystem: PolicyFileSystem = {
  readFile(path) {
    let fd: number | undefined;
    try {
      // Non-blocking: opening a FIFO for reading would otherwise wait for a writer for ever.
      fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const stats = fs.fstatSync(fd);
      if (!stats.isFile() || stats.size > MAX_POLICY_BYTES) return undefined;
      return fs.readFileSync(fd, 'utf8');
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  },
  stat(path) {
    try {
      return kindOf(fs.statSync(path));
    } catch {
      // A link that leads nowhere or loops is still there: lstat sees the link itself.
      try {
        fs.lstatSync(path);
        return 'other';
      } catch {
        return undefined;
      }
    }
  },
  whyUnreadable(path) {
    let link: fs.Stats | undefined;
    try {
      link = fs.lstatSync(path);
      const stats = fs.statSync(path);
      if (stats.isDirectory()) return 'it is a folder, not a file';
      if (stats.isFIFO()) return 'it is a named pipe (FIFO), not a file';
      if (stats.isSocket()) return 'it is a socket, not a file';
      if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'it is a device, not a file';
      if (stats.size > MAX_POLICY_BYTES) return `it is larger than ${MAX_POLICY_BYTES} bytes`;
      fs.accessSync(path, fs.constants.R_OK);
      return 'it could not be read';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') return 'it is a symbolic link that loops';
      if (code === 'ENOENT' && link?.isSymbolicLink()) return 'it is a symbolic link to nothing';
      if (code === 'ENOENT') return 'it was not found';
      if (code === 'EACCES' || code === 'EPERM') return 'permission to read it is denied';
      return `it could not be read (${code ?? (error as Error).message})`;
    }
  },
};
