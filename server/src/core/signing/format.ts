/**
 * The payload of the `signature` custom section (WebAssembly tool-conventions "Signatures"), laid
 * out exactly as wasmsign2 0.2.6 writes it, including the length prefixes the spec's tables omit:
 *
 *   spec_version u8 | content_type u8 | hash_fn u8 | varuint32 set_count | set*
 *   set       = varuint32 byte_len | varuint32 hash_count | hash[32]* | varuint32 sig_count | sig*
 *   sig       = varuint32 byte_len | varuint32 key_id_len | key_id | alg u8 | varuint32 sig_len | sig
 */
import { ByteReader, encodeVarUint32, MalformedError, reading } from '../module/byteReader';
import type { SigningProblem } from './problems';

export const SPEC_VERSION = 0x01;
export const CONTENT_TYPE_WASM_SECTIONS = 0x01;
export const HASH_SHA256 = 0x01;
export const ALG_ED25519 = 0x01;
export const HASH_LENGTH = 32;
/** Prefix of the signed message: "wasmsig" then spec version, content type and hash function. */
export const MESSAGE_PREFIX = Uint8Array.of(
  ...Buffer.from('wasmsig', 'ascii'),
  SPEC_VERSION,
  CONTENT_TYPE_WASM_SECTIONS,
  HASH_SHA256,
);

export interface SignatureEntry {
  /** Empty when the signer wrote no key id. */
  keyId: Uint8Array;
  algorithm: number;
  signature: Uint8Array;
  /** Where this entry is inside the section payload (offsets relative to the payload's base). */
  offset: number;
  length: number;
}

export interface SignedHashSet {
  hashes: Uint8Array[];
  signatures: SignatureEntry[];
  offset: number;
  length: number;
}

export interface SignatureData {
  specVersion: number;
  contentType: number;
  hashFunction: number;
  sets: SignedHashSet[];
}

/**
 * Parses a signature section payload. `base` is the payload's offset in its file, so problems
 * carry real byte locations. Unknown versions, content types and hash functions stop parsing
 * (the rest cannot be interpreted) and are reported with their own codes.
 */
export function parseSignatureData(
  payload: Uint8Array,
  base: number,
  inDetached = false,
): SignatureData | SigningProblem {
  const malformed = (offset: number, message: string): SigningProblem => ({
    code: 'malformed-signature-section',
    message: `Malformed signature section: ${message}.`,
    location: { kind: 'binary', offset: base + offset, length: 1 },
    inDetached,
  });
  const reader = new ByteReader(payload);
  try {
    const specVersion = reading('spec version', () => reader.u8());
    const contentType = reading('content type', () => reader.u8());
    const hashFunction = reading('hash function', () => reader.u8());
    const unsupported = unsupportedHeader(specVersion, contentType, hashFunction);
    if (unsupported)
      return {
        ...unsupported,
        location: { kind: 'binary', offset: base + unsupported.at, length: 1 },
        inDetached,
      };
    const setCount = reading('signed hash set count', () => reader.varU32());
    const sets: SignedHashSet[] = [];
    for (let s = 0; s < setCount; s++) {
      const setStart = reader.pos;
      const setLength = reading('signed hash set length', () => reader.varU32());
      reading('signed hash set', () => reader.skip(setLength));
      const set = parseSet(new ByteReader(payload, reader.pos - setLength, reader.pos), base);
      sets.push({ ...set, offset: base + setStart, length: reader.pos - setStart });
    }
    if (reader.remaining > 0)
      return malformed(reader.pos, `${reader.remaining} unexpected bytes after the last signed hash set`);
    return { specVersion, contentType, hashFunction, sets };
  } catch (error) {
    if (error instanceof MalformedError) return malformed(error.offset, error.message);
    throw error;
  }
}

