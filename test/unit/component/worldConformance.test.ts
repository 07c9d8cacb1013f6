/**
 * `world-conformance` and `iface#function` patterns on components assembled from text by
 * wasm-tools (jco-transpile's build).
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  interfaceMatches,
  parseWitWorld,
  standardWorld,
} from '../../../server/src/core/component/standardWorlds';
import { checkBytes, policyFrom } from '../rules/helpers';
import { wasmTools } from '../../support/wasmTools';
import { realWorldPaths } from '../../support/realWorldFiles';
import { readBinaryModule } from '../../../server/src/core/module/binary';
import { generatePolicy } from '../../../server/src/core/policy/generate';

/** A component importing these interfaces (empty instances) and exporting these. */
async function component(imports: string[], exports: string[]): Promise<Uint8Array> {
  const text = [
    '(component',
    ...imports.map((i) => `  (import "${i}" (instance))`),
    '  (instance $empty)',
    ...exports.map((e) => `  (export "${e}" (instance $empty))`),
    ')',
  ].join('\n');
  return (await wasmTools()).parse(text);
}

async function worldFindings(bytes: Uint8Array, world: string): Promise<string[]> {
  const policy = policyFrom({ imports: { otherwise: 'allow', world } });
  const result = await checkBytes(bytes, { policy });
  return result.findings.filter((f) => f.ruleId === 'world-conformance').map((f) => f.message);
}

const COMMAND_IMPORTS = [
  'wasi:cli/environment@0.2.0',
  'wasi:io/streams@0.2.0',
  'wasi:filesystem/types@0.2.3',
  'wasi:sockets/tcp@0.2.0',
  'wasi:sockets/ip-name-lookup@0.2.0',
];

