/**
 * Splits a module (or component) into its top-level sections without decoding them: enough to
 * find the signature section, the delimiters and the byte ranges that are hashed. One cheap pass
 * over the section headers; section contents are never copied.
 */
import { hasWasmMagic } from '../module/coreModule';
import { ByteReader, encodeVarUint32, isMinimalLeb, MalformedError, reading } from '../module/byteReader';
import type { SigningProblem } from './problems';

export const SIGNATURE_SECTION = 'signature';
export const DELIMITER_SECTION = 'signature_delimiter';
export const PREAMBLE_LENGTH = 8;

export const MODULE_PREAMBLE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
export const COMPONENT_PREAMBLE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00);

export interface RawSection {
  id: number;
  /** Offset of the section id byte. */
  offset: number;
  /** Offset of the first content byte (after the size). */
  contentOffset: number;
  /** Offset just past the content. */
  end: number;
  /** Whether the size was written in the fewest LEB128 bytes (then the raw header is canonical). */
  minimalSize: boolean;
  /** Custom sections (id 0): their name, and where the payload after the name starts. */
  name?: string;
  payloadOffset?: number;
}

export interface SectionWalk {
  sections: RawSection[];
  /** Set when the bytes stop being a sequence of well-formed sections; `sections` holds those before it. */
  problem?: SigningProblem;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function walkSections(bytes: Uint8Array): SectionWalk {
  if (bytes.length < PREAMBLE_LENGTH || !hasWasmMagic(bytes)) {
    return {
      sections: [],
      problem: {
        code: 'not-wasm',
        message: 'Not a WebAssembly binary: it does not start with the 8-byte "\\0asm" preamble.',
        location: { kind: 'binary', offset: 0, length: Math.min(bytes.length, PREAMBLE_LENGTH) },
      },
    };
  }
  const sections: RawSection[] = [];
  const reader = new ByteReader(bytes, PREAMBLE_LENGTH);
  while (reader.remaining > 0) {
    const offset = reader.pos;
    const id = reader.u8();
    let size: number;
    try {
      size = reading('section size', () => reader.varU32());
    } catch (error) {
      if (!(error instanceof MalformedError)) throw error;
      return { sections, problem: malformed(offset, bytes.length - offset, error.message) };
    }
    const contentOffset = reader.pos;
    if (size > reader.remaining) {
      return {
        sections,
        problem: malformed(
          offset,
          bytes.length - offset,
          `section ${id} at offset ${offset} declares ${size} bytes but only ${reader.remaining} remain (truncated module?)`,
        ),
      };
    }
    const end = contentOffset + size;
    const minimalSize = isMinimalLeb(bytes, offset + 1, contentOffset);
    const section: RawSection = { id, offset, contentOffset, end, minimalSize };
    if (id === 0) {
      const names = new ByteReader(bytes, contentOffset, end);
      let nameBytes: Uint8Array;
      try {
        nameBytes = reading('custom section name', () => names.bytesView(names.varU32()));
      } catch (error) {
        if (!(error instanceof MalformedError)) throw error;
        return {
          sections,
          problem: malformed(offset, end - offset, `custom section at offset ${offset}: ${error.message}`),
        };
      }
      try {
        section.name = utf8.decode(nameBytes);
      } catch {
        return {
          sections,
          problem: malformed(
            offset,
            end - offset,
            `custom section at offset ${offset} has a name that is not UTF-8`,
          ),
        };
      }
      section.payloadOffset = names.pos;
    }
    sections.push(section);
    reader.pos = end;
  }
  return { sections };
}

function malformed(offset: number, length: number, message: string): SigningProblem {
  return {
    code: 'malformed-module',
    message: `Malformed module: ${message}.`,
    location: { kind: 'binary', offset, length },
  };
}

export function isSignatureSection(section: RawSection): boolean {
  return section.id === 0 && section.name === SIGNATURE_SECTION;
}

export function isDelimiter(section: RawSection): boolean {
  return section.id === 0 && section.name === DELIMITER_SECTION;
}

export function preambleKind(bytes: Uint8Array): 'module' | 'component' | 'unknown' {
  if (bytes.length < PREAMBLE_LENGTH) return 'unknown';
  const head = bytes.subarray(0, PREAMBLE_LENGTH);
  if (equalBytes(head, MODULE_PREAMBLE)) return 'module';
  if (equalBytes(head, COMPONENT_PREAMBLE)) return 'component';
  return 'unknown';
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The canonical encoding of a section header (`id | LEB128(size)` minimal), as the signer hashes it. */
export function canonicalHeader(section: RawSection): Uint8Array {
  return Uint8Array.of(section.id, ...encodeVarUint32(section.end - section.contentOffset));
}
