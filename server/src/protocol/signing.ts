/**
 * Custom requests for signing, shared by the client and the server. The client sends paths (of
 * the module and of key files) and, for an encrypted key, the passphrase the user typed; the
 * server reads the files. Secret key material never travels to the client.
 *
 * Each message is declared once as a namespace with its method and typed `type` (see sandbox.ts).
 */
import { RequestType } from 'vscode-languageserver-protocol';
import type { FileFailure, SignFileResult } from '../core/signing/files';
import type { ClaimsReport } from '../core/signing/wascap';
import type { SignatureReport } from '../core/signing/verify';

export type SigningMode = 'embedded' | 'detached';

export interface SignModuleParams {
  /** The module's URI (file: scheme), `.wasm` or `.wat` (compiled first; the `.wasm` beside it is signed). */
  uri: string;
  secretKeyPaths: string[];
  /** For passphrase-encrypted PKCS#8 keys. */
  passphrase?: string;
  mode: SigningMode;
  /** `none` (default), `default` (wasmsign2's HMAC key id) or any other text as a custom key id. */
  keyId?: string;
  /** Where a detached signature goes; defaults to the module path plus `.sig`. */
  signaturePath?: string;
}

/** What `signFile` returns: the files written and the signers, or why nothing was signed. */
export type SignModuleResult = SignFileResult | FileFailure;

export namespace SignModuleRequest {
  export const method = 'wasmWarden/signing/sign';
  export const type = new RequestType<SignModuleParams, SignModuleResult, void>(method);
}

export interface VerifySignatureParams {
  uri: string;
  /** Trusted public key files; when absent, the `signature.trustedKeys` of the module's policy. */
  publicKeyPaths?: string[];
  /** A detached signature; when absent, `<module>.sig` is used if it exists (checked together with any embedded one). */
  signaturePath?: string;
}

export type VerifySignatureResult =
  | {
      ok: true;
      report: SignatureReport;
      claims: ClaimsReport | null;
      /** Where the trusted keys came from. */
      keysFrom: 'request' | 'policy';
      keys: Array<{ source: string; fingerprint: string }>;
      /** The same verdict as plain text (what `wasm-warden verify` prints). */
      text: string;
    }
  | { ok: false; error: string };

export namespace VerifySignatureRequest {
  export const method = 'wasmWarden/signing/verify';
  export const type = new RequestType<VerifySignatureParams, VerifySignatureResult, void>(method);
}

export interface GenerateKeyPairParams {
  secretKeyPath: string;
  publicKeyPath: string;
  format: 'compact' | 'pem';
  /** Encrypts the secret key (PEM only). */
  passphrase?: string;
  force?: boolean;
}

export type GenerateKeyPairResult = { ok: true; fingerprint: string } | { ok: false; error: string };

export namespace GenerateKeyPairRequest {
  export const method = 'wasmWarden/signing/generateKeyPair';
  export const type = new RequestType<GenerateKeyPairParams, GenerateKeyPairResult, void>(method);
}
