/**
 * Locates the parts of a module that signing and verification share: the embedded signature
 * section (which must be first), the content sections after it, and their rolling hashes.
 */
import { isSignatureSection, walkSections, type RawSection } from './sections';
import type { SigningProblem } from './problems';

export interface ModuleLayout {
  /** The embedded signature section, when the first section is one. */
  signatureSection?: RawSection;
  /** Sections covered by signatures, in file order. */
  content: RawSection[];
  /** Offset where the content starts (right after the signature section, or after the preamble). */
  contentStart: number;
  problems: SigningProblem[];
}

export function layoutModule(bytes: Uint8Array): ModuleLayout | SigningProblem {
  const walk = walkSections(bytes);
  if (walk.problem) return walk.problem;
  const [first, ...rest] = walk.sections;
  const hasSignature = first !== undefined && isSignatureSection(first);
  const content = hasSignature ? rest : walk.sections;
  const problems: SigningProblem[] = [];
  for (const section of content) {
    if (isSignatureSection(section)) {
      problems.push({
        code: 'signature-section-not-first',
        message: `A "signature" section at offset ${section.offset} is not the first section, so it signs nothing; it is treated as ordinary content.`,
        location: { kind: 'binary', offset: section.offset, length: section.end - section.offset },
      });
    }
  }
  return {
    signatureSection: hasSignature ? first : undefined,
    content,
    contentStart: hasSignature ? first.end : 8,
    problems,
  };
}
