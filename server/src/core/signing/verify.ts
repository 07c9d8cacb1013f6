/**
 * Strict verification of embedded or detached module signatures against trusted keys. Unlike the
 * reference tool's partial mode, a signature is "whole" only when its hashes match the content
 * part for part up to the last byte of the file; a matching prefix is "partial"; any mismatch is
 * tampering. The content is hashed once, whatever the number of signatures and keys.
 */
import { verify as ed25519Verify } from 'node:crypto';
import type { ByteSpan } from '../location';
import { layoutModule } from './content';
import {
  ALG_ED25519,
  parseSignatureData,
  signedMessage,
  type SignatureData,
  type SignatureEntry,
  type SignedHashSet,
} from './format';
import { hashParts, type PartBoundary } from './hash';
import { fingerprint, type PublicKeyInfo } from './keys';
import { checkPreamble, type PreambleCheck } from './preamble';
import type { SigningProblem } from './problems';
import { equalBytes, isSignatureSection, walkSections } from './sections';

export interface VerifyOptions {
  /** Trusted keys, already loaded (`loadPublicKey`). */
  publicKeys: PublicKeyInfo[];
  /** The payload of a detached signature (`.sig` file), when the module carries none. */
  detachedSignature?: Uint8Array;
}

export type SignatureStatus =
  /** A trusted key signed every byte after the signature section. */
  | 'valid'
  /** A trusted key signed a prefix of the content; later parts are unsigned. */
  | 'partial'
  /** The content matches the signed hashes, but no trusted key made the signature. */
  | 'untrusted'
  /** Content changed since signing, or the signature bytes are wrong for the key they name. */
  | 'invalid'
  /** An algorithm this verifier does not know. */
  | 'unsupported';

export interface Coverage {
  whole: boolean;
  /** Byte range of the module the signature authenticates (the preamble never is). */
  start: number;
  end: number;
  /** Parts signed (delimited by `signature_delimiter`) out of the parts in the module. */
  parts: number;
  totalParts: number;
}

export interface SignatureVerdict {
  /** Index of the signed hash set and of the signature inside it. */
  set: number;
  index: number;
  /** Hex of the key id, or null when the signer wrote none. */
  keyId: string | null;
  /** The key id as text when it is printable ASCII (custom ids such as "release-2025"). */
  keyIdText: string | null;
  algorithm: number;
  algorithmName: string;
  status: SignatureStatus;
  /** The trusted key whose signature this is, if any. */
  verifiedBy: { source: string; fingerprint: string; index: number } | null;
  /** What the signed hashes cover in this module; null when they match nothing (tampered). */
  coverage: Coverage | null;
  /** Whether this signature came from the detached signature file rather than the module. */
  inDetached: boolean;
  /** Where the signature entry is: in the module, or in the detached file when `inDetached`. */
  location: ByteSpan;
  problems: SigningProblem[];
}

export type ReportStatus =
  'valid' | 'partial' | 'untrusted' | 'invalid' | 'unsigned' | 'malformed' | 'unsupported';

export interface SignatureReport {
  /** Whether the module carries (or was given) a signature section to check. */
  signed: boolean;
  /** Summary: the best verdict, downgraded by tampering, a malformed section or a changed preamble. */
  status: ReportStatus;
  /** True only when a trusted key signed the whole module and nothing is wrong. */
  valid: boolean;
  /** Where the checked signatures came from; `both` when the module has one and a detached file was given too. */
  source: 'embedded' | 'detached' | 'both' | null;
  /** The embedded signature section, when there is one. */
  section?: ByteSpan;
  /** The bytes signatures can cover: everything after the signature section. */
  content: { start: number; end: number; parts: number };
  preamble: PreambleCheck | null;
  signatures: SignatureVerdict[];
  problems: SigningProblem[];
}

/** More signatures than any real release process makes; beyond this a section is refused. */
export const MAX_SIGNATURES = 256;

