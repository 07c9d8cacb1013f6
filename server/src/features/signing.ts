/**
 * Signing requests from the client: sign a module, verify it, generate a key pair. The client
 * sends file paths; key files are read here, never sent back. Afterwards the module's diagnostics
 * follow from the file watcher (the written `.wasm` changes on disk).
 */
import { existsSync } from 'node:fs';
import type { Connection } from 'vscode-languageserver';
import { nodeFileSystem } from '../core/policy/fileSystem';
import { PolicyResolver } from '../core/policy/resolver';
import { describeVerification } from '../core/signing/describe';
import { generateKeyFiles, signFile, verifyFile } from '../core/signing/files';
import type { KeyIdChoice } from '../core/signing/sign';
import {
  GenerateKeyPairRequest,
  SignModuleRequest,
  VerifySignatureRequest,
  type GenerateKeyPairParams,
  type GenerateKeyPairResult,
  type SignModuleParams,
  type SignModuleResult,
  type VerifySignatureParams,
  type VerifySignatureResult,
} from '../protocol/signing';
import { uriToPath } from './fileUris';

function keyIdChoice(keyId: string | undefined): KeyIdChoice {
  if (keyId === undefined || keyId === '' || keyId === 'none') return { kind: 'none' };
  if (keyId === 'default') return { kind: 'default' };
  return { kind: 'custom', id: Buffer.from(keyId, 'utf8') };
}

export async function handleSign(params: SignModuleParams): Promise<SignModuleResult> {
  const file = uriToPath(params.uri);
  if (!file) return { ok: false, error: 'only files on disk can be signed' };
  if (!params.secretKeyPaths?.length) return { ok: false, error: 'no secret key given' };
  const moduleFile = file.replace(/\.wat$/i, '.wasm');
  const result = await signFile({
    input: file,
    secretKeys: params.secretKeyPaths,
    passphrase: params.passphrase,
    detached: params.mode === 'detached' ? (params.signaturePath ?? `${moduleFile}.sig`) : undefined,
    keyId: keyIdChoice(params.keyId),
  });
  if (!result.ok) return result;
  const { ok: _ok, ...rest } = result;
  return { ok: true, ...rest };
}

/** Trusted keys come from the policy that governs the module; the server passes its shared resolver. */
type TrustedKeysOf = (file: string) => string[];
const trustedKeysFromDisk: TrustedKeysOf = (file) =>
  new PolicyResolver(nodeFileSystem).resolve(file).signature.trustedKeys;

export async function handleVerify(
  params: VerifySignatureParams,
  trustedKeysOf: TrustedKeysOf = trustedKeysFromDisk,
): Promise<VerifySignatureResult> {
  const file = uriToPath(params.uri);
  if (!file) return { ok: false, error: 'only files on disk can be verified' };
  let publicKeys = params.publicKeyPaths;
  let keysFrom: 'request' | 'policy' = 'request';
  if (!publicKeys?.length) {
    publicKeys = trustedKeysOf(file);
    keysFrom = 'policy';
  }
  let signature = params.signaturePath;
  if (!signature && existsSync(`${file}.sig`)) signature = `${file}.sig`;
  const result = await verifyFile({ input: file, publicKeys, signature });
  if (!result.ok) return result;
  return summarise(file, result, keysFrom);
}

function summarise(
  file: string,
  result: Extract<Awaited<ReturnType<typeof verifyFile>>, { ok: true }>,
  keysFrom: 'request' | 'policy',
): VerifySignatureResult {
  return {
    ok: true,
    report: result.report,
    claims: result.claims,
    keys: result.keys,
    keysFrom,
    text: describeVerification(file, result),
  };
}

export async function handleGenerateKeyPair(params: GenerateKeyPairParams): Promise<GenerateKeyPairResult> {
  if (!params.secretKeyPath || !params.publicKeyPath)
    return { ok: false, error: 'both key paths are needed' };
  return generateKeyFiles({
    secretKey: params.secretKeyPath,
    publicKey: params.publicKeyPath,
    format: params.format === 'pem' ? 'pem' : 'compact',
    passphrase: params.passphrase || undefined,
    force: params.force,
  });
}

/** Never lets an unexpected failure escape as a thrown error: the client always gets a value. */
function guarded<P, R>(handler: (params: P) => Promise<R>, failed: (message: string) => R) {
  return async (params: P): Promise<R> => {
    try {
      return await handler(params);
    } catch (error) {
      return failed((error as Error)?.message ?? String(error));
    }
  };
}

export function registerSigningFeature(connection: Connection, resolver?: PolicyResolver): void {
  const failure = (error: string) => ({ ok: false as const, error });
  const trustedKeysOf: TrustedKeysOf = resolver
    ? (file) => resolver.resolve(file).signature.trustedKeys
    : trustedKeysFromDisk;
  connection.onRequest(SignModuleRequest.type, guarded(handleSign, failure));
  connection.onRequest(
    VerifySignatureRequest.type,
    guarded((params: VerifySignatureParams) => handleVerify(params, trustedKeysOf), failure),
  );
  connection.onRequest(GenerateKeyPairRequest.type, guarded(handleGenerateKeyPair, failure));
}
