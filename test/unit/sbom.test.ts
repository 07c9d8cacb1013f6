/**
 * `sbom`: CycloneDX 1.6 and SPDX 2.3 documents of a module with a cargo-auditable `.dep-v0`
 * section built here, a real component, and a signed module without producers; every document
 * validates against the official schema (CycloneDX's from its library, SPDX's as a fixture).
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { parseDepV0 } from '../../server/src/core/sbom/cargoAuditable';
import { cycloneDxJson } from '../../server/src/core/sbom/cyclonedx';
import { moduleInventory, type ModuleInventory } from '../../server/src/core/sbom/inventory';
import { spdxDocument } from '../../server/src/core/sbom/spdx';
import { compileWat } from '../../server/src/core/wat/compile';
import { REPO_ROOT } from '../support/lspClient';
import { realWorldModule } from '../support/realWorldModules';
import { sharedTestdata } from '../support/sharedTestdata';
import { withCustomSection } from '../support/wasmBytes';

const OPTIONS = {
  toolVersion: '0.0.0-test',
  timestamp: new Date('2026-01-02T03:04:05Z'),
  serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
};

/** cargo-auditable's format: zlib-compressed JSON, the root package marked, dependencies by index. */
const DEP_V0 = {
  packages: [
    { name: 'hello-plugin', version: '0.3.1', source: 'local', dependencies: [1, 2], root: true },
    { name: 'serde', version: '1.0.219', source: 'crates.io', dependencies: [3] },
    { name: 'cc', version: '1.2.16', source: 'crates.io', kind: 'build' },
    { name: 'serde_derive', version: '1.0.219', source: 'crates.io' },
  ],
};

let cdxValidator: Validation.JsonStrictValidator;
let spdxValidate: ReturnType<Ajv['compile']>;

async function assertValidCycloneDx(json: string): Promise<void> {
  const errors = await cdxValidator.validate(json);
  assert.equal(errors, null, JSON.stringify(errors, null, 2));
}

