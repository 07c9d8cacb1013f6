/**
 * What `suspicious-data` looks for in raw bytes. Each pattern is run over the bytes read as
 * latin1 (one character per byte), so match indices are byte offsets.
 */
import type { Severity } from '../../findings';
import { shannonEntropy } from './entropy';

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

const MINING_POOL = /stratum\+(?:tcp|ssl|tls):\/\/[\x21-\x7e]{1,200}/g;
// A PEM header alone is common (parsers need it); a header followed by key material is a key.
const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\r\n]+[A-Za-z0-9+/=\r\n]{64,}/g;
const CLOUD_KEYS: Array<{ provider: string; pattern: RegExp }> = [
  { provider: 'an AWS access key id', pattern: /(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Z0-9])/g },
  { provider: 'a Google API key', pattern: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g },
  { provider: 'a GitHub token', pattern: /(?<!\w)gh[pousr]_[A-Za-z0-9]{36}(?!\w)/g },
  { provider: 'a Slack token', pattern: /(?<!\w)xox[abprs]-[0-9A-Za-z-]{10,72}/g },
  { provider: 'a Stripe secret key', pattern: /(?<!\w)[sr]k_live_[0-9A-Za-z]{24,99}(?!\w)/g },
];
const URL =
  /(?<![A-Za-z0-9+.-])(https?|wss?|ftp):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)*[A-Za-z0-9-]{1,63})(?::(\d{1,5}))?[!#$%&'()*+,\-./0-9:;=?@A-Z_a-z~]{0,200}/g;
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

// Cheap tests that decide whether a pattern can match at all, so most segments cost one indexOf.
const hasUrl = (t: string) => t.includes('://');
const hasPem = (t: string) => t.includes('-----BEGIN');
// One pass over the text for every provider's prefix (ten `includes` passes cost 2.4 times as much).
const KEY_PREFIX = /AKIA|ASIA|AIza|gh[pousr]_|xox|k_live_/;
const hasKeyPrefix = (t: string) => KEY_PREFIX.test(t);
const DIGIT_DOT_DIGIT = /\d\.\d/;

export function scanForSuspiciousData(latin1: string): DataMatch[] {
  const matches: DataMatch[] = [];
  const each = (pattern: RegExp, fn: (m: RegExpExecArray) => void) => {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(latin1); m; m = pattern.exec(latin1)) fn(m);
  };
  const url = hasUrl(latin1);
  if (url)
    each(MINING_POOL, (m) =>
      matches.push({
        kind: 'miningPool',
        offset: m.index,
        length: m[0].length,
        severity: 'error',
        shown: shorten(m[0]),
      }),
    );
  if (hasPem(latin1))
    each(PRIVATE_KEY, (m) => {
      const header = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.exec(m[0])?.[0] ?? 'PRIVATE KEY';
      matches.push({
        kind: 'privateKey',
        offset: m.index,
        length: m[0].length,
        severity: 'error',
        shown: header,
      });
    });
  for (const { provider, pattern } of hasKeyPrefix(latin1) ? CLOUD_KEYS : []) {
    each(pattern, (m) =>
      matches.push({
        kind: 'cloudKey',
        offset: m.index,
        length: m[0].length,
        severity: 'error',
        shown: mask(m[0]),
        detail: provider,
      }),
    );
  }
  const urlRanges: Array<[number, number]> = [];
  if (url)
    each(URL, (m) => {
      urlRanges.push([m.index, m.index + m[0].length]);
      const host = m[2].toLowerCase();
      if (!isPlausibleHost(host) || host === 'localhost') return;
      matches.push({
        kind: 'url',
        offset: m.index,
        length: m[0].length,
        severity: 'info',
        shown: shorten(m[0]),
        detail: m[1].toLowerCase(),
        host,
        port: m[3],
      });
    });
  if (DIGIT_DOT_DIGIT.test(latin1))
    each(IPV4, (m) => {
      const ip = m[0].replace(/:\d+$/, '');
      if (isBoringIp(ip)) return;
      if (urlRanges.some(([s, e]) => m.index >= s && m.index < e)) return;
      matches.push({
        kind: 'ip',
        offset: m.index,
        length: m[0].length,
        severity: 'info',
        shown: m[0],
        host: ip,
        port: m[1],
      });
    });
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