export function verifyModuleSignatures(bytes: Uint8Array, options: VerifyOptions): SignatureReport {
  const layout = layoutModule(bytes);
  const base: SignatureReport = {
    signed: false,
    status: 'unsigned',
    valid: false,
    source: null,
    content: { start: Math.min(8, bytes.length), end: bytes.length, parts: 0 },
    preamble: null,
    signatures: [],
    problems: [],
  };
  if ('code' in layout) {
    // Still say whether a signature was there: a truncated signed module is malformed, not unsigned.
    const first = walkSections(bytes).sections[0];
    const signed =
      options.detachedSignature !== undefined || (first !== undefined && isSignatureSection(first));
    return { ...base, signed, status: signed ? 'malformed' : 'unsigned', problems: [layout] };
  }
  const report: SignatureReport = {
    ...base,
    content: { start: layout.contentStart, end: bytes.length, parts: 0 },
    problems: [...layout.problems],
  };
  // Signatures may come from the module and from a detached file; both are checked, each verdict
  // saying where it came from (a stale `.sig` next to a re-signed module must not hide the new one).
  const sources: Array<{ data: SignatureData; inDetached: boolean }> = [];
  const unreadable: SigningProblem[] = [];
  const take = (data: SignatureData | SigningProblem, inDetached: boolean) =>
    'code' in data ? unreadable.push(data) : sources.push({ data, inDetached });
  if (layout.signatureSection) {
    const section = layout.signatureSection;
    const payloadOffset = section.payloadOffset ?? section.contentOffset;
    report.section = span(section.offset, section.end);
    take(parseSignatureData(bytes.subarray(payloadOffset, section.end), payloadOffset), false);
  }
  if (options.detachedSignature) take(parseSignatureData(options.detachedSignature, 0, true), true);
  report.source =
    layout.signatureSection && options.detachedSignature
      ? 'both'
      : layout.signatureSection
        ? 'embedded'
        : options.detachedSignature
          ? 'detached'
          : null;
  if (report.source === null) {
    report.problems.push({
      code: 'no-signature',
      message: 'The module has no signature section (it must be the first section).',
    });
    // A misplaced signature section is not "unsigned": someone meant to sign it, and it proves nothing.
    if (layout.problems.length > 0) return { ...report, signed: true, status: 'invalid' };
    return report;
  }
  report.signed = true;
  report.problems.push(...unreadable);
  if (sources.length === 0) {
    const unsupported = unreadable.every((p) => p.code.startsWith('unsupported-'));
    return { ...report, status: unsupported ? 'unsupported' : 'malformed' };
  }

  const signatureCount = sources.reduce(
    (n, { data }) => n + data.sets.reduce((m, set) => m + set.signatures.length, 0),
    0,
  );
  if (signatureCount > MAX_SIGNATURES) {
    // Each signature costs an Ed25519 check per trusted key: a crafted section must not stall the server.
    report.problems.push({
      code: 'malformed-signature-section',
      message: `The signature section holds ${signatureCount} signatures; more than ${MAX_SIGNATURES} are not checked.`,
      location: report.section,
      inDetached: report.source === 'detached',
    });
    return { ...report, status: 'malformed' };
  }
  const boundaries = hashParts(bytes, layout.content, layout.contentStart);
  report.content.parts = boundaries.length;
  report.preamble = checkPreamble(bytes, layout.content);
  let setIndex = 0;
  for (const { data, inDetached } of sources) {
    for (const set of data.sets) {
      const coverage = coverageOf(set, boundaries, layout.contentStart, bytes.length);
      const kept = coverage ? undefined : truncatedAfter(set, boundaries, bytes.length);
      const cut = kept === undefined ? undefined : { kept, signed: set.hashes.length };
      const message = signedMessage(set.hashes);
      set.signatures.forEach((entry, index) => {
        report.signatures.push(
          judge(
            entry,
            setIndex,
            index,
            coverage,
            cut,
            message,
            options.publicKeys,
            inDetached,
            layout.contentStart,
            bytes.length,
          ),
        );
      });
      setIndex++;
    }
  }
  summarise(report);
  return report;
}

/**
 * Which prefix of the content a set's hashes authenticate. Hash i must equal the rolling hash at
 * part boundary i; a set with fewer hashes than parts covers a prefix. Null when a hash differs
 * (content changed) or the set claims more parts than the module has.
 */
function coverageOf(
  set: SignedHashSet,
  boundaries: PartBoundary[],
  contentStart: number,
  fileEnd: number,
): Coverage | null {
  const n = set.hashes.length;
  if (n === 0 || n > boundaries.length) return null;
  for (let i = 0; i < n; i++) if (!equalBytes(set.hashes[i], boundaries[i].hash)) return null;
  const end = boundaries[n - 1].end;
  return {
    whole: n === boundaries.length && end === fileEnd,
    start: contentStart,
    end,
    parts: n,
    totalParts: boundaries.length,
  };
}

/**
 * When the module is a set's signed content with its last parts removed: the number of parts
 * kept. The reference tool's simple verify accepts such a module (every rolling hash of the set is
 * "valid"); a reviewer should hear that signed parts are missing instead.
 */
function truncatedAfter(set: SignedHashSet, boundaries: PartBoundary[], fileEnd: number): number | undefined {
  const k = boundaries.length;
  if (k === 0 || set.hashes.length <= k || boundaries[k - 1].end !== fileEnd) return undefined;
  for (let i = 0; i < k; i++) if (!equalBytes(set.hashes[i], boundaries[i].hash)) return undefined;
  return k;
}

