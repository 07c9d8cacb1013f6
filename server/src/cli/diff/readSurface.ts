/**
 * Reads a module file's surface for `diff` and `check --baseline`, with its signatures verified
 * against the keys of the policy that governs it (so "trusted" means what it means in `check`).
 */
import { promises as fsp } from 'node:fs';
import { loadTrustedKeys } from '../../core/analyze';
import { surfaceFromBytes } from '../../core/diff/fromBytes';
import type { ModuleSurface } from '../../core/diff/surface';
import type { ModuleFacts } from '../../core/module/model';
import type { EffectivePolicy } from '../../core/policy/types';
import type { PublicKeyInfo } from '../../core/signing';

async function readOptional(file: string): Promise<Uint8Array | undefined> {
  try {
    return await fsp.readFile(file);
  } catch {
    return undefined;
  }
}

/** Trusted keys per policy object: a policy's key files are read once per run. */
const keysByPolicy = new WeakMap<EffectivePolicy, Promise<PublicKeyInfo[]>>();

export function trustedKeysOf(policy: EffectivePolicy): Promise<PublicKeyInfo[]> {
  let keys = keysByPolicy.get(policy);
  if (!keys) {
    keys = loadTrustedKeys(policy).then((loaded) => loaded.keys);
    keysByPolicy.set(policy, keys);
  }
  return keys;
}

export interface SurfaceSource {
  bytes: Uint8Array;
  /** The file the bytes came from, to find a detached `<file>.sig` beside it; none for git blobs. */
  file?: string;
  facts?: ModuleFacts;
}

export async function readSurface(source: SurfaceSource, policy: EffectivePolicy): Promise<ModuleSurface> {
  const detached = source.file ? await readOptional(`${source.file}.sig`) : undefined;
  return surfaceFromBytes(source.bytes, {
    trustedKeys: await trustedKeysOf(policy),
    detachedSignature: detached,
    facts: source.facts,
  });
}
