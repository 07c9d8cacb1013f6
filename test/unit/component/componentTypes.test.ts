/**
 * Component types decoded into the world: typed imports and exports, WIT text, and what satisfies
 * each import of a nested core module. Checked against wasm-tools (jco-transpile's build):
 * `componentWit` for the world, `print` for the functions each imported interface declares.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readBinaryModule } from '../../../server/src/core/module/binary';
import type { ModuleFacts } from '../../../server/src/core/module/model';
import { encodeVarUint32 } from '../../../server/src/core/module/byteReader';
import { seededRandom } from '../../support/seededRandom';
import { wasmTools } from '../../support/wasmTools';
import { realWorldPaths } from '../../support/realWorldFiles';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'components');

/** The `world root { … }` block of a WIT text. */
function worldBlock(wit: string): string {
  const start = wit.indexOf('world root {');
  return wit.slice(start, wit.indexOf('\n}', start) + 2);
}

/** Function names of each imported instance, read from `wasm-tools print` output. */
function printedInstanceFunctions(printed: string): Map<string, string[]> {
  const lines = printed.split('\n');
  const typeStart = new Map<string, number>();
  lines.forEach((line, n) => {
    const m = /^ {2}\(type \(;(\d+);\) $/.exec(line) ?? /^ {2}\(type \(;(\d+);\)$/.exec(line);
    if (m) typeStart.set(m[1], n);
  });
  const result = new Map<string, string[]>();
  for (const line of lines) {
    const m = /^ {2}\(import "([^"]+)" \(instance \(;\d+;\) \(type (\d+)\)\)\)$/.exec(line);
    if (!m) continue;
    const names: string[] = [];
    for (
      let n = (typeStart.get(m[2]) ?? lines.length) + 1;
      n < lines.length && !/^ {2}\S/.test(lines[n]);
      n++
    ) {
      const e =
        /^ {6}\(export \(;\d+;\) "([^"]+)" \(func/.exec(lines[n]) ??
        /^ {6}\(export "([^"]+)" \(func/.exec(lines[n]);
      if (e) names.push(e[1]);
    }
    result.set(m[1], names);
  }
  return result;
}

