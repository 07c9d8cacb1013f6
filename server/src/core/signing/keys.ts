/**
 * Ed25519 keys in the formats release engineers have: wasmsign2's compact files (33-byte public
 * `0x01 ‖ pk`, 65-byte secret `0x81 ‖ seed ‖ pk`), PEM and DER (SPKI / PKCS#8, optionally
 * passphrase-encrypted), OpenSSH `ssh-ed25519` public keys. Everything goes through Node's
 * `crypto` KeyObjects; raw secret bytes are never kept or returned. Loading never throws: a bad
 * key is an error value saying what is wrong.
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';

export const COMPACT_PUBLIC_PREFIX = 0x01;
export const COMPACT_SECRET_PREFIX = 0x81;
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export type KeyFormat = 'compact' | 'pem' | 'der' | 'openssh' | 'raw';

export interface PublicKeyInfo {
  keyObject: KeyObject;
  /** The 32-byte Ed25519 public key. */
  raw: Uint8Array;
  /** wasmsign2's default key id: HMAC-SHA256(key = raw public key, msg = "key_id")[0..12]. */
  defaultKeyId: Uint8Array;
  /** Where it came from (a path, or a label such as `bytes`), for messages. */
  source: string;
  format: KeyFormat;
}

export interface SecretKeyInfo {
  keyObject: KeyObject;
  publicKey: PublicKeyInfo;
  source: string;
}

export type KeyResult<T> =
  | { ok: true; key: T }
  | {
      ok: false;
      error: string;
      /** The key is encrypted and no passphrase (or a wrong one) was given: ask for one. */
      needsPassphrase?: boolean;
    };

export function defaultKeyId(rawPublicKey: Uint8Array): Uint8Array {
  return createHmac('sha256', rawPublicKey).update('key_id').digest().subarray(0, 12);
}

/** A short printable fingerprint: hex of the first 8 bytes of the raw public key. */
export function fingerprint(key: PublicKeyInfo): string {
  return Buffer.from(key.raw.subarray(0, 8)).toString('hex');
}

export function publicKeyFromRaw(
  raw: Uint8Array,
  source: string,
  format: KeyFormat,
): KeyResult<PublicKeyInfo> {
  if (raw.length !== 32)
    return { ok: false, error: `${source}: an Ed25519 public key has 32 bytes, not ${raw.length}.` };
  try {
    const keyObject = createPublicKey({
      key: Buffer.concat([SPKI_ED25519_PREFIX, raw]),
      format: 'der',
      type: 'spki',
    });
    return { ok: true, key: describePublic(keyObject, source, format) };
  } catch (error) {
    return { ok: false, error: `${source}: not a valid Ed25519 public key (${(error as Error).message}).` };
  }
}

function describePublic(keyObject: KeyObject, source: string, format: KeyFormat): PublicKeyInfo {
  const raw = Buffer.from(keyObject.export({ format: 'jwk' }).x as string, 'base64url');
  return { keyObject, raw, defaultKeyId: defaultKeyId(raw), source, format };
}

/** Reads a public key file (or bytes) in any supported format. */
export function loadPublicKey(input: string | Uint8Array, label?: string): KeyResult<PublicKeyInfo> {
  const keys = loadPublicKeys(input, label);
  return keys.ok ? { ok: true, key: keys.key[0] } : keys;
}

/** Like `loadPublicKey`, but returns every key of a file that holds several (OpenSSH `authorized_keys` style). */
export function loadPublicKeys(input: string | Uint8Array, label?: string): KeyResult<PublicKeyInfo[]> {
  const read = readInput(input, label);
  if (!read.ok) return read;
  const { bytes, source } = read.key;
  const text = asText(bytes);
  if (text !== null) {
    if (/-----BEGIN (ENCRYPTED |OPENSSH |EC |RSA )?PRIVATE KEY-----/.test(text)) {
      return { ok: false, error: `${source} holds a secret key; give the public key file instead.` };
    }
    if (text.includes('-----BEGIN PUBLIC KEY-----'))
      return single(fromKeyObject(() => createPublicKey(text), source, 'pem'));
    const sshLines = text
      .split(/\r?\n/)
      .filter((line) => /^\s*(\S+\s+)?ssh-/.test(line) && !line.trim().startsWith('#'));
    if (sshLines.length > 0) {
      const keys: PublicKeyInfo[] = [];
      for (const line of sshLines) {
        const parsed = parseOpenSshLine(line, source);
        if (!parsed.ok) return parsed;
        if (parsed.key) keys.push(parsed.key);
      }
      if (keys.length === 0)
        return {
          ok: false,
          error: `${source}: no ssh-ed25519 key in this file (other OpenSSH key types are not Ed25519).`,
        };
      return { ok: true, key: keys };
    }
  }
  if (bytes.length === 33 && bytes[0] === COMPACT_PUBLIC_PREFIX)
    return single(publicKeyFromRaw(bytes.subarray(1), source, 'compact'));
  if (bytes.length === 65 && bytes[0] === COMPACT_SECRET_PREFIX) {
    return { ok: false, error: `${source} is a wasmsign2 secret key; give the public key file instead.` };
  }
  if (bytes.length === 32) return single(publicKeyFromRaw(bytes, source, 'raw'));
  if (bytes[0] === 0x30) {
    return single(
      fromKeyObject(
        () => createPublicKey({ key: Buffer.from(bytes), format: 'der', type: 'spki' }),
        source,
        'der',
      ),
    );
  }
  return {
    ok: false,
    error: `${source}: not a recognised public key (expected wasmsign2 compact, PEM, DER or OpenSSH ssh-ed25519).`,
  };
}