/** Why a header cannot be read further, and the index of its byte; undefined when it is known. */
function unsupportedHeader(
  specVersion: number,
  contentType: number,
  hashFunction: number,
): { code: SigningProblem['code']; message: string; at: number } | undefined {
  if (specVersion !== SPEC_VERSION)
    return {
      code: 'unsupported-spec-version',
      message: `Unsupported signature spec version ${specVersion} (only version 1 is known).`,
      at: 0,
    };
  if (contentType !== CONTENT_TYPE_WASM_SECTIONS)
    return {
      code: 'unsupported-content-type',
      message: `Unsupported signature content type ${contentType} (only 1, WebAssembly sections, is known).`,
      at: 1,
    };
  if (hashFunction !== HASH_SHA256)
    return {
      code: 'unsupported-hash-function',
      message: `Unsupported hash function ${hashFunction} (only 1, SHA-256, is known).`,
      at: 2,
    };
  return undefined;
}

/** One signed hash set, the whole window of `reader`; throws MalformedError (offsets in the payload). */
function parseSet(reader: ByteReader, base: number): Omit<SignedHashSet, 'offset' | 'length'> {
  const hashCount = reading('hash count', () => reader.varU32());
  const hashes: Uint8Array[] = [];
  for (let h = 0; h < hashCount; h++) hashes.push(reading('hash', () => reader.bytesView(HASH_LENGTH)));
  const signatureCount = reading('signature count', () => reader.varU32());
  const signatures: SignatureEntry[] = [];
  for (let i = 0; i < signatureCount; i++) {
    const entryStart = reader.pos;
    const entryLength = reading('signature length', () => reader.varU32());
    if (entryLength > reader.remaining) reader.fail('signature entry runs past its hash set', entryStart);
    const entryEnd = reader.pos + entryLength;
    const entry = new ByteReader(reader.bytes, reader.pos, entryEnd);
    const keyId = reading('key id', () => entry.bytesView(entry.varU32()));
    const algorithm = reading('algorithm id', () => entry.u8());
    const signature = reading('signature bytes', () => entry.bytesView(entry.varU32()));
    if (entry.remaining > 0)
      entry.fail(`${entry.remaining} unexpected bytes at the end of a signature entry`);
    signatures.push({
      keyId,
      algorithm,
      signature,
      offset: base + entryStart,
      length: entryEnd - entryStart,
    });
    reader.pos = entryEnd;
  }
  if (reader.remaining > 0)
    reader.fail(`${reader.remaining} unexpected bytes at the end of a signed hash set`);
  return { hashes, signatures };
}

/** Writes the payload bytes wasmsign2 writes for the same data. */
export function encodeSignatureData(data: Pick<SignatureData, 'sets'>): Uint8Array {
  const parts: Uint8Array[] = [
    Uint8Array.of(SPEC_VERSION, CONTENT_TYPE_WASM_SECTIONS, HASH_SHA256),
    encodeVarUint32(data.sets.length),
  ];
  for (const set of data.sets) {
    const setParts: Uint8Array[] = [
      encodeVarUint32(set.hashes.length),
      ...set.hashes,
      encodeVarUint32(set.signatures.length),
    ];
    for (const sig of set.signatures) {
      const entry = concatBytes([
        encodeVarUint32(sig.keyId.length),
        sig.keyId,
        Uint8Array.of(sig.algorithm),
        encodeVarUint32(sig.signature.length),
        sig.signature,
      ]);
      setParts.push(encodeVarUint32(entry.length), entry);
    }
    const setBytes = concatBytes(setParts);
    parts.push(encodeVarUint32(setBytes.length), setBytes);
  }
  return concatBytes(parts);
}

/** The message an Ed25519 signature covers: the prefix followed by every hash of the set. */
export function signedMessage(hashes: Uint8Array[]): Uint8Array {
  return concatBytes([MESSAGE_PREFIX, ...hashes]);
}

/** A custom section: `0 | LEB128(size) | LEB128(name length) | name | payload`. */
export function encodeCustomSection(name: string, payload: Uint8Array): Uint8Array {
  const nameBytes = Buffer.from(name, 'utf8');
  const body = concatBytes([encodeVarUint32(nameBytes.length), nameBytes, payload]);
  return concatBytes([Uint8Array.of(0), encodeVarUint32(body.length), body]);
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}
