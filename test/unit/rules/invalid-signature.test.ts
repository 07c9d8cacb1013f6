import { ruleTester } from './ruleTester';
import { SIGNED, signedExcept } from './signatureVectors';

// Each finding is at what broke: the changed content, the misplaced section, the version byte of
// the signature section, or the preamble.
ruleTester('invalid-signature', {
  valid: signedExcept(SIGNED.tampered, SIGNED.misplaced, SIGNED.specVersion2, SIGNED.preambleChanged),
  invalid: [
    {
      ...SIGNED.tampered,
      findings: [
        {
          severity: 'error',
          message:
            'Signature by a signer without a key id does not verify: The module changed after it was signed: its content no longer matches the signed hashes.',
          where: [127, 298],
          data: { problem: 'invalid', keyId: null, code: 'hash-mismatch' },
        },
      ],
    },
    {
      ...SIGNED.misplaced,
      findings: [
        {
          severity: 'error',
          message:
            'The module\'s signature does not verify: A "signature" section at offset 306 is not the first section, so it signs nothing; it is treated as ordinary content.',
          where: [306, 119],
          data: { problem: 'invalid', code: 'signature-section-not-first' },
        },
      ],
    },
    {
      ...SIGNED.specVersion2,
      findings: [
        {
          severity: 'error',
          message:
            'The signature cannot be checked: Unsupported signature spec version 2 (only version 1 is known).',
          where: [20, 1],
          data: { problem: 'unsupported', code: 'unsupported-spec-version' },
        },
      ],
    },
    {
      ...SIGNED.preambleChanged,
      findings: [
        {
          severity: 'error',
          message:
            'The module\'s signature does not verify: The preamble says component, but section 1 at offset 127 should nest a module or component but does not start with "\\0asm": the sections look like a core module. The preamble is not signed, so it may have been changed after signing.',
          where: [0, 8],
          data: { problem: 'invalid', code: 'preamble-mismatch' },
        },
      ],
    },
  ],
});
