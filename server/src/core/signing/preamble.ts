/**
 * The 8-byte preamble is not covered by any signature (wasmsign2 hashes only sections), so a
 * signed core module can be relabelled as a component (or the reverse) without breaking the
 * signature. This check compares what the preamble claims with what the sections look like.
 */
import { preambleKind, type RawSection } from './sections';

export interface PreambleCheck {
  kind: 'module' | 'component' | 'unknown';
  /** Always false: say so wherever a signature's coverage is shown. */
  covered: false;
  consistent: boolean;
  message?: string;
}

/** Order of the known core module sections (custom sections excluded), by section id. */
const CORE_ORDER: Record<number, number> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
};
const COMPONENT_MAX_ID = 12;
/** Component sections that nest a whole module or component, so start with `\0asm`. */
const COMPONENT_NESTING_IDS = new Set([1, 4]);

export function checkPreamble(bytes: Uint8Array, content: RawSection[]): PreambleCheck {
  const kind = preambleKind(bytes);
  if (kind === 'unknown') {
    const version = Buffer.from(bytes.subarray(4, 8)).toString('hex');
    return {
      kind,
      covered: false,
      consistent: false,
      message: `Unknown WebAssembly version/layer bytes ${version} in the preamble.`,
    };
  }
  if (kind === 'module') {
    let lastRank = 0;
    for (const section of content) {
      if (section.id === 0) continue;
      const rank = CORE_ORDER[section.id];
      if (rank === undefined || rank <= lastRank) {
        return mismatch(
          kind,
          `section id ${section.id} at offset ${section.offset} cannot appear there in a core module`,
        );
      }
      lastRank = rank;
    }
    return { kind, covered: false, consistent: true };
  }
  for (const section of content) {
    if (section.id > COMPONENT_MAX_ID)
      return mismatch(
        kind,
        `section id ${section.id} at offset ${section.offset} is not a component section`,
      );
    if (COMPONENT_NESTING_IDS.has(section.id)) {
      const head = bytes.subarray(section.contentOffset, section.contentOffset + 4);
      if (head.length < 4 || head[0] !== 0 || head[1] !== 0x61 || head[2] !== 0x73 || head[3] !== 0x6d) {
        return mismatch(
          kind,
          `section ${section.id} at offset ${section.offset} should nest a module or component but does not start with "\\0asm"`,
        );
      }
    }
  }
  return { kind, covered: false, consistent: true };
}

function mismatch(kind: 'module' | 'component', detail: string): PreambleCheck {
  const other = kind === 'module' ? 'a component' : 'a core module';
  return {
    kind,
    covered: false,
    consistent: false,
    message: `The preamble says ${kind === 'module' ? 'core module' : 'component'}, but ${detail}: the sections look like ${other}. The preamble is not signed, so it may have been changed after signing.`,
  };
}
