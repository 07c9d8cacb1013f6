/**
 * Signing, byte-compatible with wasmsign2 0.2.6: the content is hashed (rolling, per part), the
 * message `"wasmsig" | 1 | 1 | 1 | hashes` is signed with Ed25519, and the signature joins the
 * hash set with the same hashes if one exists (re-signing), or a new set. Embedded output puts the
 * signature section first; detached output returns the section payload and the bare module.
 */
import { sign as ed25519Sign } from 'node:crypto';
import { layoutModule } from './content';
import {
  ALG_ED25519,
  concatBytes,
  encodeCustomSection,
  encodeSignatureData,
  parseSignatureData,
  signedMessage,
  type SignatureData,
  type SignedHashSet,
} from './format';
import { hashParts } from './hash';
import type { SecretKeyInfo } from './keys';
import type { SigningProblem } from './problems';
import { canonicalHeader, SIGNATURE_SECTION, equalBytes } from './sections';

export type KeyIdChoice = { kind: 'none' } | { kind: 'default' } | { kind: 'custom'; id: Uint8Array };

export interface SignOptions {
  /** Key id written with each signature: none (wasmsign2's default), the default HMAC id, or a given one. */
  keyId?: KeyIdChoice;
  /** Return the signature as a detached payload and leave no signature section in the module. */
  detached?: boolean;
  /** A detached signature (section payload) to add the new signatures to. */
  existingDetached?: Uint8Array;
}

export type SignResult =
  | {
      ok: true;
      /** The module to write, signed (embedded) or without any signature section (detached), as pieces
       * (views into the input plus the new section) so a large module is written without a copy. */
      moduleParts: Uint8Array[];
      /** The same module as one buffer, assembled on first use. */
      readonly module: Uint8Array;
      /** The signature section payload (what a detached `.sig` file holds). */
      signature: Uint8Array;
      /** Number of parts (and hashes) the signatures cover. */
      parts: number;
    }
  | { ok: false; problem: SigningProblem };

/** Signs `bytes` with each key in turn (several signers add to the same hash set). */
export function signModule(
  bytes: Uint8Array,
  keys: SecretKeyInfo | SecretKeyInfo[],
  options: SignOptions = {},
): SignResult {
  const layout = layoutModule(bytes);
  if ('code' in layout) return { ok: false, problem: layout };
  const misplaced = layout.problems.find((p) => p.code === 'signature-section-not-first');
  if (misplaced)
    return {
      ok: false,
      problem: { ...misplaced, message: `${misplaced.message} Remove it before signing.` },
    };

  let previous: SignatureData | undefined;
  if (options.existingDetached) {
    const parsed = parseSignatureData(options.existingDetached, 0, true);
    if ('code' in parsed) return { ok: false, problem: parsed };
    previous = parsed;
  }
  if (layout.signatureSection) {
    const section = layout.signatureSection;
    const payloadOffset = section.payloadOffset ?? section.contentOffset;
    const parsed = parseSignatureData(bytes.subarray(payloadOffset, section.end), payloadOffset);
    if ('code' in parsed)
      return {
        ok: false,
        problem: { ...parsed, message: `${parsed.message} Cannot add a signature to it.` },
      };
    previous = previous ? { ...previous, sets: [...previous.sets, ...parsed.sets] } : parsed;
  }

  const hashes = hashParts(bytes, layout.content, layout.contentStart).map((b) => b.hash);
  const message = signedMessage(hashes);
  let sets: Array<Pick<SignedHashSet, 'hashes' | 'signatures'>> = previous?.sets ?? [];
  for (const key of Array.isArray(keys) ? keys : [keys]) {
    const signature = new Uint8Array(ed25519Sign(null, message, key.keyObject));
    const keyId = keyIdFor(key, options.keyId);
    sets = addSignature(sets, hashes, { keyId, algorithm: ALG_ED25519, signature, offset: 0, length: 0 });
  }
  const payload = encodeSignatureData({ sets: sets.map((s) => ({ ...s, offset: 0, length: 0 })) });

  // Sections are written with canonical headers, as wasmsign2 does (and as they were hashed);
  // runs of sections that already are canonical stay one view into the input.
  const contentParts: Uint8Array[] = [];
  let runStart = layout.contentStart;
  let runEnd = runStart;
  for (const section of layout.content) {
    if (section.minimalSize && section.offset === runEnd) {
      runEnd = section.end;
      continue;
    }
    if (runEnd > runStart) contentParts.push(bytes.subarray(runStart, runEnd));
    if (section.minimalSize) runStart = section.offset;
    else {
      contentParts.push(canonicalHeader(section));
      runStart = section.contentOffset;
    }
    runEnd = section.end;
  }
  if (runEnd > runStart) contentParts.push(bytes.subarray(runStart, runEnd));
  const preamble = bytes.subarray(0, 8);
  const moduleParts = options.detached
    ? [preamble, ...contentParts]
    : [preamble, encodeCustomSection(SIGNATURE_SECTION, payload), ...contentParts];
  let joined: Uint8Array | undefined;
  return {
    ok: true,
    moduleParts,
    get module() {
      return (joined ??= concatBytes(moduleParts));
    },
    signature: payload,
    parts: hashes.length,
  };
}

