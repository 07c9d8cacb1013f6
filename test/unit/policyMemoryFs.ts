/** An in-memory PolicyFileSystem for policy tests: paths are absolute, folders implied by files. */
import * as path from 'node:path';
import type { PolicyFileSystem } from '../../server/src/core/policy/fileSystem';

export class MemoryFileSystem implements PolicyFileSystem {
  readonly files = new Map<string, string>();
  reads = 0;

  constructor(files: Record<string, string> = {}) {
    for (const [file, text] of Object.entries(files)) this.write(file, text);
  }

  write(file: string, text: string): void {
    this.files.set(path.resolve(file), text);
  }

  delete(file: string): void {
    this.files.delete(path.resolve(file));
  }

  readFile(file: string): string | undefined {
    this.reads++;
    return this.files.get(path.resolve(file));
  }

  stat(file: string): 'file' | 'directory' | undefined {
    const absolute = path.resolve(file);
    if (this.files.has(absolute)) return 'file';
    const prefix = absolute.endsWith(path.sep) ? absolute : absolute + path.sep;
    for (const key of this.files.keys()) if (key.startsWith(prefix)) return 'directory';
    return undefined;
  }
}
