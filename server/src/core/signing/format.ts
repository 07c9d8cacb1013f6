/**
 * The payload of the `signature` custom section (WebAssembly tool-conventions "Signatures"), laid
 * out exactly as wasmsign2 0.2.6 writes it, including the length prefixes the spec's tables omit:
 *
 *   spec_version u8 | content_type u8 | hash_fn u8 | varuint32 set_count | set*
 *   set       = varuint32 byte_len | varuint32 hash_count | hash[32]* | varuint32 sig_count | sig*
 *   sig       = varuint32 byte_len | varuint32 key_id_len | key_id | alg u8 | varuint32 sig_len | sig
 */
import { ByteReader, encodeVarUint32, isReadError, type ReadError } from './leb128';
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
  const reader = new ByteReader(payload, 0, payload.length, base);
  const located = (error: ReadError): SigningProblem => ({
    code: 'malformed-signature-section',
    message: `Malformed signature section: ${error.message}.`,
    location: { kind: 'binary', offset: error.offset, length: 1 },
    inDetached,
  });
  const header: number[] = [];
  for (const what of ['spec version', 'content type', 'hash function']) {
    const value = reader.u8(what);
    if (isReadError(value)) return located(value);
    header.push(value);
  }
  const [specVersion, contentType, hashFunction] = header;
  const at = (index: number) => ({ kind: 'binary' as const, offset: base + index, length: 1 });
  if (specVersion !== SPEC_VERSION) {
    return {
      code: 'unsupported-spec-version',
      message: `Unsupported signature spec version ${specVersion} (only version 1 is known).`,
      location: at(0),
      inDetached,
    };
  }
  if (contentType !== CONTENT_TYPE_WASM_SECTIONS) {
    return {
      code: 'unsupported-content-type',
      message: `Unsupported signature content type ${contentType} (only 1, WebAssembly sections, is known).`,
      location: at(1),
      inDetached,
    };
  }
  if (hashFunction !== HASH_SHA256) {
    return {
      code: 'unsupported-hash-function',
      message: `Unsupported hash function ${hashFunction} (only 1, SHA-256, is known).`,
      location: at(2),
      inDetached,
    };
  }
  const setCount = reader.varUint32('signed hash set count');
  if (isReadError(setCount)) return located(setCount);
  const sets: SignedHashSet[] = [];
  for (let s = 0; s < setCount.value; s++) {
    const setStart = reader.position;
    const setLength = reader.varUint32('signed hash set length');
    if (isReadError(setLength)) return located(setLength);
    const setBytes = reader.bytesOf(setLength.value, 'signed hash set');
    if (isReadError(setBytes)) return located(setBytes);
    const set = parseSet(payload, reader.position - setLength.value, reader.position, base);
    if (isReadError(set)) return located(set);
    sets.push({ ...set, offset: base + setStart, length: reader.position - setStart });
  }
  if (reader.remaining > 0) {
    return located({
      offset: reader.offset,
      message: `${reader.remaining} unexpected bytes after the last signed hash set`,
    });
  }
  return { specVersion, contentType, hashFunction, sets };
}

function parseSet(
  payload: Uint8Array,
  start: number,
  end: number,
  base: number,
): Omit<SignedHashSet, 'offset' | 'length'> | ReadError {
  const reader = new ByteReader(payload, start, end, base);
  const hashCount = reader.varUint32('hash count');
  if (isReadError(hashCount)) return hashCount;
  const hashes: Uint8Array[] = [];
  for (let h = 0; h < hashCount.value; h++) {
    const hash = reader.bytesOf(HASH_LENGTH, 'hash');
    if (isReadError(hash)) return hash;
    hashes.push(hash);
  }
  const signatureCount = reader.varUint32('signature count');
  if (isReadError(signatureCount)) return signatureCount;
  const signatures: SignatureEntry[] = [];
  for (let i = 0; i < signatureCount.value; i++) {
    const entryStart = reader.position;
    const entryLength = reader.varUint32('signature length');
    if (isReadError(entryLength)) return entryLength;
    const entryEnd = reader.position + entryLength.value;
    if (entryLength.value > reader.remaining)
      return { offset: base + entryStart, message: 'signature entry runs past its hash set' };
    const entry = new ByteReader(payload, reader.position, entryEnd, base);
    const keyIdLength = entry.varUint32('key id length');
    if (isReadError(keyIdLength)) return keyIdLength;
    const keyId = entry.bytesOf(keyIdLength.value, 'key id');
    if (isReadError(keyId)) return keyId;
    const algorithm = entry.u8('algorithm id');
    if (isReadError(algorithm)) return algorithm;
    const signatureLength = entry.varUint32('signature bytes length');
    if (isReadError(signatureLength)) return signatureLength;
    const signature = entry.bytesOf(signatureLength.value, 'signature bytes');
    if (isReadError(signature)) return signature;
    if (entry.remaining > 0)
      return {
        offset: entry.offset,
        message: `${entry.remaining} unexpected bytes at the end of a signature entry`,
      };
    signatures.push({
      keyId,
      algorithm,
      signature,
      offset: base + entryStart,
      length: entryEnd - entryStart,
    });
    reader.position = entryEnd;
  }
  if (reader.remaining > 0)
    return {
      offset: reader.offset,
      message: `${reader.remaining} unexpected bytes at the end of a signed hash set`,
    };
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