function keyIdFor(key: SecretKeyInfo, choice: KeyIdChoice = { kind: 'none' }): Uint8Array {
  if (choice.kind === 'default') return key.publicKey.defaultKeyId;
  if (choice.kind === 'custom') return choice.id;
  return new Uint8Array(0);
}

type HashSet = Pick<SignedHashSet, 'hashes' | 'signatures'>;

/** Adds a signature to the set with the same hashes (wasmsign2 keeps one set per hash list), or a new set. */
function addSignature(
  sets: HashSet[],
  hashes: Uint8Array[],
  entry: SignedHashSet['signatures'][number],
): HashSet[] {
  const same = (set: HashSet) =>
    set.hashes.length === hashes.length && set.hashes.every((h, i) => equalBytes(h, hashes[i]));
  const index = sets.findIndex(same);
  if (index < 0) return [...sets, { hashes, signatures: [entry] }];
  const existing = sets[index];
  // Ed25519 is deterministic: the same key over the same hashes gives the same bytes; keep one copy.
  if (
    existing.signatures.some(
      (s) => equalBytes(s.signature, entry.signature) && equalBytes(s.keyId, entry.keyId),
    )
  )
    return sets;
  const updated = { hashes: existing.hashes, signatures: [...existing.signatures, entry] };
  return sets.map((set, i) => (i === index ? updated : set));
}

export type DetachResult =
  { ok: true; module: Uint8Array; signature: Uint8Array } | { ok: false; problem: SigningProblem };

/** Moves an embedded signature out of the module (wasmsign2 `detach`): the module without it, and its payload. */
export function detachSignature(bytes: Uint8Array): DetachResult {
  const layout = layoutModule(bytes);
  if ('code' in layout) return { ok: false, problem: layout };
  const section = layout.signatureSection;
  if (!section)
    return {
      ok: false,
      problem: { code: 'no-signature', message: 'The module has no embedded signature section to detach.' },
    };
  return {
    ok: true,
    module: concatBytes([bytes.subarray(0, 8), bytes.subarray(section.end)]),
    signature: bytes.slice(section.payloadOffset ?? section.contentOffset, section.end),
  };
}

/** Puts a detached signature back into the module as its first section (wasmsign2 `attach`). */
export function attachSignature(bytes: Uint8Array, signature: Uint8Array): DetachResult {
  const layout = layoutModule(bytes);
  if ('code' in layout) return { ok: false, problem: layout };
  const parsed = parseSignatureData(signature, 0, true);
  if ('code' in parsed) return { ok: false, problem: parsed };
  const rest = bytes.subarray(layout.contentStart);
  return {
    ok: true,
    module: concatBytes([bytes.subarray(0, 8), encodeCustomSection(SIGNATURE_SECTION, signature), rest]),
    signature,
  };
}
