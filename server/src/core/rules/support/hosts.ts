/**
 * Whether a host (and port) found in a module is on the sandbox's network allow list. Entries are
 * `host`, `host:port`, `*.domain` or `*` (IPv6 in brackets: `[::1]:80`), as the policy documents.
 */
function splitEntry(entry: string): { host: string; port?: string } {
  const trimmed = entry
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  const bracket = /^\[([^\]]+)\](?::(\d+|\*))?/.exec(trimmed);
  if (bracket) return { host: bracket[1], port: bracket[2] };
  const colon = trimmed.lastIndexOf(':');
  if (colon > 0 && trimmed.indexOf(':') === colon)
    return { host: trimmed.slice(0, colon), port: trimmed.slice(colon + 1) };
  return { host: trimmed.replace(/\/.*$/, '') };
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) || host === pattern.slice(2);
  return pattern === host;
}

export function isHostAllowed(host: string, port: string | undefined, allow: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return allow.some((entry) => {
    const e = splitEntry(entry);
    if (!hostMatches(e.host, h)) return false;
    return e.port === undefined || e.port === '*' || port === undefined || e.port === port;
  });
}
