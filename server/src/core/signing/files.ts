/**
 * File-level signing, verifying and key generation: what the CLI and the editor commands share.
 * Each module is read once; outputs are written atomically (temporary file, then rename), and
 * secret keys only where asked, readable by the owner alone. Failures are values with a message.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { compileWatForSandbox } from '../wat/moduleBytes';
import {
  generateKeyPair,
  loadPublicKeys,
  loadSecretKey,
  type PublicKeyInfo,
  type SecretKeyInfo,
} from './keys';
import { signModule, type KeyIdChoice } from './sign';
import { verifyModuleSignatures, type SignatureReport } from './verify';
import { verifyWasmCloudClaims, type ClaimsReport } from './wascap';

export type FileFailure = { ok: false; error: string; needsPassphrase?: boolean };

export interface SignFileRequest {
  /** A `.wasm` file, or a `.wat` file (compiled first; the `.wasm` is written next to it). */
  input: string;
  secretKeys: string[];
  passphrase?: string;
  /** Where to write the module; defaults to the input (`.wasm`) or the compiled `.wasm` beside a `.wat`. */
  output?: string;
  /** Write a detached signature here instead of embedding it. */
  detached?: string;
  keyId?: KeyIdChoice;
}

export interface SignFileResult {
  ok: true;
  /** The module file written (null when detached signing left the module as it was). */
  moduleWritten: string | null;
  signatureWritten: string | null;
  /** The `.wat` that was compiled, when the input was text. */
  compiledFrom?: string;
  parts: number;
  /** Fingerprints of the signing keys (never the keys). */
  signers: string[];
  bytes: number;
}

export async function signFile(request: SignFileRequest): Promise<SignFileResult | FileFailure> {
  const keys: SecretKeyInfo[] = [];
  for (const file of request.secretKeys) {
    const loaded = loadSecretKey(file, request.passphrase);
    if (!loaded.ok) return loaded;
    keys.push(loaded.key);
  }
  if (keys.length === 0) return { ok: false, error: 'no secret key given' };
  const isWat = /\.wat$/i.test(request.input);
  const source = await readBytes(request.input);
  if (!source.ok) return source;
  let bytes = source.bytes;
  if (isWat) {
    const compiled = await compileWatForSandbox(Buffer.from(bytes).toString('utf8'), request.input);
    if ('error' in compiled) return { ok: false, error: compiled.error };
    bytes = compiled;
  }
  let existingDetached: Uint8Array | undefined;
  if (request.detached) {
    // Signing onto an existing detached signature adds a signer, as re-signing does embedded.
    const previous = await readBytes(request.detached);
    if (previous.ok) existingDetached = previous.bytes;
  }
  const result = signModule(bytes, keys, {
    detached: !!request.detached,
    keyId: request.keyId,
    existingDetached,
  });
  if (!result.ok) return { ok: false, error: `${request.input}: ${result.problem.message}` };

  const moduleTarget = request.output ?? (isWat ? request.input.replace(/\.wat$/i, '.wasm') : request.input);
  const outputLength = result.moduleParts.reduce((n, part) => n + part.length, 0);
  // Detached signing changes the module only when it removes an embedded signature section.
  const moduleChanged = isWat || request.output !== undefined || outputLength !== bytes.length;
  const written: { module: string | null; signature: string | null } = { module: null, signature: null };
  try {
    if (request.detached) {
      await writeAtomically(request.detached, [result.signature]);
      written.signature = request.detached;
    }
    if (!request.detached || moduleChanged) {
      await writeAtomically(moduleTarget, result.moduleParts);
      written.module = moduleTarget;
    }
  } catch (error) {
    return { ok: false, error: `cannot write: ${(error as Error).message}` };
  }
  return {
    ok: true,
    moduleWritten: written.module,
    signatureWritten: written.signature,
    compiledFrom: isWat ? request.input : undefined,
    parts: result.parts,
    signers: keys.map((k) => Buffer.from(k.publicKey.raw.subarray(0, 8)).toString('hex')),
    bytes: outputLength,
  };
}

export interface VerifyFileRequest {
  input: string;
  publicKeys: string[];
  /** A detached signature file. */
  signature?: string;
}

