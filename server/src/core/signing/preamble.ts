/**
 * The 8-byte preamble is not covered by any signature (wasmsign2 hashes only sections), so a
 * signed core module can be relabelled as a component (or the reverse) without breaking the
 * signature. This check compares what the preamble claims with what the sections look like.
 */
import { CORE_SECTION_ORDER, hasWasmMagic } from '../module/coreModule';
import { preambleKind, type RawSection } from './sections';

export interface PreambleCheck {
  kind: 'module' | 'component' | 'unknown';
  /** Always false: say so wherever a signature's coverage is shown. */
  covered: false;
  consistent: boolean;
  message?: string;
}

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
      const rank = CORE_SECTION_ORDER[section.id];
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
      if (!hasWasmMagic(bytes, section.contentOffset)) {
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
