/**
 * Watches, from the server itself, every policy file it read from the disk. The client's file
 * watcher can deliver an event late, batched with others or not at all when the machine is busy
 * (seen in CI: a policy put back to "deny" after a quick fix stayed "allow" in the server for
 * good). A verdict must not rest on that, so each policy read from the disk gets an `fs.watch` of
 * its own (inotify on Linux, one descriptor per file) that reports changes to `onChange`.
 */
import { watch, type FSWatcher } from 'node:fs';

/** Few projects have more policies than this; past it, the client's watcher is all there is. */
const MAX_WATCHED = 256;

export class PolicyWatch {
  private readonly watchers = new Map<string, FSWatcher>();

  constructor(private readonly onChange: (file: string) => void) {}

  /** Watches `file` (an absolute path) unless it is watched already. */
  add(file: string): void {
    if (this.watchers.has(file) || this.watchers.size >= MAX_WATCHED) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(file, { persistent: false });
    } catch {
      return; // not there (any more): the client's watcher reports its creation
    }
    watcher.on('change', (event) => {
      // A file replaced by a rename is a new file: watch it anew on its next read.
      if (event === 'rename') this.remove(file);
      this.onChange(file);
    });
    watcher.on('error', () => this.remove(file));
    this.watchers.set(file, watcher);
  }

  private remove(file: string): void {
    this.watchers.get(file)?.close();
    this.watchers.delete(file);
  }

  dispose(): void {
    for (const file of [...this.watchers.keys()]) this.remove(file);
  }
}
