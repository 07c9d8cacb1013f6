/**
 * `sandbox.network.allow`: `host:port` patterns (`*` matches any run of characters except a dot in
 * the host, any port in the port). IP addresses compare in canonical form. Pure, for the host and
 * the tests.
 */
import { canonicalHost } from './ipAddress';

function globToRegExp(glob: string, any: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join(any);
  return new RegExp(`^${body}$`, 'i');
}

const bare = (host: string): string => canonicalHost(host).replace(/^\[(.*)\]$/, '$1');

export function endpointAllowed(patterns: string[], host: string, port: number): boolean {
  const name = bare(host);
  return patterns.some((pattern) => {
    const at = pattern.lastIndexOf(':');
    if (at <= 0) return false;
    const hostPattern = bare(pattern.slice(0, at));
    const portPattern = pattern.slice(at + 1);
    return (
      globToRegExp(hostPattern, '[^.]*').test(name) && globToRegExp(portPattern, '\\d*').test(String(port))
    );
  });
}

/** Whether any pattern could allow `host` on some port (DNS lookups are allowed for these names only). */
export function hostAllowed(patterns: string[], host: string): boolean {
  return patterns.some((pattern) => {
    const at = pattern.lastIndexOf(':');
    return at > 0 && globToRegExp(bare(pattern.slice(0, at)), '[^.]*').test(bare(host));
  });
}
