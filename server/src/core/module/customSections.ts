/**
 * Parsers of the custom sections the model exposes: `signature` (WebAssembly module signatures),
 * `producers` (toolchain metadata) and the function-name subsection of `name`. Each reads one
 * payload window and reports its own problems; a broken custom section never stops the module.
 */
import { ByteReader, MalformedError } from './byteReader';
import { ENGINE_LIMITS } from './engineLimits';
import type { ProducersFact, SignatureSectionFact } from './model';
import type { ByteSpan } from '../location';

const HASH_LENGTH = 32; // SHA-256, the only hash function the format defines

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Parses a `signature` section payload [start, end), per the wasm-signatures format. */
export function parseSignatureSection(
  bytes: Uint8Array,
  start: number,
  end: number,
  location: ByteSpan,
): SignatureSectionFact {
  const fact: SignatureSectionFact = {
    specVersion: 0,
    contentType: 0,
    hashFunction: 0,
    signedHashSets: [],
    location,
  };
  const r = new ByteReader(bytes, start, end);
  try {
    fact.specVersion = r.u8();
    fact.contentType = r.u8();
    fact.hashFunction = r.u8();
    if (fact.specVersion !== 1)
      r.fail(`unsupported signature spec version ${fact.specVersion} (only 1 is defined)`, start);
    if (fact.contentType !== 1) r.fail(`unsupported signature content type ${fact.contentType}`, start + 1);
    if (fact.hashFunction !== 1)
      r.fail(`unsupported signature hash function ${fact.hashFunction} (1 = SHA-256)`, start + 2);
    const setCount = r.count(1);
    for (let s = 0; s < setCount; s++) {
      const setLength = r.varU32();
      const set = new ByteReader(bytes, r.pos, r.pos + setLength);
      if (setLength > r.remaining) r.fail(`signed hash set length ${setLength} runs past the section end`);
      r.pos += setLength;
      const hashCount = set.count(HASH_LENGTH);
      const hashes: string[] = [];
      for (let h = 0; h < hashCount; h++) hashes.push(hex(set.bytesView(HASH_LENGTH)));
      const signatureCount = set.count(1);
      const signatures: SignatureSectionFact['signedHashSets'][number]['signatures'] = [];
      for (let g = 0; g < signatureCount; g++) {
        const entryLength = set.varU32();
        if (entryLength > set.remaining) set.fail(`signature length ${entryLength} runs past its hash set`);
        const entry = new ByteReader(bytes, set.pos, set.pos + entryLength);
        set.pos += entryLength;
        const keyIdLength = entry.varU32();
        const keyId = keyIdLength === 0 ? null : hex(entry.bytesView(keyIdLength));
        const algorithm = entry.u8();
        const signatureLength = entry.varU32();
        const signature = hex(entry.bytesView(signatureLength));
        signatures.push({ keyId, algorithm, signature });
      }
      fact.signedHashSets.push({ hashes, signatures });
    }
    if (!r.atEnd()) r.fail(`${r.remaining} unexpected trailing bytes in the signature section`);
  } catch (error) {
    if (!(error instanceof MalformedError)) throw error;
    fact.error = `${error.message} (at byte ${error.offset})`;
    fact.signedHashSets = [];
  }
  return fact;
}

/** Parses a `producers` section payload; returns null and a message when it is malformed. */
export function parseProducersSection(
  bytes: Uint8Array,
  start: number,
  end: number,
): ProducersFact | MalformedError {
  const r = new ByteReader(bytes, start, end);
  const fields: ProducersFact['fields'] = {};
  try {
    const fieldCount = r.count(2);
    for (let f = 0; f < fieldCount; f++) {
      const fieldName = r.name();
      const valueCount = r.count(2);
      const values: Array<{ name: string; version: string }> = [];
      for (let v = 0; v < valueCount; v++) values.push({ name: r.name(), version: r.name() });
      fields[fieldName] = values;
    }
  } catch (error) {
    if (error instanceof MalformedError) return error;
    throw error;
  }
  return { fields };
}

/** Reads the function names (subsection 1) of a `name` section payload; other subsections are skipped by size. */
export function parseFunctionNames(
  bytes: Uint8Array,
  start: number,
  end: number,
): Record<number, string> | MalformedError {
  const r = new ByteReader(bytes, start, end);
  const names: Record<number, string> = {};
  try {
    while (!r.atEnd()) {
      const id = r.u8();
      const size = r.varU32();
      if (size > r.remaining) r.fail(`name subsection size ${size} runs past the section end`);
      const subEnd = r.pos + size;
      if (id === 1) {
        const sub = new ByteReader(bytes, r.pos, subEnd);
        const n = sub.count(2, ENGINE_LIMITS.functionNames);
        for (let i = 0; i < n; i++) {
          const index = sub.varU32();
          names[index] = sub.name();
        }
      }
      r.pos = subEnd;
    }
  } catch (error) {
    if (error instanceof MalformedError) return error;
    throw error;
  }
  return names;
}
