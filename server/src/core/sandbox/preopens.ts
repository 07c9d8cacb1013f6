/**
 * Copies a preopened host directory into the shim's in-memory file system. Symlinks are resolved
 * here, on the host: one that points outside the preopen is refused (left out and remembered, so a
 * module that tries it is reported). Writes in `rw` preopens stay in memory; `writeBack` copies
 * changed and new files to the host afterwards, only inside the preopen.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SandboxPreopen } from '../policy/types';
import type { Shim, ShimDirectory, ShimFile, ShimInode } from './shim';

/** Loading stops beyond these, so a huge folder cannot exhaust the sandbox process. */
export const PREOPEN_LIMITS = { maxBytes: 64 * 1024 * 1024, maxEntries: 10_000 };

export interface RefusedLink {
  /** Guest path relative to the preopen. */
  relative: string;
  hostTarget: string;
}

export interface LoadedPreopen {
  preopen: SandboxPreopen;
  contents: Map<string, ShimInode>;
  refusedLinks: RefusedLink[];
  /** Host file of each loaded file, with its original bytes (rw preopens only, to find changes). */
  origins: Map<ShimFile, { host: string; original: Uint8Array }>;
  notes: string[];
}

interface Budget {
  bytes: number;
  entries: number;
  exhausted: boolean;
}

export function loadPreopen(
  shim: Shim,
  preopen: SandboxPreopen,
  budget: Budget = { bytes: 0, entries: 0, exhausted: false },
): LoadedPreopen {
  const loaded: LoadedPreopen = {
    preopen,
    contents: new Map(),
    refusedLinks: [],
    origins: new Map(),
    notes: [],
  };
  let root: string;
  try {
    root = fs.realpathSync(preopen.host);
    if (!fs.statSync(root).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    loaded.notes.push(
      `preopen ${preopen.guest}: cannot open ${preopen.host} (${(error as Error).message}); it is empty in the preview`,
    );
    return loaded;
  }
  const visited = new Set<string>([root]);
  const readonly = preopen.mode !== 'rw';

  const loadDir = (hostDir: string, relativeDir: string, into: Map<string, ShimInode>): void => {
    let names: string[];
    try {
      names = fs.readdirSync(hostDir).sort();
    } catch (error) {
      loaded.notes.push(`preopen ${preopen.guest}: cannot list ${hostDir} (${(error as Error).message})`);
      return;
    }
    for (const name of names) {
      if (budget.entries >= PREOPEN_LIMITS.maxEntries || budget.bytes >= PREOPEN_LIMITS.maxBytes) {
        if (!budget.exhausted)
          loaded.notes.push(
            `preopen ${preopen.guest}: loading stopped at ${PREOPEN_LIMITS.maxEntries} entries / ${PREOPEN_LIMITS.maxBytes} bytes`,
          );
        budget.exhausted = true;
        return;
      }
      const hostPath = path.join(hostDir, name);
      const relative = relativeDir ? `${relativeDir}/${name}` : name;
      let real = hostPath;
      let stat: fs.Stats;
      try {
        if (fs.lstatSync(hostPath).isSymbolicLink()) {
          try {
            real = fs.realpathSync(hostPath);
          } catch {
            loaded.refusedLinks.push({ relative, hostTarget: safeReadlink(hostPath) });
            continue;
          }
          if (real !== root && !real.startsWith(root + path.sep)) {
            loaded.refusedLinks.push({ relative, hostTarget: real });
            continue;
          }
        }
        stat = fs.statSync(real);
      } catch {
        continue;
      }
      budget.entries++;
      if (stat.isDirectory()) {
        // A link back up the tree would recurse forever: each real directory is loaded once.
        if (visited.has(real)) continue;
        visited.add(real);
        const children = new Map<string, ShimInode>();
        loadDir(real, relative, children);
        into.set(name, new shim.Directory(children));
      } else if (stat.isFile()) {
        if (budget.bytes + stat.size > PREOPEN_LIMITS.maxBytes) {
          loaded.notes.push(
            `preopen ${preopen.guest}: ${relative} left out (over the ${PREOPEN_LIMITS.maxBytes}-byte budget)`,
          );
          continue;
        }
        const data = fs.readFileSync(real);
        budget.bytes += data.byteLength;
        const file = new shim.File(data, { readonly });
        if (!readonly) loaded.origins.set(file, { host: real, original: Uint8Array.from(data) });
        into.set(name, file);
      }
    }
  };
  loadDir(root, '', loaded.contents);
  return loaded;
}

function safeReadlink(p: string): string {
  try {
    return fs.readlinkSync(p);
  } catch {
    return '(unreadable link)';
  }
}

/** Files of an rw preopen that the run changed or created, optionally written back to the host. */
export function collectWrites(
  shim: Shim,
  loaded: LoadedPreopen,
  root: ShimDirectory,
  writeBack: boolean,
): { host: string; bytes: number; writtenBack: boolean }[] {
  if (loaded.preopen.mode !== 'rw') return [];
  const written: { host: string; bytes: number; writtenBack: boolean }[] = [];
  let hostRoot: string;
  try {
    hostRoot = fs.realpathSync(loaded.preopen.host);
  } catch {
    return [];
  }
  const walk = (dir: ShimDirectory, relative: string): void => {
    for (const [name, inode] of dir.contents) {
      const rel = relative ? `${relative}/${name}` : name;
      if (inode instanceof shim.Directory) walk(inode, rel);
      else if (inode instanceof shim.File) {
        const origin = loaded.origins.get(inode);
        if (origin && Buffer.compare(Buffer.from(origin.original), Buffer.from(inode.data)) === 0) continue;
        const host = origin?.host ?? path.join(hostRoot, ...rel.split('/'));
        // Names come from the module: write only inside the preopen.
        if (!path.resolve(host).startsWith(hostRoot + path.sep)) continue;
        const done = writeBack && writeInside(hostRoot, host, inode.data);
        written.push({ host, bytes: inode.data.byteLength, writtenBack: done });
      }
    }
  };
  walk(root, '');
  return written;
}

/**
 * Writes one file of an rw preopen back to disk, refusing to follow a symlink that appeared on the
 * host meanwhile (its folder must still resolve inside the preopen; the file is opened O_NOFOLLOW).
 */
function writeInside(hostRoot: string, host: string, data: Uint8Array): boolean {
  try {
    fs.mkdirSync(path.dirname(host), { recursive: true });
    const dir = fs.realpathSync(path.dirname(host));
    if (dir !== hostRoot && !dir.startsWith(hostRoot + path.sep)) return false;
    const fd = fs.openSync(
      path.join(dir, path.basename(host)),
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | (fs.constants.O_NOFOLLOW ?? 0),
      0o644,
    );
    try {
      fs.writeSync(fd, data);
    } finally {
      fs.closeSync(fd);
    }
    return true;
  } catch {
    return false;
  }
}
