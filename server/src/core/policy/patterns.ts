/**
 * Import patterns: `module.name` with `*` wildcards (`env.*`, `wasi_snapshot_preview1.fd_*`). A WASI
 * 0.2 interface may be named with or without its version and without a function, so
 * `wasi:filesystem/types` covers `wasi:filesystem/types@0.2.0` and every function imported from it.
 * One function of a component interface is `iface#function`, as WIT names it:
 * `wasi:filesystem/types@0.2.*#[method]descriptor.write`.
 */
import { splitInterfaceVersion } from '../wasi/catalogue';

const compiled = new Map<string, RegExp>();

/** The regular expression of a pattern (cached: the same patterns are matched again and again). */
export function patternRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, 's');
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/** Component imports come as one name (`wasi:http/types@0.2.0`): callers may pass it as module or as name. */
export function normaliseImport(module: string, name: string): { module: string; name: string } {
  return module === '' ? { module: name, name: '' } : { module, name };
}

/** The strings a pattern is matched against, most specific first. */
export function importSubjects(module: string, name: string): string[] {
  const subjects = [name === '' ? module : `${module}.${name}`];
  if (module.includes(':')) {
    const unversioned = splitInterfaceVersion(module).name;
    if (name !== '') subjects.push(`${module}#${name}`, `${unversioned}#${name}`, `${unversioned}.${name}`);
    subjects.push(module, unversioned);
  }
  return [...new Set(subjects)];
}

export function matchesImport(pattern: string, module: string, name: string): boolean {
  const re = patternRegExp(pattern);
  return importSubjects(module, name).some((s) => re.test(s));
}

/** Whether a pattern matches a plain string (used to see which catalogue names a pattern can reach). */
export function matchesText(pattern: string, text: string): boolean {
  return patternRegExp(pattern).test(text);
}