function assertValidSpdx(document: object): void {
  const ok = spdxValidate(document);
  assert.ok(ok, JSON.stringify(spdxValidate.errors, null, 2));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- documents are read loosely
type Json = any;

describe('sbom', function () {
  this.timeout(120_000);
  let depModule: Uint8Array;
  let inventory: ModuleInventory;

  before(async () => {
    cdxValidator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const schema = JSON.parse(
      readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'sbom', 'spdx-2.3.schema.json'), 'utf8'),
    );
    spdxValidate = ajv.compile(schema);

    const compiled = await compileWat(
      '(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))) (memory (export "memory") 1))',
    );
    assert.ok(compiled.bytes);
    const producers = Uint8Array.from([
      2,
      ...[8, ...Buffer.from('language'), 1, 4, ...Buffer.from('Rust'), 0],
      ...[12, ...Buffer.from('processed-by'), 1, 5, ...Buffer.from('rustc'), 6, ...Buffer.from('1.86.0')],
    ]);
    depModule = withCustomSection(
      withCustomSection(compiled.bytes, 'producers', producers),
      '.dep-v0',
      deflateSync(Buffer.from(JSON.stringify(DEP_V0))),
    );
    inventory = moduleInventory('plugin.wasm', readBinaryModule(depModule), depModule);
  });

  it('reads .dep-v0: crates with versions, sources, kinds and dependency indices', () => {
    assert.deepEqual(
      inventory.cargo.map((p) => [p.name, p.version, p.source, p.kind, p.dependencies, p.root]),
      [
        ['hello-plugin', '0.3.1', 'local', 'runtime', [1, 2], true],
        ['serde', '1.0.219', 'crates.io', 'runtime', [3], false],
        ['cc', '1.2.16', 'crates.io', 'build', [], false],
        ['serde_derive', '1.0.219', 'crates.io', 'runtime', [], false],
      ],
    );
    assert.deepEqual(inventory.toolchain, [
      { field: 'language', name: 'Rust', version: '' },
      { field: 'processed-by', name: 'rustc', version: '1.86.0' },
    ]);
    assert.deepEqual(inventory.interfaces, ['wasi_snapshot_preview1']);
    assert.deepEqual(inventory.capabilities, ['io']);
    assert.equal(inventory.size, depModule.length);
  });

  it('a broken .dep-v0 is a problem, never a crash; a zip bomb is cut off', () => {
    assert.match(
      (parseDepV0(Uint8Array.from([1, 2, 3])) as { error: string }).error,
      /not zlib-compressed JSON/,
    );
    assert.match((parseDepV0(deflateSync('{"crates":[]}')) as { error: string }).error, /no "packages" list/);
    assert.match(
      (parseDepV0(deflateSync(Buffer.alloc(40 * 1024 * 1024, 32))) as { error: string }).error,
      /not zlib-compressed JSON/,
    );
  });

  it('CycloneDX 1.6: the module with its SHA-256, toolchain, crates as pkg:cargo purls and their graph; valid', async () => {
    const json = cycloneDxJson([inventory], OPTIONS);
    await assertValidCycloneDx(json);
    const bom = JSON.parse(json) as Json;
    assert.equal(bom.specVersion, '1.6');
    assert.equal(bom.serialNumber, OPTIONS.serialNumber);
    const main = bom.metadata.component;
    assert.equal(main.name, 'plugin.wasm');
    assert.deepEqual(main.hashes, [
      {
        alg: 'SHA-256',
        content: createHash('sha256').update(depModule).digest('hex'),
      },
    ]);
    const props = main.properties.map((p: Json) => `${p.name}=${p.value}`);
    assert.deepEqual(props, [
      'wasm-warden:kind=module',
      `wasm-warden:size=${depModule.length}`,
      'wasm-warden:producer:language=Rust',
      'wasm-warden:producer:processed-by=rustc 1.86.0',
      'wasm-warden:import=wasi_snapshot_preview1',
      'wasm-warden:capability=io',
    ]);
    assert.deepEqual(
      main.components.map((c: Json) => c.purl),
      [
        'pkg:cargo/hello-plugin@0.3.1',
        'pkg:cargo/serde@1.0.219',
        'pkg:cargo/cc@1.2.16',
        'pkg:cargo/serde_derive@1.0.219',
      ],
    );
    const refOf = (name: string): string => main.components.find((c: Json) => c.name === name)['bom-ref'];
    const graph = Object.fromEntries(bom.dependencies.map((d: Json) => [d.ref, d.dependsOn ?? []]));
    assert.deepEqual(graph[main['bom-ref']], [refOf('hello-plugin')]);
    assert.deepEqual(new Set(graph[refOf('hello-plugin')]), new Set([refOf('serde'), refOf('cc')]));
    assert.deepEqual(graph[refOf('serde')], [refOf('serde_derive')]);
  });

  it('SPDX 2.3: packages, checksums, purls and relationships; valid against the official schema', () => {
    const doc = spdxDocument([inventory], OPTIONS) as Json;
    assertValidSpdx(doc);
    assert.equal(doc.spdxVersion, 'SPDX-2.3');
    assert.equal(doc.creationInfo.created, '2026-01-02T03:04:05Z');
    const byName = Object.fromEntries(doc.packages.map((p: Json) => [p.name, p]));
    assert.equal(byName['plugin.wasm'].checksums[0].algorithm, 'SHA256');
    assert.match(byName['plugin.wasm'].comment, /Toolchain: language Rust; processed-by rustc 1\.86\.0\./);
    assert.equal(byName.serde.externalRefs[0].referenceLocator, 'pkg:cargo/serde@1.0.219');
    const rel = doc.relationships.map(
      (r: Json) => `${r.spdxElementId} ${r.relationshipType} ${r.relatedSpdxElement}`,
    );
    const id = (name: string): string => byName[name].SPDXID;
    assert.ok(rel.includes(`SPDXRef-DOCUMENT DESCRIBES ${id('plugin.wasm')}`));
    assert.ok(rel.includes(`${id('hello-plugin')} DEPENDS_ON ${id('serde')}`));
    assert.ok(rel.includes(`${id('cc')} BUILD_DEPENDENCY_OF ${id('hello-plugin')}`));
  });

  it('a real component: nested core modules with their own hashes, imported interfaces; both formats valid', async () => {
    const file = await realWorldModule('jco-bindgen-component');
    const bytes = readFileSync(file);
    const facts = readBinaryModule(bytes);
    const inv = moduleInventory('bindgen.wasm', facts, bytes);
    assert.equal(inv.kind, 'component');
    assert.equal(inv.nested.length, facts.modules!.length);
    assert.ok(inv.nested.length >= 2);
    assert.ok(inv.interfaces.includes('wasi:filesystem/types@0.2.0-rc-2023-11-10'));
    assert.deepEqual(inv.toolchain, [{ field: 'processed-by', name: 'wit-component', version: '0.19.0' }]);
    const first = facts.modules![0].location as { offset: number; length: number };
    assert.equal(
      inv.nested[0].sha256,
      createHash('sha256')
        .update(bytes.subarray(first.offset, first.offset + first.length))
        .digest('hex'),
    );
    const json = cycloneDxJson([inv], OPTIONS);
    await assertValidCycloneDx(json);
    assert.equal(JSON.parse(json).metadata.component.components.length, inv.nested.length);
    assertValidSpdx(spdxDocument([inv], OPTIONS));
  });

  it('a signed module without producers, and two modules in one document', async () => {
    const modules = sharedTestdata('wasm-signatures', 'modules');
    const signed = readFileSync(path.join(modules, '03_signed_key1_key2.wasm'));
    const plain = (await compileWat('(module (func (export "f")))')).bytes!;
    const invs = [
      moduleInventory('signed.wasm', readBinaryModule(signed), signed),
      moduleInventory('plain.wasm', readBinaryModule(plain), plain),
    ];
    assert.deepEqual(invs[1].toolchain, []);
    assert.deepEqual(invs[1].signerKeyIds, []);
    assert.equal(invs[0].signerKeyIds.length, 2);
    const json = cycloneDxJson(invs, OPTIONS);
    await assertValidCycloneDx(json);
    const bom = JSON.parse(json) as Json;
    assert.equal(bom.metadata.component, undefined);
    assert.deepEqual(
      bom.components.map((c: Json) => c.name),
      ['signed.wasm', 'plain.wasm'],
    );
    assert.equal(
      bom.components[0].properties.filter((p: Json) => p.name === 'wasm-warden:signature:key-id').length,
      2,
    );
    assertValidSpdx(spdxDocument(invs, OPTIONS));
  });
});
