/**
 * What an SBOM says about one module, as plain data: identity (SHA-256, size), the toolchain from
 * `producers`, cargo-auditable dependencies, imported interfaces, signers, and the core modules and
 * components nested inside a component. The CycloneDX and SPDX writers read only this.
 */
import { createHash } from 'node:crypto';
import type { ModuleFacts } from '../module/model';
import { moduleSurface } from '../diff/surface';
import { cargoPackagesOf, type CargoPackage } from './cargoAuditable';

export interface ModuleInventory {
  /** File name, or `file#module[2]` for a nested module. */
  name: string;
  kind: ModuleFacts['kind'];
  sha256: string;
  size: number;
  /** `language`, `processed-by`, `sdk` → `name version` entries. */
  toolchain: Array<{ field: string; name: string; version: string }>;
  cargo: CargoPackage[];
  /** Why `.dep-v0` could not be read, when it could not. */
  cargoError?: string;
  /** Import module names (core) or interface names (component), each once, in first-seen order. */
  interfaces: string[];
  capabilities: string[];
  signerKeyIds: string[];
  nested: ModuleInventory[];
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function moduleInventory(
  name: string,
  facts: ModuleFacts,
  bytes: Uint8Array,
  whole = bytes,
): ModuleInventory {
  const surface = moduleSurface({ facts, size: bytes.length });
  const cargo = cargoPackagesOf(facts, whole);
  const nested = (facts.modules ?? []).map((inner, i) => {
    const at = inner.location.kind === 'binary' ? inner.location : { offset: 0, length: 0 };
    return moduleInventory(
      `${name}#${inner.kind}[${i}]`,
      inner,
      whole.subarray(at.offset, at.offset + at.length),
      whole,
    );
  });
  return {
    name,
    kind: facts.kind,
    sha256: sha256(bytes),
    size: bytes.length,
    toolchain: Object.entries(facts.producers?.fields ?? {}).flatMap(([field, values]) =>
      values.map((v) => ({ field, name: v.name, version: v.version })),
    ),
    cargo: cargo && 'packages' in cargo ? cargo.packages : [],
    ...(cargo && 'error' in cargo ? { cargoError: cargo.error } : {}),
    interfaces: [...new Set(surface.imports.map((i) => i.module))],
    capabilities: surface.capabilities,
    signerKeyIds: surface.signers.map((s) => s.keyId),
    nested,
  };
}
