/**
 * Finds the modules to check (for `wasm-warden check` and the editor's workspace scan): the paths and globs the user named, or the
 * current folder, walked recursively for `.wasm` and `.wat`, skipping `node_modules` and whatever
 * `.gitignore` files ignore unless a path names it. Directory loops through symlinks are walked
 * once; unreadable folders are reported, never fatal.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

export const MODULE_EXTENSIONS = ['.wasm', '.wat'];
const ALWAYS_SKIPPED = new Set(['node_modules', '.git']);

export interface DiscoveryProblem {
  path: string;
  message: string;
}

export interface Discovery {
  files: string[];
  problems: DiscoveryProblem[];
}

export function isModulePath(file: string): boolean {
  return MODULE_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

function isGlob(pattern: string): boolean {
  return picomatch.scan(pattern).isGlob;
}

interface IgnoreScope {
  /** Folder the .gitignore sits in. */
  base: string;
  rules: Ignore;
}

class Walker {
  readonly files = new Set<string>();
  readonly problems: DiscoveryProblem[] = [];
  private readonly visitedDirs = new Set<string>();

  constructor(
    private readonly accept: (file: string) => boolean,
    private readonly respectGitignore = true,
  ) {}

  walk(dir: string, scopes: IgnoreScope[]): void {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch (error) {
      this.problems.push({ path: dir, message: describeFsError(error) });
      return;
    }
    if (this.visitedDirs.has(real)) return; // a symlink loop, or a folder reached twice
    this.visitedDirs.add(real);

    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      this.problems.push({ path: dir, message: describeFsError(error) });
      return;
    }
    const ownIgnore = this.respectGitignore ? readGitignore(dir) : undefined;
    const inScope = ownIgnore ? [...scopes, { base: dir, rules: ownIgnore }] : scopes;

    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (ALWAYS_SKIPPED.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const stat = fs.statSync(full);
          isDir = stat.isDirectory();
          isFile = stat.isFile();
          // A link to a folder above this one is a loop: following it would re-read the tree.
          if (isDir && isWithin(real, fs.realpathSync(full))) continue;
        } catch {
          continue; // a dangling link is not a module
        }
      }
      if (isIgnored(full, isDir, inScope)) continue;
      if (isDir) this.walk(full, inScope);
      else if (isFile && isModulePath(full) && this.accept(full)) this.files.add(full);
    }
  }
}

function isWithin(child: string, ancestor: string): boolean {
  return child === ancestor || child.startsWith(ancestor.endsWith(path.sep) ? ancestor : ancestor + path.sep);
}

function readGitignore(dir: string): Ignore | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, '.gitignore'), 'utf8');
  } catch {
    return undefined;
  }
  return ignore().add(text);
}

function isIgnored(full: string, isDir: boolean, scopes: IgnoreScope[]): boolean {
  for (const scope of scopes) {
    const relative = path.relative(scope.base, full).split(path.sep).join('/');
    if (!relative || relative.startsWith('..')) continue;
    if (scope.rules.ignores(isDir ? `${relative}/` : relative)) return true;
  }
  return false;
}

/** The .gitignore files of the folders above `dir`, up to the repository root (the folder with .git). */
function ancestorScopes(dir: string): IgnoreScope[] {
  const chain: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
    chain.unshift(current);
    if (fs.existsSync(path.join(current, '.git'))) break;
  }
  if (!chain.some((d) => fs.existsSync(path.join(d, '.git')))) return [];
  return chain.flatMap((base) => {
    const rules = readGitignore(base);
    return rules ? [{ base, rules }] : [];
  });
}

function describeFsError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return e?.message ?? String(error);
  }
}

/**
 * Expands the command line's operands. A file named explicitly is checked even if ignored or
 * without a module extension; a folder is walked; anything else is taken as a glob from `cwd`.
 */
export interface DiscoveryOptions {
  /** Skip what `.gitignore` files ignore (default true; the editor scans build outputs too). */
  respectGitignore?: boolean;
}

export function discoverModules(operands: string[], cwd: string, options: DiscoveryOptions = {}): Discovery {
  const respectGitignore = options.respectGitignore ?? true;
  const scopesFor = (dir: string): IgnoreScope[] => (respectGitignore ? ancestorScopes(dir) : []);
  const walker = new Walker(() => true, respectGitignore);
  const explicit: string[] = [];
  const targets = operands.length > 0 ? operands : ['.'];

  for (const operand of targets) {
    const absolute = path.resolve(cwd, operand);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(absolute);
    } catch (error) {
      if (!isGlob(operand)) {
        walker.problems.push({ path: operand, message: describeFsError(error) });
        continue;
      }
    }
    if (stat?.isFile()) {
      explicit.push(absolute);
    } else if (stat?.isDirectory()) {
      // A folder the user names is checked even if ignored; ignore files inside it still count.
      const scopes = scopesFor(absolute);
      walker.walk(absolute, isIgnored(absolute, true, scopes) ? [] : scopes);
    } else {
      const before = walker.files.size;
      const scan = picomatch.scan(operand);
      const base = path.resolve(cwd, scan.base || '.');
      const matcher = picomatch(scan.glob, { dot: false });
      const globWalker = new Walker(
        (file) => matcher(path.relative(base, file).split(path.sep).join('/')),
        respectGitignore,
      );
      globWalker.walk(base, scopesFor(base));
      globWalker.files.forEach((f) => walker.files.add(f));
      walker.problems.push(...globWalker.problems);
      if (walker.files.size === before && globWalker.files.size === 0) {
        walker.problems.push({ path: operand, message: 'no .wasm or .wat file matches this pattern' });
      }
    }
  }
  const files = [...new Set([...explicit, ...walker.files])];
  return { files, problems: walker.problems };
}
