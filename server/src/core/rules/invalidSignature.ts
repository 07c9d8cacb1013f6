/** `invalid-signature`: a signature that does not match the module: tampered, malformed or unknown. */
import type { Finding } from '../findings';
import { byteSpan } from '../location';
import type { SignatureFixData } from './fixData';
import { createRule } from './rule';
import { signerName } from './support/signatureText';

export const invalidSignature = createRule({
  meta: {
    id: 'invalid-signature',
    description:
      'Signatures that do not verify: the module changed after signing, or the signature is malformed.',
    rationale:
      'A signature that does not match means the module is not what was signed: tampering, corruption or a botched release. It is never safe to ignore.',
    defaultSeverity: 'error',
    policyFields: ['signature.trustedKeys'],
    needsCode: false,
    needsSignature: true,
    messages: {
      tampered: 'Signature by {{signer}} does not verify: {{reason}}',
      broken: "The module's signature does not verify: {{reason}}",
      malformed: 'The signature section cannot be read: {{reason}}',
      unsupported: 'The signature cannot be checked: {{reason}}',
      keyFile: 'A trusted key could not be loaded, so signatures are checked without it: {{reason}}',
    },
  },
  check(context) {
    const check = context.signature;
    if (!check || context.facts.source !== 'binary') return [];
    const report = check.report;
    const findings: Finding[] = [];
    const where = report.section ?? context.facts.location;
    for (const error of check.keyErrors) {
      findings.push(
        context.report({
          messageId: 'keyFile',
          severity: 'warning',
          location: context.facts.location,
          data: { reason: error },
          decidedBy: context.policy.signature.decidedBy.trustedKeys,
        }),
      );
    }
    if (report.status === 'malformed' || report.status === 'unsupported') {
      const problem = report.problems.find((p) => p.code !== 'no-signature');
      findings.push(
        context.report({
          messageId: report.status,
          location: problem?.location && !problem.inDetached ? problem.location : where,
          data: { reason: problem?.message ?? 'no details' },
          fix: { problem: report.status, code: problem?.code ?? null } satisfies SignatureFixData,
        }),
      );
      return findings;
    }
    for (const verdict of report.signatures) {
      if (verdict.status !== 'invalid') continue;
      const problem = verdict.problems[0];
      findings.push(
        context.report({
          messageId: 'tampered',
          location:
            problem?.location && !problem.inDetached
              ? problem.location
              : report.source === 'detached'
                ? context.facts.location
                : verdict.location,
          data: {
            signer: signerName(verdict),
            reason: problem?.message ?? 'the signed hashes do not match the module.',
          },
          fix: {
            problem: 'invalid',
            keyId: verdict.keyId,
            code: problem?.code ?? null,
          } satisfies SignatureFixData,
        }),
      );
    }
    // A misplaced or otherwise broken section with no per-signature verdict still proves nothing.
    if (findings.length === 0 && report.status === 'invalid') {
      const problem = report.problems.find((p) => p.code !== 'no-signature') ?? report.problems[0];
      findings.push(
        context.report({
          messageId: 'broken',
          location: problem?.location ?? byteSpan(0, 8),
          data: { reason: problem?.message ?? 'it does not match the module.' },
          fix: { problem: 'invalid', code: problem?.code ?? null } satisfies SignatureFixData,
        }),
      );
    }
    return findings;
  },
});
