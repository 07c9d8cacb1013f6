/** A verification result as plain text: for the CLI's output and the editor's Output channel. */
import type { VerifyFileResult } from './files';

const STATUS_TEXT: Record<string, string> = {
  valid: 'VALID: a trusted key signed the whole module',
  partial: 'NOT VALID (partial): a trusted key signed only part of the module',
  untrusted: 'NOT VALID: signed, but by no trusted key',
  invalid: 'NOT VALID: the module or its signature was changed',
  unsigned: 'NOT VALID: the module is not signed',
  malformed: 'NOT VALID: the module or its signature section is malformed',
  unsupported: 'NOT VALID: the signature uses an unsupported version or algorithm',
};

export function describeVerification(file: string, result: Omit<VerifyFileResult, 'ok'>): string {
  const { report } = result;
  const lines = [`${file}: ${STATUS_TEXT[report.status] ?? report.status}`];
  if (report.source)
    lines.push(
      `  signature: ${report.source}${report.section ? ` (bytes ${report.section.offset}–${report.section.offset + report.section.length})` : ''}`,
    );
  if (report.signed)
    lines.push(
      `  signable content: bytes ${report.content.start}–${report.content.end}, ${report.content.parts} part(s); the 8-byte preamble is never signed`,
    );
  for (const s of report.signatures) {
    const id = s.keyIdText ? `key id "${s.keyIdText}"` : s.keyId ? `key id ${s.keyId}` : 'no key id';
    const by = s.verifiedBy ? `by ${s.verifiedBy.source} (${s.verifiedBy.fingerprint})` : 'by no trusted key';
    const covers = s.coverage
      ? `covers bytes ${s.coverage.start}–${s.coverage.end} (${s.coverage.parts}/${s.coverage.totalParts} parts)`
      : 'covers nothing (hashes do not match)';
    lines.push(`  - ${s.status.toUpperCase()}: ${s.algorithmName}, ${id}, ${by}, ${covers}`);
    for (const p of s.problems) lines.push(`      ${p.message}`);
  }
  for (const p of report.problems) {
    if (p.code === 'no-signature' && report.status === 'unsigned') continue;
    lines.push(
      `  ! ${p.message}${p.location ? ` [${p.inDetached ? 'signature file ' : ''}byte ${p.location.offset}]` : ''}`,
    );
  }
  if (result.claims) {
    const c = result.claims;
    lines.push(
      `  wasmCloud claims: ${c.valid ? 'VALID' : 'NOT VALID'}, issuer ${c.issuer ?? '?'}${c.name ? `, name "${c.name}"` : ''}`,
    );
    for (const p of c.problems) lines.push(`      ${p}`);
  }
  return `${lines.join('\n')}\n`;
}