describe('component types', function () {
  this.timeout(300_000);

  describe('a component built from text (resources, records, enums, flags, a function import)', () => {
    let bytes: Uint8Array;
    let facts: ModuleFacts;
    let referenceWit: string;
    before(async () => {
      const tools = await wasmTools();
      bytes = await tools.parse(readFileSync(join(FIXTURES, 'resources.wat'), 'utf8'));
      facts = readBinaryModule(bytes);
      referenceWit = await tools.componentWit(bytes);
    });

    it('the committed binary fixture is this text, assembled by wasm-tools', () => {
      assert.deepEqual(Buffer.from(readFileSync(join(FIXTURES, 'resources.wasm'))), Buffer.from(bytes));
    });

    it('reads with no problems; its world equals what componentWit prints', () => {
      assert.deepEqual(facts.problems, []);
      assert.equal(worldBlock(facts.components!.wit!), worldBlock(referenceWit));
    });

    it('lists every function of an imported interface with its WIT signature', () => {
      const store = facts.components!.world!.imports.find((i) => i.name === 'example:kv/store@1.0.0')!;
      assert.equal(store.kind, 'instance');
      assert.deepEqual(store.types, ['io-error', 'bucket', 'mode', 'perms', 'entry']);
      assert.deepEqual(store.functions, [
        {
          name: '[constructor]bucket',
          params: [
            { name: 'name', type: 'string' },
            { name: 'mode', type: 'mode' },
          ],
          results: ['bucket'],
        },
        {
          name: '[method]bucket.get',
          params: [
            { name: 'self', type: 'borrow<bucket>' },
            { name: 'key', type: 'string' },
          ],
          results: ['option<entry>'],
        },
        {
          name: '[static]bucket.open',
          params: [{ name: 'name', type: 'string' }],
          results: ['result<bucket, io-error>'],
        },
        { name: 'list-buckets', params: [], results: ['list<string>'] },
      ]);
      assert.deepEqual(facts.components!.world!.imports[2], {
        name: 'log',
        kind: 'func',
        functions: [{ name: 'log', params: [{ name: 'message', type: 'string' }], results: [] }],
      });
      assert.deepEqual(facts.components!.world!.exports, [
        {
          name: 'wasi:cli/run@0.2.3',
          kind: 'instance',
          functions: [{ name: 'run', params: [], results: [] }],
        },
      ]);
    });

    it('writes the interfaces as WIT: resources with their members, uses across interfaces', () => {
      const wit = facts.components!.wit!;
      assert.ok(
        wit.includes(
          'package example:kv@1.0.0 {\n  interface store {\n    use wasi:io/error@0.2.3.{error as io-error};',
        ),
        wit,
      );
      assert.ok(
        wit.includes(
          '    resource bucket {\n      constructor(name: string, mode: mode);\n      get: func(key: string) -> option<entry>;\n      open: static func(name: string) -> result<bucket, io-error>;\n    }',
        ),
        wit,
      );
      assert.ok(wit.includes('    flags perms {\n      owner,\n      group,\n      other,\n    }'), wit);
    });

    it('ties each import of the nested core module to what satisfies it', () => {
      assert.deepEqual(facts.components!.coreImports, [
        {
          module: 0,
          importModule: 'example:kv/store@1.0.0',
          importName: '[method]bucket.get',
          source: { kind: 'lowered', import: 'example:kv/store@1.0.0', function: '[method]bucket.get' },
        },
        {
          module: 0,
          importModule: 'example:kv/store@1.0.0',
          importName: '[resource-drop]bucket',
          source: { kind: 'builtin', builtin: 'resource.drop', resource: 'bucket' },
        },
        {
          module: 0,
          importModule: 'host',
          importName: 'log',
          source: { kind: 'lowered', import: 'log', function: 'log' },
        },
      ]);
    });

    it('every truncation of a typed section is a located problem, never a crash', () => {
      const clean = readBinaryModule(bytes);
      for (const section of clean.sections!.filter((s) => s.id >= 2 && s.id <= 11 && s.id !== 4)) {
        const payloadStart = section.payloadOffset;
        const payloadEnd = section.offset + section.size;
        const header = payloadStart - section.offset;
        for (let cut = payloadStart; cut < payloadEnd; cut++) {
          // The section keeps a consistent size: the cut is inside its payload, not of the file.
          const payload = bytes.subarray(payloadStart, cut);
          const size = encodeVarUint32(payload.length);
          const mutated = new Uint8Array([
            ...bytes.subarray(0, section.offset),
            section.id,
            ...size,
            ...payload,
            ...bytes.subarray(payloadEnd),
          ]);
          const facts2 = readBinaryModule(mutated);
          assert.ok(
            facts2.problems.length > 0 || cut === payloadStart + 0,
            `section ${section.name} cut at ${cut}: no problem`,
          );
          for (const p of facts2.problems) {
            assert.equal(p.location.kind, 'binary');
            if (p.location.kind === 'binary') assert.ok(p.location.offset <= mutated.length, p.message);
          }
          void header;
        }
      }
    });

    it('a count that cannot fit is a located problem', () => {
      const clean = readBinaryModule(bytes);
      const types = clean.sections!.find((s) => s.name === 'type')!;
      const payload = bytes.subarray(types.payloadOffset, types.offset + types.size);
      // Replace the type count (one byte here) with 2^32-1.
      assert.ok(payload[0] < 0x80);
      const body = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, ...payload.subarray(1)]);
      const mutated = new Uint8Array([
        ...bytes.subarray(0, types.offset),
        7,
        ...encodeVarUint32(body.length),
        ...body,
        ...bytes.subarray(types.offset + types.size),
      ]);
      const problems = readBinaryModule(mutated).problems;
      assert.equal(problems.length, 1);
      assert.match(problems[0].message, /count 4294967295 is larger than the remaining/);
      assert.deepEqual(problems[0].location, {
        kind: 'binary',
        offset: types.offset + 1 + encodeVarUint32(body.length).length,
        length: 1,
      });
    });

    it('random byte changes in typed sections never crash the reader', () => {
      const clean = readBinaryModule(bytes);
      const typed = clean.sections!.filter((s) => s.id >= 5 && s.id <= 11);
      const random = seededRandom(20);
      for (let i = 0; i < 3000; i++) {
        const section = typed[random(typed.length)];
        const at = section.payloadOffset + random(section.offset + section.size - section.payloadOffset);
        const mutated = Uint8Array.from(bytes);
        mutated[at] = random(256);
        const result = readBinaryModule(mutated);
        assert.ok(result.components, 'still read as a component');
      }
    });
  });

  describe('the jco 0.14.2 components', () => {
    let paths: Record<string, string>;
    before(async () => {
      paths = await realWorldPaths((id) => id.endsWith('-component'));
    });

    for (const id of ['jco-bindgen-component', 'wasm-tools-component']) {
      it(`${id}: the world equals componentWit's`, async () => {
        const bytes = readFileSync(paths[id]);
        const facts = readBinaryModule(bytes);
        assert.deepEqual(facts.problems, []);
        const reference = await (await wasmTools()).componentWit(bytes);
        assert.equal(worldBlock(facts.components!.wit!), worldBlock(reference));
      });
    }

    it('wasm-tools-component: the functions of each imported interface equal what print shows', async () => {
      const bytes = readFileSync(paths['wasm-tools-component']);
      const facts = readBinaryModule(bytes);
      const printed = printedInstanceFunctions(await (await wasmTools()).print(bytes));
      assert.equal(printed.size, facts.components!.world!.imports.length);
      for (const item of facts.components!.world!.imports)
        assert.deepEqual(
          item.functions.map((f) => f.name),
          printed.get(item.name),
          item.name,
        );
      const fsTypes = facts.components!.world!.imports.find((i) =>
        i.name.startsWith('wasi:filesystem/types'),
      )!;
      assert.deepEqual(
        fsTypes.functions.find((f) => f.name === '[method]descriptor.open-at'),
        {
          name: '[method]descriptor.open-at',
          params: [
            { name: 'self', type: 'borrow<descriptor>' },
            { name: 'path-flags', type: 'path-flags' },
            { name: 'path', type: 'string' },
            { name: 'open-flags', type: 'open-flags' },
            { name: 'flags', type: 'descriptor-flags' },
          ],
          results: ['result<descriptor, error-code>'],
        },
      );
      assert.deepEqual(
        facts.components!.world!.exports.map((e) => [e.name, e.functions.map((f) => f.name)]),
        [
          [
            'local:wasm-tools/tools',
            [
              'parse',
              'print',
              'component-new',
              'component-wit',
              'component-embed',
              'metadata-show',
              'metadata-add',
            ],
          ],
        ],
      );
    });

    it("jco-bindgen-component: the adapter's imports are lowered from WASI 0.2 interfaces", () => {
      const facts = readBinaryModule(readFileSync(paths['jco-bindgen-component']));
      const adapter = facts.modules!.findIndex((m) => m.exports.some((e) => e.name === 'fd_write'));
      assert.ok(adapter > 0);
      const links = facts.components!.coreImports!.filter((l) => l.module === adapter);
      assert.deepEqual(
        links.find((l) => l.importName === '[method]output-stream.blocking-write-and-flush'),
        {
          module: adapter,
          importModule: 'wasi:io/streams@0.2.0-rc-2023-11-10',
          importName: '[method]output-stream.blocking-write-and-flush',
          source: {
            kind: 'lowered',
            import: 'wasi:io/streams@0.2.0-rc-2023-11-10',
            function: '[method]output-stream.blocking-write-and-flush',
          },
        },
      );
      // Every function import of every nested core module is tied to something known.
      const functionImports = facts.modules!.flatMap((m, n) =>
        m.kind === 'module'
          ? m.imports.filter((i) => i.kind === 'func').map((i) => `${n} ${i.module} ${i.name}`)
          : [],
      );
      assert.deepEqual(
        facts.components!.coreImports!.map((l) => `${l.module} ${l.importModule} ${l.importName}`).sort(),
        functionImports.sort(),
      );
      assert.deepEqual(
        facts.components!.coreImports!.filter((l) => l.source.kind === 'unknown'),
        [],
      );
    });
  });
});
