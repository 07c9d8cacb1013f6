/**
 * Path checks for WASI calls that name a path relative to a preopened directory. The shim already
 * refuses these; checking first lets the report say what the module tried and why it was denied.
 */

export interface PathVerdict {
  /** Normalised path relative to the preopen ('' = the preopen itself), or undefined when it escapes. */
  relative?: string;
  /** Why the path is refused. */
  reason?: string;
}

export function checkGuestPath(path: string): PathVerdict {
  if (path.includes('\0')) return { reason: 'the path contains a NUL byte' };
  if (path.startsWith('/'))
    return { reason: 'absolute paths are not allowed; paths are relative to a preopened directory' };
  const parts: string[] = [];
  for (const component of path.split('/')) {
    if (component === '' || component === '.') continue;
    if (component === '..') {
      if (parts.length === 0) return { reason: 'the path climbs out of the preopened directory with ".."' };
      parts.pop();
      continue;
    }
    parts.push(component);
  }
  return { relative: parts.join('/') };
}

/** Whether `relative` is `prefix` or inside it (both normalised, '/'-separated). */
export function isWithin(relative: string, prefix: string): boolean {
  return relative === prefix || relative.startsWith(prefix + '/');
}
