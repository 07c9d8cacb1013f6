/**
 * An SPDX 2.3 JSON document of module inventories: one package per module (SHA-256 checksum),
 * nested modules and cargo-auditable crates as packages it CONTAINS, crate dependencies as
 * DEPENDS_ON, and the toolchain, imports and signers in each package's comment and annotations-free
 * fields. No npm library writes SPDX 2.3, so the document is built here, validated in the tests.
 */
import { randomUUID } from 'node:crypto';
import { cargoPurl } from './cargoAuditable';
import type { ModuleInventory } from './inventory';
import type { SbomOptions } from './cyclonedx';

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  filesAnalyzed: boolean;
  checksums?: Array<{ algorithm: 'SHA256'; checksumValue: string }>;
  externalRefs?: Array<{ referenceCategory: string; referenceType: string; referenceLocator: string }>;
  primaryPackagePurpose?: string;
  comment?: string;
}

interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: string;
  relatedSpdxElement: string;
}

/** SPDX ids allow letters, digits, `.` and `-` only. */
function spdxId(...parts: string[]): string {
  return `SPDXRef-${parts.join('-').replace(/[^A-Za-z0-9.-]/g, '-')}`;
}

function moduleComment(inventory: ModuleInventory): string {
  const lines = [
    `WebAssembly ${inventory.kind === 'component' ? 'component' : 'core module'}, ${inventory.size} bytes.`,
  ];
  if (inventory.toolchain.length)
    lines.push(
      `Toolchain: ${inventory.toolchain.map((t) => `${t.field} ${t.name}${t.version ? ` ${t.version}` : ''}`).join('; ')}.`,
    );
  if (inventory.interfaces.length) lines.push(`Imports: ${inventory.interfaces.join(', ')}.`);
  if (inventory.capabilities.length) lines.push(`Capability groups: ${inventory.capabilities.join(', ')}.`);
  if (inventory.signerKeyIds.length) lines.push(`Signed by key ids: ${inventory.signerKeyIds.join(', ')}.`);
  if (inventory.cargoError) lines.push(`cargo-auditable: ${inventory.cargoError}.`);
  return lines.join(' ');
}

function addModule(
  inventory: ModuleInventory,
  id: string,
  packages: SpdxPackage[],
  relationships: SpdxRelationship[],
): void {
  packages.push({
    SPDXID: id,
    name: inventory.name,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    checksums: [{ algorithm: 'SHA256', checksumValue: inventory.sha256 }],
    primaryPackagePurpose: 'LIBRARY',
    comment: moduleComment(inventory),
  });
  const crateIds = inventory.cargo.map((pkg, i) =>
    spdxId(id.slice('SPDXRef-'.length), 'cargo', String(i), pkg.name),
  );
  inventory.cargo.forEach((pkg, i) => {
    packages.push({
      SPDXID: crateIds[i],
      name: pkg.name,
      versionInfo: pkg.version,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      externalRefs: [
        { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: cargoPurl(pkg) },
      ],
      primaryPackagePurpose: 'LIBRARY',
      comment: `Rust crate recorded by cargo-auditable (source: ${pkg.source}, kind: ${pkg.kind}).`,
    });
    relationships.push({ spdxElementId: id, relationshipType: 'CONTAINS', relatedSpdxElement: crateIds[i] });
    // cargo-auditable marks the dependency itself as a build dependency.
    for (const d of pkg.dependencies)
      relationships.push(
        inventory.cargo[d].kind === 'build'
          ? {
              spdxElementId: crateIds[d],
              relationshipType: 'BUILD_DEPENDENCY_OF',
              relatedSpdxElement: crateIds[i],
            }
          : { spdxElementId: crateIds[i], relationshipType: 'DEPENDS_ON', relatedSpdxElement: crateIds[d] },
      );
  });
  inventory.nested.forEach((inner, i) => {
    const innerId = `${id}-${inner.kind}${i}`;
    addModule(inner, innerId, packages, relationships);
    relationships.push({ spdxElementId: id, relationshipType: 'CONTAINS', relatedSpdxElement: innerId });
  });
}

export function spdxDocument(inventories: ModuleInventory[], options: SbomOptions): object {
  const packages: SpdxPackage[] = [];
  const relationships: SpdxRelationship[] = [];
  inventories.forEach((inventory, i) => {
    const id = spdxId('Module', String(i), inventory.name);
    addModule(inventory, id, packages, relationships);
    relationships.unshift({
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: id,
    });
  });
  const uuid = options.serialNumber?.replace(/^urn:uuid:/, '') ?? randomUUID();
  const name = inventories.length === 1 ? inventories[0].name : `${inventories.length} WebAssembly modules`;
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `https://spdx.org/spdxdocs/wasm-warden/${encodeURIComponent(name)}-${uuid}`,
    creationInfo: {
      created: (options.timestamp ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      creators: [`Tool: wasm-warden-${options.toolVersion}`],
    },
    packages,
    relationships,
  };
}

export function spdxJson(inventories: ModuleInventory[], options: SbomOptions): string {
  return `${JSON.stringify(spdxDocument(inventories, options), null, 2)}\n`;
}