function single(result: KeyResult<PublicKeyInfo>): KeyResult<PublicKeyInfo[]> {
  return result.ok ? { ok: true, key: [result.key] } : result;
}

function fromKeyObject(make: () => KeyObject, source: string, format: KeyFormat): KeyResult<PublicKeyInfo> {
  let keyObject: KeyObject;
  try {
    keyObject = make();
  } catch (error) {
    return { ok: false, error: `${source}: cannot read the public key (${(error as Error).message}).` };
  }
  if (keyObject.asymmetricKeyType !== 'ed25519') {
    return {
      ok: false,
      error: `${source}: a ${keyObject.asymmetricKeyType} key; only Ed25519 keys sign WebAssembly modules.`,
    };
  }
  return { ok: true, key: describePublic(keyObject, source, format) };
}

/**
 * One OpenSSH public key line: `[options] ssh-ed25519 BASE64 [comment]`. The base64 blob is the
 * SSH wire format: string "ssh-ed25519", string pk (each a uint32 big-endian length and bytes).
 * Other key types yield `key: undefined` (skipped), a broken ed25519 line is an error.
 */
function parseOpenSshLine(
  line: string,
  source: string,
): { ok: true; key?: PublicKeyInfo } | { ok: false; error: string } {
  const fields = line.trim().split(/\s+/);
  const typeIndex = fields.findIndex(
    (f) => f.startsWith('ssh-') || f.startsWith('ecdsa-') || f.startsWith('sk-'),
  );
  if (typeIndex < 0 || fields[typeIndex] !== 'ssh-ed25519') return { ok: true };
  const blob = Buffer.from(fields[typeIndex + 1] ?? '', 'base64');
  const strings: Buffer[] = [];
  let at = 0;
  while (at + 4 <= blob.length && strings.length < 2) {
    const length = blob.readUInt32BE(at);
    if (at + 4 + length > blob.length) break;
    strings.push(blob.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  if (strings.length !== 2 || strings[0].toString('latin1') !== 'ssh-ed25519' || at !== blob.length) {
    return {
      ok: false,
      error: `${source}: malformed ssh-ed25519 key (the base64 data is not an SSH Ed25519 public key blob).`,
    };
  }
  return publicKeyFromRaw(strings[1], source, 'openssh');
}

/** Reads a secret key file (or bytes). Encrypted PKCS#8 needs `passphrase`; without it the result says so. */
export function loadSecretKey(
  input: string | Uint8Array,
  passphrase?: string,
  label?: string,
): KeyResult<SecretKeyInfo> {
  const read = readInput(input, label);
  if (!read.ok) return read;
  const { bytes, source } = read.key;
  const text = asText(bytes);
  if (bytes.length === 65 && bytes[0] === COMPACT_SECRET_PREFIX) {
    const seed = bytes.subarray(1, 33);
    const storedPublic = bytes.subarray(33);
    const made = secretFromKeyObject(
      () =>
        createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }),
      source,
    );
    if (made.ok && !Buffer.from(made.key.publicKey.raw).equals(storedPublic)) {
      return {
        ok: false,
        error: `${source}: corrupt wasmsign2 secret key (its public half does not match its seed).`,
      };
    }
    return made;
  }
  if (text !== null) {
    if (text.includes('-----BEGIN OPENSSH PRIVATE KEY-----')) {
      return {
        ok: false,
        error: `${source}: OpenSSH secret keys are not supported; use a PKCS#8 PEM or wasmsign2 key (wasm-warden keygen).`,
      };
    }
    if (text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
      if (!passphrase)
        return { ok: false, error: `${source} is encrypted: a passphrase is needed.`, needsPassphrase: true };
      return secretFromKeyObject(
        () => createPrivateKey({ key: text, format: 'pem', passphrase }),
        source,
        true,
      );
    }
    if (text.includes('-----BEGIN PRIVATE KEY-----'))
      return secretFromKeyObject(() => createPrivateKey({ key: text, format: 'pem' }), source);
    if (text.includes('-----BEGIN PUBLIC KEY-----') || /ssh-ed25519 /.test(text)) {
      return { ok: false, error: `${source} is a public key; signing needs the secret key.` };
    }
  }
  if (bytes.length === 33 && bytes[0] === COMPACT_PUBLIC_PREFIX) {
    return { ok: false, error: `${source} is a wasmsign2 public key; signing needs the secret key.` };
  }
  if (bytes[0] === 0x30) {
    const der = Buffer.from(bytes);
    return secretFromKeyObject(
      () =>
        createPrivateKey(
          passphrase
            ? { key: der, format: 'der', type: 'pkcs8', passphrase }
            : { key: der, format: 'der', type: 'pkcs8' },
        ),
      source,
      !!passphrase,
    );
  }
  return {
    ok: false,
    error: `${source}: not a recognised secret key (expected wasmsign2 compact, PKCS#8 PEM or DER).`,
  };
}