function judge(
  entry: SignatureEntry,
  set: number,
  index: number,
  coverage: Coverage | null,
  /** When `coverage` is null because the module is the signed content with its last parts cut off. */
  cut: { kept: number; signed: number } | undefined,
  message: Uint8Array,
  keys: PublicKeyInfo[],
  inDetached: boolean,
  contentStart: number,
  fileEnd: number,
): SignatureVerdict {
  const keyId = entry.keyId.length > 0 ? Buffer.from(entry.keyId).toString('hex') : null;
  const printable = entry.keyId.length > 0 && entry.keyId.every((c) => c >= 0x20 && c < 0x7f);
  const verdict: SignatureVerdict = {
    set,
    index,
    keyId,
    keyIdText: printable ? Buffer.from(entry.keyId).toString('latin1') : null,
    algorithm: entry.algorithm,
    algorithmName: entry.algorithm === ALG_ED25519 ? 'Ed25519' : `unknown (${entry.algorithm})`,
    status: 'untrusted',
    verifiedBy: null,
    coverage,
    inDetached,
    location: span(entry.offset, entry.offset + entry.length),
    problems: [],
  };
  const located = (problem: Omit<SigningProblem, 'location' | 'inDetached'>): SigningProblem => ({
    ...problem,
    location: verdict.location,
    inDetached,
  });
  if (entry.algorithm !== ALG_ED25519) {
    verdict.status = 'unsupported';
    verdict.problems.push(
      located({
        code: 'unsupported-algorithm',
        message: `Signature algorithm ${entry.algorithm} is not supported (only 1, Ed25519).`,
      }),
    );
    return verdict;
  }
  const keyIndex = keys.findIndex(
    (key) => entry.signature.length === 64 && ed25519Verify(null, message, key.keyObject, entry.signature),
  );
  if (keyIndex >= 0) {
    const key = keys[keyIndex];
    verdict.verifiedBy = { source: key.source, fingerprint: fingerprint(key), index: keyIndex };
  }
  if (coverage === null) {
    verdict.status = 'invalid';
    verdict.problems.push(
      cut === undefined
        ? {
            code: 'hash-mismatch',
            message:
              'The module changed after it was signed: its content no longer matches the signed hashes.',
            location: span(contentStart, fileEnd),
          }
        : {
            code: 'truncated-content',
            message: `The module is the signed content cut after part ${cut.kept} of ${cut.signed}: the signed part(s) after it were removed.`,
            location: span(contentStart, fileEnd),
          },
    );
    return verdict;
  }
  if (verdict.verifiedBy) {
    verdict.status = coverage.whole ? 'valid' : 'partial';
    if (!coverage.whole) {
      verdict.problems.push({
        code: 'partial-coverage',
        message: `The signature covers only bytes ${coverage.start}–${coverage.end} (${coverage.parts} of ${coverage.totalParts} parts); bytes ${coverage.end}–${fileEnd} are not signed.`,
        location: span(coverage.end, fileEnd),
      });
    }
    return verdict;
  }
  // A key id naming a trusted key whose check fails means the signature bytes were damaged.
  const named = keyId !== null ? keys.find((key) => equalBytes(key.defaultKeyId, entry.keyId)) : undefined;
  if (named) {
    verdict.status = 'invalid';
    verdict.problems.push(
      located({
        code: 'bad-signature',
        message: `The signature does not verify with the trusted key it names (${named.source}).`,
      }),
    );
  }
  return verdict;
}

const STATUS_ORDER: SignatureStatus[] = ['valid', 'partial', 'untrusted', 'unsupported'];

function summarise(report: SignatureReport): void {
  const statuses = new Set(report.signatures.map((s) => s.status));
  let status: ReportStatus = STATUS_ORDER.find((s) => statuses.has(s)) ?? 'untrusted';
  // Tampering anywhere outweighs everything but a whole-module signature by a trusted key.
  if (statuses.has('invalid') && status !== 'valid') status = 'invalid';
  if (report.signatures.length === 0) {
    // A section that signs nothing proves nothing; it is broken rather than merely untrusted.
    report.problems.push({
      code: 'malformed-signature-section',
      message: 'The signature section holds no signatures.',
      location: report.section,
      inDetached: report.source === 'detached',
    });
    status = 'malformed';
  }
  if (status === 'valid' && report.preamble && !report.preamble.consistent) {
    status = 'invalid';
    report.problems.push({
      code: 'preamble-mismatch',
      message: report.preamble.message ?? 'The preamble does not match the module.',
      location: span(0, 8),
    });
  }
  report.status = status;
  report.valid = status === 'valid';
}

function span(start: number, end: number): ByteSpan {
  return { kind: 'binary', offset: start, length: end - start };
}
