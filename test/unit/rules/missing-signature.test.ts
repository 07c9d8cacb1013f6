import { ruleTester } from './ruleTester';
import { SIGNED, signedExcept } from './signatureVectors';

const SIGN_IT = 'Sign it with "Wasm Warden: Sign Module" or `wasm-warden sign`.';

// A module-wide finding sits on the 8-byte preamble; a partial one on the unsigned tail.
ruleTester('missing-signature', {
  valid: signedExcept(SIGNED.unsignedRequired, SIGNED.unsignedRuleOn, SIGNED.partial),
  invalid: [
    {
      ...SIGNED.unsignedRequired,
      findings: [
        {
          severity: 'error',
          message: `The module is not signed, but the policy requires a signature. ${SIGN_IT}`,
          where: [0, 8],
          data: { problem: 'missing' },
        },
      ],
    },
    {
      // Turned on by the user without requiring signatures: a reminder, at the rule's setting.
      ...SIGNED.unsignedRuleOn,
      findings: [{ severity: 'info', message: `The module is not signed. ${SIGN_IT}`, where: [0, 8] }],
    },
    {
      // A signed prefix with an unsigned tail, without allowPartial.
      ...SIGNED.partial,
      findings: [
        {
          severity: 'error',
          message:
            'The signature covers only bytes 329–703 of 802; the rest (1 of 3 parts) is unsigned and can be changed without breaking it; the policy does not allow partial signatures.',
          where: [703, 99],
          data: { problem: 'partial', signedEnd: 703 },
        },
      ],
    },
  ],
});
