/** Shared wording for the three signature rules: how to name a signer. */
import type { SignatureVerdict } from '../../signing';

export function signerName(verdict: SignatureVerdict): string {
  if (verdict.keyIdText) return `key id "${verdict.keyIdText}"`;
  if (verdict.keyId) return `key id ${verdict.keyId}`;
  return 'a signer without a key id';
}