function secretFromKeyObject(
  make: () => KeyObject,
  source: string,
  encrypted = false,
): KeyResult<SecretKeyInfo> {
  let keyObject: KeyObject;
  try {
    keyObject = make();
  } catch (error) {
    const message = (error as Error).message;
    if (encrypted)
      return {
        ok: false,
        error: `${source}: cannot decrypt the key (wrong passphrase?).`,
        needsPassphrase: true,
      };
    if (/passphrase/i.test(message))
      return { ok: false, error: `${source} is encrypted: a passphrase is needed.`, needsPassphrase: true };
    // Node's messages about key parsing never include key bytes.
    return { ok: false, error: `${source}: cannot read the secret key (${message}).` };
  }
  if (keyObject.asymmetricKeyType !== 'ed25519') {
    return {
      ok: false,
      error: `${source}: a ${keyObject.asymmetricKeyType} key; only Ed25519 keys sign WebAssembly modules.`,
    };
  }
  return {
    ok: true,
    key: { keyObject, publicKey: describePublic(createPublicKey(keyObject), source, 'pem'), source },
  };
}

function readInput(
  input: string | Uint8Array,
  label?: string,
): KeyResult<{ bytes: Uint8Array; source: string }> {
  if (typeof input !== 'string') return { ok: true, key: { bytes: input, source: label ?? 'key bytes' } };
  try {
    return { ok: true, key: { bytes: readFileSync(input), source: label ?? input } };
  } catch (error) {
    return {
      ok: false,
      error: `cannot read key file ${input}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  }
}

/** The bytes as text when they look like a text key file (PEM, OpenSSH), else null. */
function asText(bytes: Uint8Array): string | null {
  if (bytes.length === 0 || bytes.length > 1 << 20) return null;
  for (let i = 0; i < Math.min(bytes.length, 64); i++) {
    const c = bytes[i];
    if (c < 0x09 || (c > 0x0d && c < 0x20) || c > 0x7e) return null;
  }
  return Buffer.from(bytes).toString('utf8');
}

export interface GeneratedKeyPair {
  secretKey: SecretKeyInfo;
  /** File contents to write. */
  secretKeyFile: Uint8Array;
  publicKeyFile: Uint8Array;
}

/**
 * A fresh key pair, serialised as `compact` (wasmsign2's files) or `pem` (PKCS#8 / SPKI).
 * With a passphrase the PEM secret key is encrypted (PKCS#8, AES-256-CBC); compact files cannot be.
 */
export function generateKeyPair(format: 'compact' | 'pem', passphrase?: string): GeneratedKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const info = describePublic(publicKey, 'generated', format);
  const secretKey: SecretKeyInfo = { keyObject: privateKey, publicKey: info, source: 'generated' };
  if (format === 'compact') {
    if (passphrase) throw new RangeError('compact key files cannot be encrypted; use the pem format');
    const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url');
    return {
      secretKey,
      secretKeyFile: Buffer.concat([Uint8Array.of(COMPACT_SECRET_PREFIX), seed, info.raw]),
      publicKeyFile: Buffer.concat([Uint8Array.of(COMPACT_PUBLIC_PREFIX), info.raw]),
    };
  }
  const secretPem = passphrase
    ? privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
    : privateKey.export({ type: 'pkcs8', format: 'pem' });
  return {
    secretKey,
    secretKeyFile: Buffer.from(secretPem),
    publicKeyFile: Buffer.from(publicKey.export({ type: 'spki', format: 'pem' })),
  };
}
