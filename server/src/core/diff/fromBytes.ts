/** A module's surface from its bytes: read the facts and, when keys are given, verify its signatures. */
import { readBinaryModule } from '../module/binary';
import type { ModuleFacts } from '../module/model';
import { verifyModuleSignatures, type PublicKeyInfo } from '../signing';
import { moduleSurface, type ModuleSurface } from './surface';

export interface SurfaceOptions {
  /** The policy's trusted keys: given, signatures are verified and signers carry their verdict. */
  trustedKeys?: PublicKeyInfo[];
  /** The contents of a detached `.sig` file. */
  detachedSignature?: Uint8Array;
  /** Facts already read from these bytes (the check pipeline has them). */
  facts?: ModuleFacts;
}

export function surfaceFromBytes(bytes: Uint8Array, options: SurfaceOptions = {}): ModuleSurface {
  const facts = options.facts ?? readBinaryModule(bytes);
  const signed = facts.signature !== null || options.detachedSignature !== undefined;
  const signature =
    signed && (options.trustedKeys || options.detachedSignature)
      ? verifyModuleSignatures(bytes, {
          publicKeys: options.trustedKeys ?? [],
          detachedSignature: options.detachedSignature,
        })
      : undefined;
  return moduleSurface({ facts, size: bytes.length, signature });
}
