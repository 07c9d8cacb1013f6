/** `untrusted-signature`: the signature matches the module, but no trusted key made it. */
import type { SignatureFixData } from './fixData';
import { createRule } from './rule';
import { signerName } from './support/signatureText';

export const untrustedSignature = createRule({
  meta: {
    id: 'untrusted-signature',
    description: "Signatures that match the module but were made by none of the policy's trusted keys.",
    rationale:
      'Anyone can sign a module; a signature only vouches for it when the key belongs to someone the policy trusts.',
    defaultSeverity: 'warning',
    policyFields: ['signature.trustedKeys', 'signature.required'],
    needsCode: false,
    needsSignature: true,
    messages: {
      untrusted:
        'The module is signed by {{signer}}, which is none of the {{count}} trusted keys in the policy.',
      noKeys:
        'The module is signed by {{signer}}, but the policy lists no trusted keys, so nobody vouches for it.',
    },
  },
  check(context) {
    const check = context.signature;
    if (!check || context.facts.source !== 'binary') return [];
    const { report, trustedKeyCount } = check;
    if (report.status !== 'untrusted') return [];
    const { policy } = context;
    const verdict = report.signatures.find((s) => s.status === 'untrusted') ?? report.signatures[0];
    if (!verdict) return [];
    const noKeys = trustedKeyCount === 0;
    // Trust is only a question when the policy asks for signatures or names keys.
    if (noKeys && !policy.signature.required && !context.configured) return [];
    return [
      context.report({
        messageId: noKeys ? 'noKeys' : 'untrusted',
        severity: policy.signature.required ? 'error' : 'warning',
        location: report.source === 'detached' ? context.facts.location : verdict.location,
        data: { signer: signerName(verdict), count: trustedKeyCount },
        decidedBy: policy.signature.decidedBy.trustedKeys ?? policy.signature.decidedBy.required,
        fix: { problem: 'untrusted', keyId: verdict.keyId } satisfies SignatureFixData,
      }),
    ];
  },
});
