/** Problems found while signing or verifying: located values with a stable code, never exceptions. */
import type { ByteSpan } from '../location';

export type SigningProblemCode =
  | 'not-wasm'
  | 'malformed-module'
  | 'malformed-signature-section'
  | 'signature-section-not-first'
  | 'unsupported-spec-version'
  | 'unsupported-content-type'
  | 'unsupported-hash-function'
  | 'unsupported-algorithm'
  | 'hash-mismatch'
  | 'truncated-content'
  | 'bad-signature'
  | 'partial-coverage'
  | 'preamble-mismatch'
  | 'no-signature';

export interface SigningProblem {
  code: SigningProblemCode;
  message: string;
  /** Where in the module (or in the detached signature file, when `inDetached`) the problem is. */
  location?: ByteSpan;
  inDetached?: boolean;
}