describe('world-conformance', function () {
  this.timeout(120_000);

  it('a command component fits wasi:cli/command@0.2.0 (sockets included; 0.2.3 satisfies 0.2.0)', async () => {
    const bytes = await component(COMMAND_IMPORTS, ['wasi:cli/run@0.2.0']);
    assert.deepEqual(await worldFindings(bytes, 'wasi:cli/command@0.2.0'), []);
  });

  it('the same with an outgoing-HTTP import: that import is outside the world', async () => {
    const bytes = await component(
      [...COMMAND_IMPORTS, 'wasi:http/outgoing-handler@0.2.0'],
      ['wasi:cli/run@0.2.0'],
    );
    assert.deepEqual(await worldFindings(bytes, 'wasi:cli/command@0.2.0'), [
      'Import "wasi:http/outgoing-handler@0.2.0" is outside the world wasi:cli/command@0.2.0.',
    ]);
  });

  it('an HTTP proxy against wasi:http/proxy: sockets and the filesystem are outside', async () => {
    const bytes = await component(
      [
        'wasi:http/types@0.2.0',
        'wasi:http/outgoing-handler@0.2.0',
        'wasi:io/streams@0.2.0',
        'wasi:sockets/tcp@0.2.0',
        'wasi:filesystem/types@0.2.0',
      ],
      ['wasi:http/incoming-handler@0.2.0'],
    );
    assert.deepEqual(await worldFindings(bytes, 'wasi:http/proxy@0.2.0'), [
      'Import "wasi:sockets/tcp@0.2.0" is outside the world wasi:http/proxy@0.2.0.',
      'Import "wasi:filesystem/types@0.2.0" is outside the world wasi:http/proxy@0.2.0.',
    ]);
  });

  it('a missing required export is a finding', async () => {
    const bytes = await component(['wasi:cli/environment@0.2.0'], []);
    assert.deepEqual(await worldFindings(bytes, 'wasi:cli/command@0.2.0'), [
      'The world wasi:cli/command@0.2.0 requires the export "wasi:cli/run@0.2.0", which the component does not have.',
    ]);
  });

  it('0.3 and 0.2.0-rc are not compatible with 0.2.0', async () => {
    const bytes = await component(
      ['wasi:cli/environment@0.3.0', 'wasi:clocks/wall-clock@0.2.0-rc-2023-11-10'],
      ['wasi:cli/run@0.2.1'],
    );
    assert.deepEqual(await worldFindings(bytes, 'wasi:cli/command@0.2.0'), [
      'Import "wasi:cli/environment@0.3.0" is outside the world wasi:cli/command@0.2.0 (the world has wasi:cli/environment@0.2.0; versions must be semver-compatible).',
      'Import "wasi:clocks/wall-clock@0.2.0-rc-2023-11-10" is outside the world wasi:cli/command@0.2.0 (the world has wasi:clocks/wall-clock@0.2.0; versions must be semver-compatible).',
    ]);
    assert.equal(interfaceMatches('wasi:io/streams@0.2.3', 'wasi:io/streams@0.2.0'), true);
    assert.equal(interfaceMatches('wasi:io/streams@0.2.0', 'wasi:io/streams@0.2.3'), true);
    assert.equal(interfaceMatches('wasi:io/streams@0.3.0', 'wasi:io/streams@0.2.0'), false);
    assert.equal(interfaceMatches('wasi:io/streams@1.2.0', 'wasi:io/streams@1.0.0'), true);
    assert.equal(interfaceMatches('wasi:io/streams@2.0.0', 'wasi:io/streams@1.0.0'), false);
  });

  it('a world from a .wit file next to the policy (includes expanded, local names qualified)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-world-'));
    try {
      writeFileSync(
        join(dir, 'world.wit'),
        'package my:app@1.0.0;\n\n// the app\nworld app {\n  include wasi:cli/imports@0.2.0;\n  import wasi:http/outgoing-handler@0.2.0;\n  export handler;\n}\n',
      );
      const parsed = parseWitWorld(readFileSync(join(dir, 'world.wit'), 'utf8'));
      assert.ok(!('error' in parsed));
      assert.deepEqual(parsed.exports, ['my:app/handler@1.0.0']);
      assert.ok(parsed.imports.includes('wasi:http/outgoing-handler@0.2.0'));
      const bytes = await component(['wasi:http/outgoing-handler@0.2.0', 'wasi:keyvalue/store@0.2.0'], []);
      const policy = policyFrom({ imports: { otherwise: 'allow', world: join(dir, 'world.wit') } });
      const found = (await checkBytes(bytes, { policy })).findings.filter(
        (f) => f.ruleId === 'world-conformance',
      );
      assert.deepEqual(
        found.map((f) => f.message),
        [
          'Import "wasi:keyvalue/store@0.2.0" is outside the world my:app/app@1.0.0.',
          'The world my:app/app@1.0.0 requires the export "my:app/handler@1.0.0", which the component does not have.',
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown world fails closed with one finding', async () => {
    const bytes = await component(['wasi:cli/environment@0.2.0'], []);
    assert.deepEqual(await worldFindings(bytes, 'wasi:cli/command@0.3.0'), [
      'The policy requires the world "wasi:cli/command@0.3.0", which cannot be used: not a standard world; known: wasi:cli/command@0.2.x, wasi:cli/imports@0.2.x, wasi:http/proxy@0.2.x, or a path to a .wit file.',
    ]);
    assert.equal(standardWorld('wasi:http/proxy@0.2.7')?.exports[0], 'wasi:http/incoming-handler@0.2.7');
  });
});

