/** WebAssembly module signatures: the one import for the rules, the CLI and the server. */
export {
  signModule,
  detachSignature,
  attachSignature,
  type SignOptions,
  type SignResult,
  type KeyIdChoice,
  type DetachResult,
} from './sign';
export {
  verifyModuleSignatures,
  type VerifyOptions,
  type SignatureReport,
  type SignatureVerdict,
  type SignatureStatus,
  type ReportStatus,
  type Coverage,
} from './verify';
export {
  loadPublicKey,
  loadPublicKeys,
  loadSecretKey,
  generateKeyPair,
  defaultKeyId,
  fingerprint,
  type PublicKeyInfo,
  type SecretKeyInfo,
  type KeyResult,
  type KeyFormat,
} from './keys';
export type { SigningProblem, SigningProblemCode } from './problems';
export type { PreambleCheck } from './preamble';
export { verifyWasmCloudClaims, decodeNkey, type ClaimsReport } from './wascap';
