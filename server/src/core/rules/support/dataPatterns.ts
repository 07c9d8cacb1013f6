/**
 * What `suspicious-data` looks for in raw bytes. Each pattern is run over the bytes read as
 * latin1 (one character per byte), so match indices are byte offsets.
 */
import type { Severity } from '../../findings';
import { anchoredMatches, type AnchoredSearch } from './anchoredSearch';
import { shannonEntropy } from './entropy';
import { urlLength } from './urlExtent';

export interface DataMatch {
  kind: 'miningPool' | 'privateKey' | 'cloudKey' | 'url' | 'ip' | 'blob' | 'embeddedModule';
  offset: number;
  length: number;
  severity: Severity;
  /** The matched text, shortened for messages; secrets are masked. */
  shown: string;
  /** For `cloudKey`: which provider; for `url`: the scheme. */
  detail?: string;
  host?: string;
  port?: string;
}

// Each pattern with the short literal every match holds (see anchoredSearch.ts for why).
const MINING_POOL: AnchoredSearch = {
  // "stratum+" and a three-letter protocol: "://" is 11 characters in.
  pattern: /stratum\+(?:tcp|ssl|tls):\/\/[\x21-\x7e]{1,200}/y,
  anchors: ['://'],
  lead: [11, 11],
};
// A PEM header alone is common (parsers need it); a header followed by key material is a key.
const PRIVATE_KEY: AnchoredSearch = {
  pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\r\n]+[A-Za-z0-9+/=\r\n]{64,}/y,
  anchors: ['BEGIN'],
  lead: [5, 5],
};
// The anchors leave out a common first letter ("A", "sk"/"rk"): memchr would stop at each of them.
const CLOUD_KEYS: Array<{ provider: string; search: AnchoredSearch }> = [
  {
    provider: 'an AWS access key id',
    search: {
      pattern: /(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Z0-9])/y,
      anchors: ['KIA', 'SIA'],
      lead: [1, 1],
    },
  },
  {
    provider: 'a Google API key',
    search: { pattern: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/y, anchors: ['Iza'], lead: [1, 1] },
  },
  {
    provider: 'a GitHub token',
    search: { pattern: /(?<!\w)gh[pousr]_[A-Za-z0-9]{36}(?!\w)/y, anchors: ['gh'], lead: [0, 0] },
  },
  {
    provider: 'a Slack token',
    search: { pattern: /(?<!\w)xox[abprs]-[0-9A-Za-z-]{10,72}/y, anchors: ['xox'], lead: [0, 0] },
  },
  {
    provider: 'a Stripe secret key',
    search: { pattern: /(?<!\w)[sr]k_live_[0-9A-Za-z]{24,99}(?!\w)/y, anchors: ['_live_'], lead: [2, 2] },
  },
];
const URL: AnchoredSearch = {
  pattern:
    /(?<![A-Za-z0-9+.-])(https?|wss?|ftp):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)*[A-Za-z0-9-]{1,63})(?::(\d{1,5}))?[!#$%&'()*+,\-./0-9:;=?@A-Z_a-z~]{0,200}/y,
  // "://" comes after the scheme, "ws" to "https".
  anchors: ['://'],
  lead: [2, 5],
};
/** The anchored searches, for tests that hold each to what a plain global search finds. */
export const ANCHORED_DATA_SEARCHES: ReadonlyArray<[string, AnchoredSearch]> = [
  ['mining pool', MINING_POOL],
  ['private key', PRIVATE_KEY],
  ...CLOUD_KEYS.map(({ provider, search }): [string, AnchoredSearch] => [provider, search]),
  ['URL', URL],
];
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?::(\\d{1,5}))?(?![\\w.])`, 'g');
// Encoded payloads in text form. Raw binary tables (S-boxes, CRC and compression tables, fonts)
// are high-entropy too and entirely ordinary, so only text encodings are judged.
const MIN_RUN = 512;
const BASE64_MIN_ENTROPY = 5.2; // of at most 6 bits per character
const HEX_MIN_ENTROPY = 3.7; // of at most 4

// Top-level domains that make a host worth reporting: every two-letter country code, and the
// generic ones real endpoints use. Text that merely starts with "http://" (Brotli's built-in
// dictionary is full of "http://www.years"-like fragments) rarely ends in one of these.
const GENERIC_TLDS = new Set(
  'com net org edu gov mil int arpa io dev app ai info biz xyz online site tech cloud pro name mobi asia top club shop store blog page link live news wiki zip mov onion run sh global network services systems digital host website space'.split(
    ' ',
  ),
);

function isPlausibleHost(host: string): boolean {
  if (host.startsWith('[') || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host)) return true;
  const labels = host.split('.');
  if (labels.length < 2 || labels.some((l) => l.length === 0 || l.startsWith('-') || l.endsWith('-')))
    return false;
  const tld = labels[labels.length - 1];
  return /^[a-z]{2}$/.test(tld) || GENERIC_TLDS.has(tld);
}

function mask(secret: string): string {
  return secret.length <= 8 ? '****' : `${secret.slice(0, 4)}…${secret.slice(-2)}`;
}

function shorten(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function isBoringIp(ip: string): boolean {
  const octets = ip.split('.').map(Number);
  if (octets[0] === 0 || octets[0] === 127 || octets.every((o) => o === 255)) return true;
  // 1.2.3.4 and 4.0.0.0 read like version numbers far more often than like addresses.
  return octets.every((o) => o < 10);
}

function startsWithWasm(base64: string): boolean {
  return base64.startsWith('AGFzbQ'); // "\0asm"
}

const BASE64_CHARS = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')
  BASE64_CHARS[c.charCodeAt(0)] = 1;
const isBase64 = (text: string, i: number) => BASE64_CHARS[text.charCodeAt(i) & 0xff] === 1;

/**
 * Maximal runs of base64 characters at least MIN_RUN long. It looks at the last character a run
 * starting here would need and skips ahead past any non-base64 character, so ordinary text costs
 * a few reads per MIN_RUN characters instead of one per character.
 */
function base64Runs(text: string): Array<{ start: number; end: number }> {
  const runs: Array<{ start: number; end: number }> = [];
  let i = 0;
  while (i + MIN_RUN <= text.length) {
    let k = i + MIN_RUN - 1;
    while (k >= i && isBase64(text, k)) k--;
    if (k >= i) {
      i = k + 1; // no run of MIN_RUN can contain position k
      continue;
    }
    let end = i + MIN_RUN;
    while (end < text.length && isBase64(text, end)) end++;
    const body = end;
    while (end < text.length && end - body < 2 && text.charCodeAt(end) === 0x3d /* = */) end++;
    runs.push({ start: i, end });
    i = end + 1;
  }
  return runs;
}

// IPv4 has no literal to anchor on: this cheap test skips the pattern where no address can be.
const DIGIT_DOT_DIGIT = /\d\.\d/;

/** A pattern's match as what the rule reports. */
function matchOf(
  kind: DataMatch['kind'],
  m: RegExpExecArray,
  severity: Severity,
  shown: string,
  more: Pick<DataMatch, 'detail' | 'host' | 'port'> = {},
): DataMatch {
  return { kind, offset: m.index, length: m[0].length, severity, shown, ...more };
}

export interface ScanOptions {
  /** The data is a Go program's strings, packed with nothing in between (urlExtent.ts). */
  packedStrings?: boolean;
}

export function scanForSuspiciousData(latin1: string, options: ScanOptions = {}): DataMatch[] {
  const matches: DataMatch[] = [];
  for (const m of anchoredMatches(latin1, MINING_POOL)) {
    matches.push(matchOf('miningPool', m, 'error', shorten(m[0])));
  }
  for (const m of anchoredMatches(latin1, PRIVATE_KEY)) {
    const header = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.exec(m[0])?.[0] ?? 'PRIVATE KEY';
    matches.push(matchOf('privateKey', m, 'error', header));
  }
  for (const { provider, search } of CLOUD_KEYS) {
    for (const m of anchoredMatches(latin1, search)) {
      matches.push(matchOf('cloudKey', m, 'error', mask(m[0]), { detail: provider }));
    }
  }
  const urlRanges: Array<[number, number]> = [];
  for (const m of anchoredMatches(latin1, URL)) {
    urlRanges.push([m.index, m.index + m[0].length]);
    const host = m[2].toLowerCase();
    if (!isPlausibleHost(host) || host === 'localhost') continue;
    const url = m[0].slice(0, urlLength(latin1, m.index, m[0].length, options.packedStrings ?? false));
    matches.push({
      ...matchOf('url', m, 'info', shorten(url), { detail: m[1].toLowerCase(), host, port: m[3] }),
      length: url.length,
    });
  }
  if (DIGIT_DOT_DIGIT.test(latin1)) {
    IPV4.lastIndex = 0;
    for (let m = IPV4.exec(latin1); m; m = IPV4.exec(latin1)) {
      const ip = m[0].replace(/:\d+$/, '');
      if (isBoringIp(ip)) continue;
      const at = m.index;
      if (urlRanges.some(([s, e]) => at >= s && at < e)) continue;
      matches.push(matchOf('ip', m, 'info', m[0], { host: ip, port: m[1] }));
    }
  }
  if (latin1.length >= MIN_RUN) {
    for (const { start, end } of base64Runs(latin1)) {
      const run = latin1.slice(start, end);
      const length = end - start;
      if (startsWithWasm(run)) {
        matches.push({
          kind: 'embeddedModule',
          offset: start,
          length,
          severity: 'warning',
          shown: `${length} characters`,
        });
      } else if (/^[0-9A-Fa-f]+$/.test(run)) {
        if (shannonEntropy(run) >= HEX_MIN_ENTROPY) {
          matches.push({
            kind: 'blob',
            offset: start,
            length,
            severity: 'info',
            shown: `${length} characters`,
            detail: 'hex',
          });
        }
      } else if (shannonEntropy(run) >= BASE64_MIN_ENTROPY) {
        matches.push({
          kind: 'blob',
          offset: start,
          length,
          severity: 'info',
          shown: `${length} characters`,
          detail: 'base64',
        });
      }
    }
  }
  return matches.sort((a, b) => a.offset - b.offset);
}
