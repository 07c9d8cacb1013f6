/** `missing-signature`: an unsigned module, or one whose signature covers only a prefix. */
import { byteSpan } from '../location';
import type { SignatureFixData } from './fixData';
import { createRule } from './rule';

export const missingSignature = createRule({
  meta: {
    id: 'missing-signature',
    description: 'Modules without a signature, or signed only in part, where the policy requires one.',
    rationale:
      'Without a signature nobody can tell whether the module is the one its authors released; an unsigned tail can be swapped freely.',
    defaultSeverity: 'error',
    policyFields: ['signature.required', 'signature.allowPartial'],
    needsCode: false,
    needsSignature: true,
    messages: {
      missing:
        'The module is not signed{{required}}. Sign it with "Wasm Warden: Sign Module" or `wasm-warden sign`.',
      partial:
        'The signature covers only bytes {{start}}–{{end}} of {{size}}; the rest ({{parts}}) is unsigned and can be changed without breaking it{{allow}}.',
    },
  },
  check(context) {
    const check = context.signature;
    if (!check || context.facts.source !== 'binary') return [];
    const { policy } = context;
    const required = policy.signature.required;
    const report = check.report;
    if (!report.signed) {
      // Without a requirement an unsigned module is normal; say so only if the user asked for it.
      if (!required && !context.configured) return [];
      return [
        context.report({
          messageId: 'missing',
          severity: required ? 'error' : 'info',
          location: byteSpan(0, Math.min(8, context.bytes?.length ?? 8)),
          data: { required: required ? ', but the policy requires a signature' : '' },
          decidedBy: policy.signature.decidedBy.required,
          fix: { problem: 'missing' } satisfies SignatureFixData,
        }),
      ];
    }
    if (report.status !== 'partial' || policy.signature.allowPartial) return [];
    const covered = report.signatures.map((s) => s.coverage).find((c) => c && !c.whole);
    if (!covered) return [];
    const size = context.bytes?.length ?? report.content.end;
    return [
      context.report({
        messageId: 'partial',
        severity: required ? 'error' : 'warning',
        location: byteSpan(covered.end, Math.max(0, size - covered.end)),
        data: {
          start: covered.start,
          end: covered.end,
          size,
          parts: `${covered.totalParts - covered.parts} of ${covered.totalParts} parts`,
          allow: policy.signature.decidedBy.allowPartial
            ? '; the policy does not allow partial signatures'
            : '',
        },
        decidedBy: policy.signature.decidedBy.allowPartial ?? policy.signature.decidedBy.required,
        fix: { problem: 'partial', signedEnd: covered.end } satisfies SignatureFixData,
      }),
    ];
  },
});