describe('iface#function patterns on components', function () {
  this.timeout(120_000);
  const bytes = readFileSync(
    resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'components', 'resources.wasm'),
  );

  async function importFindings(imports: object): Promise<string[]> {
    const result = await checkBytes(bytes, { policy: policyFrom({ imports }) });
    return result.findings
      .filter((f) => f.ruleId === 'disallowed-import')
      .map((f) => f.message.split(' is not allowed')[0]);
  }

  it('allowing one function of an interface leaves the others denied, one finding each', async () => {
    assert.deepEqual(
      await importFindings({ allow: ['wasi:io/error', 'log', 'example:kv/store@1.*#[method]bucket.get'] }),
      [
        'Component import "example:kv/store@1.0.0#[constructor]bucket"',
        'Component import "example:kv/store@1.0.0#[static]bucket.open"',
        'Component import "example:kv/store@1.0.0#list-buckets"',
      ],
    );
  });

  it('denying one function beats allowing its interface', async () => {
    assert.deepEqual(
      await importFindings({
        allow: ['wasi:io/error', 'log', 'example:kv/store'],
        deny: ['example:kv/store#list-buckets'],
      }),
      ['Component import "example:kv/store@1.0.0#list-buckets"'],
    );
  });

  it('an interface refused whole is one finding', async () => {
    assert.deepEqual(await importFindings({ allow: ['wasi:io/error', 'log'] }), [
      'Component import "example:kv/store@1.0.0"',
    ]);
  });
});

describe('least-privilege policy for a component', function () {
  this.timeout(120_000);

  it('writes function patterns for file-system interfaces, whole interfaces elsewhere, and governs the component cleanly', async () => {
    const paths = await realWorldPaths((id) => id === 'wasm-tools-component');
    const bytes = readFileSync(paths['wasm-tools-component']);
    const facts = readBinaryModule(bytes);
    const text = generatePolicy([{ name: 'wasm-tools.wasm', facts }]);
    assert.match(
      text,
      /"wasi:filesystem\/types@0\.2\.0-rc-2023-11-10#\[method\]descriptor\.open-at", \/\/ filesystem: one function/,
    );
    assert.doesNotMatch(text, /"wasi:filesystem\/types@0\.2\.0-rc-2023-11-10",/);
    assert.match(text, /"wasi:cli\/environment@0\.2\.0-rc-2023-12-05", \/\/ environment:/);
    const result = await checkBytes(bytes, { policy: policyFrom(text) });
    assert.deepEqual(
      result.findings.filter((f) => f.ruleId === 'disallowed-import'),
      [],
    );
    // A function the policy does not list is refused: the grant is narrower than the interface.
    const narrowed = text.replace(
      /\s*"wasi:filesystem\/types@[^"]*#\[method\]descriptor\.open-at",[^\n]*/,
      '',
    );
    const refused = (await checkBytes(bytes, { policy: policyFrom(narrowed) })).findings.filter(
      (f) => f.ruleId === 'disallowed-import',
    );
    assert.deepEqual(
      refused.map((f) => f.message.split(' is not')[0]),
      [
        'Component import "wasi:filesystem/types@0.2.0-rc-2023-11-10#[method]descriptor.open-at" (capability "filesystem")',
      ],
    );
  });
});

describe('unsupported-feature on components', function () {
  this.timeout(120_000);

  it('a hand-built async function type is reported as component-async at its byte', async () => {
    // type section: 1 type, 0x43 (async func), 0 params, result list 0x01 0x00 (none).
    const bytes = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0x05, 0x01, 0x43, 0x00, 0x01, 0x00,
    ]);
    const facts = readBinaryModule(bytes);
    assert.deepEqual(facts.problems, []);
    assert.deepEqual(facts.components!.features, [
      { feature: 'component-async', location: { kind: 'binary', offset: 11, length: 1 } },
    ]);
    const plain = await checkBytes(bytes, { policy: policyFrom({ runtime: { features: ['bulk-memory'] } }) });
    assert.deepEqual(
      plain.findings.filter((f) => f.ruleId === 'unsupported-feature').map((f) => [f.severity, f.message]),
      [
        [
          'error',
          'The component uses the component-model feature component-async, which the target runtime does not list in its features; runtimes on WASI 0.2 lack it.',
        ],
      ],
    );
    const ready = await checkBytes(bytes, {
      policy: policyFrom({ runtime: { features: ['component-async'] } }),
    });
    assert.deepEqual(
      ready.findings.filter((f) => f.ruleId === 'unsupported-feature'),
      [],
    );
  });
});