export interface VerifyFileResult {
  ok: true;
  report: SignatureReport;
  /** wasmCloud claims, when the module carries them. */
  claims: ClaimsReport | null;
  /** The trusted keys that were loaded, by file (for display). */
  keys: Array<{ source: string; fingerprint: string }>;
}

export async function verifyFile(request: VerifyFileRequest): Promise<VerifyFileResult | FileFailure> {
  const keys: PublicKeyInfo[] = [];
  for (const file of request.publicKeys) {
    const loaded = loadPublicKeys(file);
    if (!loaded.ok) return loaded;
    keys.push(...loaded.key);
  }
  const module = await readBytes(request.input);
  if (!module.ok) return module;
  let detachedSignature: Uint8Array | undefined;
  if (request.signature) {
    const sig = await readBytes(request.signature);
    if (!sig.ok) return sig;
    detachedSignature = sig.bytes;
  }
  const report = verifyModuleSignatures(module.bytes, { publicKeys: keys, detachedSignature });
  const claims = verifyWasmCloudClaims(module.bytes);
  return {
    ok: true,
    report,
    claims: claims.present ? claims : null,
    keys: keys.map((k) => ({
      source: k.source,
      fingerprint: Buffer.from(k.raw.subarray(0, 8)).toString('hex'),
    })),
  };
}

export interface KeygenRequest {
  secretKey: string;
  publicKey: string;
  format: 'compact' | 'pem';
  /** Encrypts the PEM secret key (PKCS#8). */
  passphrase?: string;
  /** Replace existing files (never by default: losing a release key is not undoable). */
  force?: boolean;
}

export async function generateKeyFiles(
  request: KeygenRequest,
): Promise<{ ok: true; fingerprint: string } | FileFailure> {
  if (request.passphrase && request.format === 'compact') {
    return {
      ok: false,
      error: 'compact (wasmsign2) key files cannot be encrypted; use --format pem with a passphrase',
    };
  }
  if (path.resolve(request.secretKey) === path.resolve(request.publicKey)) {
    return { ok: false, error: 'the secret and public key files must differ' };
  }
  const pair = generateKeyPair(request.format, request.passphrase);
  const flag = request.force ? 'w' : 'wx';
  try {
    await fsp.writeFile(request.secretKey, pair.secretKeyFile, { mode: 0o600, flag });
    // `mode` applies only to new files; an overwritten file keeps its old permissions otherwise.
    await fsp.chmod(request.secretKey, 0o600);
  } catch (error) {
    return { ok: false, error: describeWriteError(request.secretKey, error) };
  }
  try {
    await fsp.writeFile(request.publicKey, pair.publicKeyFile, { mode: 0o644, flag });
  } catch (error) {
    await fsp.rm(request.secretKey, { force: true });
    return { ok: false, error: describeWriteError(request.publicKey, error) };
  }
  return { ok: true, fingerprint: Buffer.from(pair.secretKey.publicKey.raw.subarray(0, 8)).toString('hex') };
}

function describeWriteError(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EEXIST') return `${file} already exists (use --force to replace it)`;
  return `cannot write ${file}: ${code ?? (error as Error).message}`;
}

async function readBytes(file: string): Promise<{ ok: true; bytes: Uint8Array } | FileFailure> {
  try {
    return { ok: true, bytes: await fsp.readFile(file) };
  } catch (error) {
    return {
      ok: false,
      error: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  }
}

/** Writes the pieces to a temporary file beside `file`, then renames it over `file`. */
async function writeAtomically(file: string, parts: Uint8Array[]): Promise<void> {
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await fsp.open(temporary, 'wx');
    try {
      const { bytesWritten } = await handle.writev(parts);
      const expected = parts.reduce((n, part) => n + part.length, 0);
      if (bytesWritten !== expected)
        throw new Error(`short write to ${file} (${bytesWritten} of ${expected} bytes)`);
    } finally {
      await handle.close();
    }
    await fsp.rename(temporary, file);
  } catch (error) {
    await fsp.rm(temporary, { force: true });
    throw error;
  }
}
