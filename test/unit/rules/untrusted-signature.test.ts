import { ruleTester } from './ruleTester';
import { SIGNED, signedExcept } from './signatureVectors';

// The finding is on the untrusted signer's signature in the signature section.
ruleTester('untrusted-signature', {
  valid: signedExcept(SIGNED.untrusted, SIGNED.untrustedRelaxed),
  invalid: [
    {
      ...SIGNED.untrusted,
      findings: [
        {
          severity: 'error',
          message:
            'The module is signed by key id 95b7883f78b637231e4ca40f, which is none of the 1 trusted keys in the policy.',
          where: [60, 80],
          data: { problem: 'untrusted', keyId: '95b7883f78b637231e4ca40f' },
        },
      ],
    },
    {
      // Lowered by the policy; a printable key id is shown as text.
      ...SIGNED.untrustedRelaxed,
      findings: [
        {
          severity: 'warning',
          message:
            'The module is signed by key id "first", which is none of the 1 trusted keys in the policy.',
          where: [125, 73],
          data: { problem: 'untrusted', keyId: '6669727374' },
        },
      ],
    },
  ],
});
