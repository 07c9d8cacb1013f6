/**
 * A CycloneDX 1.6 JSON document of module inventories, built and serialised with the OWASP
 * CycloneDX library. Each module is a component with its SHA-256; the toolchain, imported
 * interfaces, capability groups and signer key ids are `wasm-warden:*` properties; cargo-auditable
 * dependencies are nested `pkg:cargo` components with their dependency graph; nested modules of a
 * component are nested components.
 */
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import { cargoPurl } from './cargoAuditable';
import type { ModuleInventory } from './inventory';

export interface SbomOptions {
  toolVersion: string;
  /** Fixed timestamp and serial number for reproducible output (SOURCE_DATE_EPOCH). */
  timestamp?: Date;
  serialNumber?: string;
}

function property(component: Models.Component, name: string, value: string): void {
  component.properties.add(new Models.Property(`wasm-warden:${name}`, value));
}

function moduleComponent(inventory: ModuleInventory, refPrefix: string): Models.Component {
  const component = new Models.Component(Enums.ComponentType.Library, inventory.name, {
    bomRef: `${refPrefix}${inventory.name}`,
    description: inventory.kind === 'component' ? 'WebAssembly component' : 'WebAssembly core module',
  });
  component.hashes.set(Enums.HashAlgorithm['SHA-256'], inventory.sha256);
  property(component, 'kind', inventory.kind);
  property(component, 'size', String(inventory.size));
  for (const t of inventory.toolchain)
    property(component, `producer:${t.field}`, t.version ? `${t.name} ${t.version}` : t.name);
  for (const name of inventory.interfaces) property(component, 'import', name);
  for (const group of inventory.capabilities) property(component, 'capability', group);
  for (const keyId of inventory.signerKeyIds) property(component, 'signature:key-id', keyId);
  if (inventory.cargoError) property(component, 'dep-v0:error', inventory.cargoError);

  const crates = inventory.cargo.map((pkg, i) => {
    const crate = new Models.Component(Enums.ComponentType.Library, pkg.name, {
      version: pkg.version,
      purl: cargoPurl(pkg),
      bomRef: `${component.bomRef.value}|cargo:${i}:${pkg.name}@${pkg.version}`,
    });
    crate.properties.add(new Models.Property('cargo:source', pkg.source));
    crate.properties.add(new Models.Property('cargo:kind', pkg.kind));
    return crate;
  });
  inventory.cargo.forEach((pkg, i) => {
    for (const d of pkg.dependencies) crates[i].dependencies.add(crates[d].bomRef);
    if (pkg.root) component.dependencies.add(crates[i].bomRef);
    component.components.add(crates[i]);
  });
  for (const inner of inventory.nested) {
    const nested = moduleComponent(inner, refPrefix);
    component.components.add(nested);
    component.dependencies.add(nested.bomRef);
  }
  return component;
}

export function cycloneDxBom(inventories: ModuleInventory[], options: SbomOptions): Models.Bom {
  const bom = new Models.Bom();
  if (options.serialNumber) bom.serialNumber = options.serialNumber;
  bom.metadata.timestamp = options.timestamp ?? new Date();
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, 'wasm-warden', { version: options.toolVersion }),
  );
  const components = inventories.map((inventory, i) => moduleComponent(inventory, `module:${i}:`));
  if (components.length === 1) bom.metadata.component = components[0];
  else for (const c of components) bom.components.add(c);
  return bom;
}

export function cycloneDxJson(inventories: ModuleInventory[], options: SbomOptions): string {
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return `${serializer.serialize(cycloneDxBom(inventories, options), { sortLists: false, space: 2 })}\n`;
}
