/**
 * Verifies (never creates) wasmCloud claims: a JWT in a `jwt` or `wasmcloud_jwt` custom section,
 * signed with Ed25519 by an nkey issuer, whose `wascap.hash` is the uppercase hex SHA-256 of the
 * module without that section. nkeys are base32 text: a prefix byte saying what the key is, the
 * 32-byte public key, and a CRC-16 (a checksum, not cryptography).
 */
import { createHash, verify as ed25519Verify } from 'node:crypto';
import type { ByteSpan } from '../location';
import { publicKeyFromRaw } from './keys';
import { walkSections, type RawSection } from './sections';

export const CLAIMS_SECTIONS = ['jwt', 'wasmcloud_jwt'];

/** nkey prefix bytes (first base32 letter): what role a public key plays. */
const NKEY_ROLES: Record<number, string> = {
  [14 << 3]: 'operator', // O
  [0]: 'account', // A
  [20 << 3]: 'user', // U
  [13 << 3]: 'server', // N
  [2 << 3]: 'cluster', // C
  [12 << 3]: 'module', // M
  [21 << 3]: 'service', // V
};

export interface ClaimsReport {
  /** Whether the module has a claims section at all. */
  present: boolean;
  /** Signature by the issuer verifies and the module hash matches (and the token is in date). */
  valid: boolean;
  section?: ByteSpan;
  issuer?: string;
  issuerRole?: string;
  subject?: string;
  name?: string;
  capabilities?: string[];
  hashMatches?: boolean;
  signatureValid?: boolean;
  /** Seconds since the epoch, when the token says. */
  issuedAt?: number;
  expires?: number;
  notBefore?: number;
  problems: string[];
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Decode(text: string): Uint8Array | null {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text.replace(/=+$/, '')) {
    const value = BASE32.indexOf(char);
    if (value < 0) return null;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/** CRC-16/XMODEM (polynomial 0x1021, initial 0), as nkeys use it. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** Decodes an nkey public key (`A…`, `M…`, …) to its role and raw 32-byte Ed25519 key. */
export function decodeNkey(nkey: string): { role: string; raw: Uint8Array } | { error: string } {
  const bytes = base32Decode(nkey);
  if (!bytes || bytes.length !== 35)
    return { error: `"${nkey}" is not an nkey public key (base32 of 35 bytes).` };
  const body = bytes.subarray(0, 33);
  const stored = bytes[33] | (bytes[34] << 8);
  if (crc16(body) !== stored) return { error: `nkey "${nkey}" has a bad checksum.` };
  const role = NKEY_ROLES[bytes[0]];
  if (!role) return { error: `nkey "${nkey}" has an unknown prefix byte ${bytes[0]}.` };
  return { role, raw: bytes.slice(1, 33) };
}

export function verifyWasmCloudClaims(bytes: Uint8Array, now: number = Date.now() / 1000): ClaimsReport {
  const walk = walkSections(bytes);
  const claims = walk.sections.filter((s) => s.id === 0 && CLAIMS_SECTIONS.includes(s.name ?? ''));
  if (claims.length === 0)
    return { present: false, valid: false, problems: walk.problem ? [walk.problem.message] : [] };
  const section = claims[0];
  const report: ClaimsReport = {
    present: true,
    valid: false,
    section: { kind: 'binary', offset: section.offset, length: section.end - section.offset },
    problems: [],
  };
  if (walk.problem) report.problems.push(walk.problem.message);
  if (claims.length > 1)
    report.problems.push(`The module has ${claims.length} claims sections; only the first is checked.`);

  const token = Buffer.from(bytes.subarray(section.payloadOffset ?? section.contentOffset, section.end))
    .toString('utf8')
    .trim();
  const pieces = token.split('.');
  if (pieces.length !== 3) return fail(report, 'The claims section is not a JWT (three base64url parts).');
  let header: { alg?: string };
  let payload: {
    iss?: string;
    sub?: string;
    iat?: number;
    exp?: number;
    nbf?: number;
    wascap?: { hash?: string; name?: string; caps?: string[] };
  };
  try {
    header = JSON.parse(Buffer.from(pieces[0], 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(pieces[1], 'base64url').toString('utf8'));
  } catch {
    return fail(report, 'The claims JWT header or payload is not JSON.');
  }
  if (typeof header.alg !== 'string' || header.alg.toLowerCase() !== 'ed25519') {
    return fail(report, `The claims JWT uses algorithm "${String(header.alg)}", not Ed25519.`);
  }
  Object.assign(report, {
    issuer: payload.iss,
    subject: payload.sub,
    name: payload.wascap?.name,
    capabilities: payload.wascap?.caps,
    issuedAt: payload.iat,
    expires: payload.exp,
    notBefore: payload.nbf,
  });

  if (typeof payload.iss !== 'string') return fail(report, 'The claims have no issuer (iss).');
  const issuer = decodeNkey(payload.iss);
  if ('error' in issuer) return fail(report, issuer.error);
  report.issuerRole = issuer.role;
  const key = publicKeyFromRaw(issuer.raw, payload.iss, 'raw');
  if (!key.ok) return fail(report, key.error);
  const signature = Buffer.from(pieces[2], 'base64url');
  report.signatureValid =
    signature.length === 64 &&
    ed25519Verify(null, Buffer.from(`${pieces[0]}.${pieces[1]}`, 'ascii'), key.key.keyObject, signature);
  if (!report.signatureValid)
    report.problems.push('The claims JWT signature does not verify with its issuer key.');

  const expected = payload.wascap?.hash;
  const actual = moduleHashWithout(bytes, claims);
  report.hashMatches = typeof expected === 'string' && expected.toUpperCase() === actual;
  if (!report.hashMatches) {
    report.problems.push(
      typeof expected === 'string'
        ? `The module changed after its claims were signed: wascap.hash is ${expected}, the module hashes to ${actual}.`
        : 'The claims carry no wascap.hash for the module.',
    );
  }
  if (typeof payload.exp === 'number' && now >= payload.exp)
    report.problems.push(`The claims expired at ${new Date(payload.exp * 1000).toISOString()}.`);
  if (typeof payload.nbf === 'number' && now < payload.nbf)
    report.problems.push(`The claims are not valid before ${new Date(payload.nbf * 1000).toISOString()}.`);
  report.valid = report.problems.length === 0;
  return report;
}

/** Uppercase hex SHA-256 of the module with the claims sections cut out. */
function moduleHashWithout(bytes: Uint8Array, removed: RawSection[]): string {
  const hash = createHash('sha256');
  let at = 0;
  for (const section of removed) {
    hash.update(bytes.subarray(at, section.offset));
    at = section.end;
  }
  hash.update(bytes.subarray(at));
  return hash.digest('hex').toUpperCase();
}

function fail(report: ClaimsReport, problem: string): ClaimsReport {
  report.problems.push(problem);
  report.valid = false;
  return report;
}
