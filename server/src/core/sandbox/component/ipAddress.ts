/**
 * `wasi:sockets` IP addresses (`ipv4` as four bytes, `ipv6` as eight 16-bit groups) to and from
 * text. IPv6 text is canonical (RFC 5952, as URL writes it), so `[::1]` in the policy matches
 * whatever spelling the component used. Pure.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpAddress = { tag: 'ipv4'; val: number[] } | { tag: 'ipv6'; val: number[] };

/** Address text without brackets; undefined when `text` is not an IP address (a name, say). */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1');
  if (isIPv4(bare)) return { tag: 'ipv4', val: bare.split('.').map(Number) };
  if (!isIPv6(bare)) return undefined;
  const [head, tail] = bare.includes('::') ? bare.split('::') : [bare, undefined];
  const groups = (part: string | undefined): number[] => {
    if (!part) return [];
    return part.split(':').flatMap((g) => {
      if (!g.includes('.')) return [parseInt(g, 16)];
      const [a, b, c, d] = g.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const front = groups(head);
  const back = groups(tail);
  const middle = tail === undefined ? [] : new Array<number>(8 - front.length - back.length).fill(0);
  return { tag: 'ipv6', val: [...front, ...middle, ...back] };
}

/** `1.2.3.4`, or canonical IPv6 in brackets (`[::1]`), as endpoints are written. */
export function formatIp(address: IpAddress): string {
  if (address.tag === 'ipv4') return address.val.join('.');
  return new URL(`http://[${address.val.map((g) => g.toString(16)).join(':')}]/`).hostname;
}

/** Canonical text of a host (IPv6 in brackets, canonical); names are left as they are. */
export function canonicalHost(host: string): string {
  const ip = parseIp(host);
  return ip ? formatIp(ip) : host;
}
