/**
 * Real modules from npm packages (../shared/testdata/REAL-WORLD.md), fetched by
 * scripts/fetch-real-world.mjs into .cache/real-world, checked against independent readers: V8's
 * `WebAssembly.Module.imports/exports` with type reflection (in a child process started with
 * `--experimental-wasm-type-reflection`), and Debian wabt's `wasm-objdump` for the core modules
 * nested inside components.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BinaryReader } from 'wasmparser';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { scanFunctionBodies } from '../../server/src/core/module/code';
import { allCoreModules } from '../../server/src/core/module/component';
import type { FuncSignature, ModuleFacts } from '../../server/src/core/module/model';
import { validateBinary } from '../../server/src/core/module/validate';

const ROOT = resolve(__dirname, '..', '..', '..');

interface V8Descriptor {
  module?: string;
  name: string;
  kind: string;
  type?: {
    parameters?: string[];
    results?: string[];
    minimum?: number;
    maximum?: number;
    shared?: boolean;
    element?: string;
    value?: string;
    mutable?: boolean;
    index?: string;
  };
}

/** V8's own view of a module's imports and exports, with types, from a child process. */
function v8Reflection(path: string): { imports: V8Descriptor[]; exports: V8Descriptor[] } {
  const script = `
    const m = new WebAssembly.Module(require('fs').readFileSync(process.argv[1]));
    process.stdout.write(JSON.stringify({ imports: WebAssembly.Module.imports(m), exports: WebAssembly.Module.exports(m) }));`;
  const out = execFileSync(process.execPath, ['--experimental-wasm-type-reflection', '-e', script, path], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.toString()) as { imports: V8Descriptor[]; exports: V8Descriptor[] };
}

const V8_KIND: Record<string, string> = {
  func: 'function',
  table: 'table',
  memory: 'memory',
  global: 'global',
  tag: 'tag',
};

function v8Signature(signature: FuncSignature | null): { parameters: string[]; results: string[] } | null {
  return signature && { parameters: signature.params, results: signature.results };
}

type Paths = Record<string, string>;
const CORE_MODULES = [
  'sql.js',
  'esbuild-wasm',
  'brotli-wasm',
  'zstd-wasm',
  'web-tree-sitter',
  'wasi-adapter',
  'splicer-core',
];

describe('real-world modules', function () {
  this.timeout(600_000);
  let paths: Paths;

  before(async () => {
    // Only the modules tested here: the 30 MB benchmark module is left to bench/facts.mjs.
    const script = pathToFileURL(join(ROOT, 'scripts', 'fetch-real-world.mjs')).href;
    const { REAL_WORLD_MODULES, fetchOne } = (await import(script)) as {
      REAL_WORLD_MODULES: Array<{ id: string; large?: boolean }>;
      fetchOne: (entry: { id: string }) => string;
    };
    paths = Object.fromEntries(
      REAL_WORLD_MODULES.filter((m) => m.id !== 'ffmpeg-core' && !m.large).map((m) => [m.id, fetchOne(m)]),
    );
  });

  for (const id of CORE_MODULES) {
    describe(id, () => {
      let facts: ModuleFacts;
      let v8: ReturnType<typeof v8Reflection>;
      before(() => {
        facts = readBinaryModule(readFileSync(paths[id]));
        v8 = v8Reflection(paths[id]);
      });

      it('reads with no problems and validates', () => {
        assert.deepEqual(facts.problems, []);
        assert.equal(facts.kind, 'module');
        assert.deepEqual(validateBinary(readFileSync(paths[id]), facts), []);
      });

      it('imports equal V8’s, with function signatures', () => {
        assert.deepEqual(
          facts.imports.map((i) => ({ module: i.module, name: i.name, kind: V8_KIND[i.kind] })),
          v8.imports.map((i) => ({ module: i.module, name: i.name, kind: i.kind })),
        );
        facts.imports.forEach((i, n) => {
          if (i.type.kind === 'func')
            assert.deepEqual(v8Signature(i.type.signature), v8.imports[n].type, `${i.module}.${i.name}`);
        });
      });

      it('exports equal V8’s', () => {
        assert.deepEqual(
          facts.exports.map((e) => ({ name: e.name, kind: V8_KIND[e.kind] })),
          v8.exports.map((e) => ({ name: e.name, kind: e.kind })),
        );
        facts.exports.forEach((e, n) => {
          if (e.kind === 'func')
            assert.deepEqual(v8Signature(facts.functions[e.index].signature), v8.exports[n].type, e.name);
        });
      });

      it('memory and table limits equal V8’s type reflection', () => {
        const limits = (d: V8Descriptor) => ({
          minimum: d.type?.minimum,
          maximum: d.type?.maximum,
          shared: d.type?.shared ?? false,
        });
        let compared = 0;
        for (const [list, kind] of [
          [v8.imports, 'memory'],
          [v8.exports, 'memory'],
        ] as const) {
          for (const d of list.filter((x) => x.kind === kind)) {
            const memory =
              d.module !== undefined
                ? facts.memories[facts.imports.find((i) => i.module === d.module && i.name === d.name)!.index]
                : facts.memories.find((m) => m.exportedAs.includes(d.name))!;
            assert.deepEqual(
              { minimum: memory.initial, maximum: memory.maximum ?? undefined, shared: memory.shared },
              limits(d),
              d.name,
            );
            compared++;
          }
        }
        for (const d of [...v8.imports, ...v8.exports].filter((x) => x.kind === 'table')) {
          const table =
            d.module !== undefined
              ? facts.tables[facts.imports.find((i) => i.module === d.module && i.name === d.name)!.index]
              : facts.tables.find((t) => t.exportedAs.includes(d.name))!;
          assert.equal(table.initial, d.type?.minimum, d.name);
          assert.equal(table.maximum ?? undefined, d.type?.maximum, d.name);
          compared++;
        }
        assert.ok(compared > 0 || facts.memories.length === 0, 'every module here exposes a memory');
      });
    });
  }

  it('shows import names that are not identifiers', () => {
    const imports = (id: string) => readBinaryModule(readFileSync(paths[id])).imports;
    assert.ok(imports('wasi-adapter').some((i) => /^wasi:[a-z]+\/[a-z-]+@0\.2\.\d+$/.test(i.module)));
    assert.ok(imports('esbuild-wasm').some((i) => i.module === 'gojs' && i.name.startsWith('runtime.')));
    assert.ok(imports('brotli-wasm').some((i) => i.name.startsWith('__wbindgen_')));
    const memory = readBinaryModule(readFileSync(paths['web-tree-sitter'])).memories[0];
    assert.deepEqual([memory.imported, memory.initial, memory.maximum], [true, 512, 32768]);
    const esbuild = readBinaryModule(readFileSync(paths['esbuild-wasm'])).memories[0];
    assert.equal(esbuild.maximum, null, 'Go output declares no memory maximum');
  });

  it('the body scan’s per-function opcode counts equal wasm-objdump -d', () => {
    const path = paths['zstd-wasm'];
    const expected = new Map<
      number,
      { instructions: number; xor: number; callIndirect: number; loop: number }
    >();
    let current: { instructions: number; xor: number; callIndirect: number; loop: number } | undefined;
    for (const line of execFileSync('wasm-objdump', ['-d', path], { maxBuffer: 256 * 1024 * 1024 })
      .toString()
      .split('\n')) {
      const header = /^[0-9a-f]+ func\[(\d+)\]/.exec(line);
      if (header)
        expected.set(Number(header[1]), (current = { instructions: 0, xor: 0, callIndirect: 0, loop: 0 }));
      // One line per instruction; long immediates continue on lines with nothing after the bar.
      const text = /^ [0-9a-f]+: [0-9a-f ]*\| +(\S.*)$/.exec(line)?.[1];
      if (!current || !text || text.startsWith('local[')) continue;
      current.instructions++;
      if (/^i(32|64)\.xor$/.test(text)) current.xor++;
      if (text.startsWith('call_indirect')) current.callIndirect++;
      if (text.startsWith('loop')) current.loop++;
    }
    const scan = scanFunctionBodies(readFileSync(path));
    assert.deepEqual(scan.problems, []);
    assert.equal(scan.functions.length, expected.size);
    for (const f of scan.functions) {
      const { instructions, xor, callIndirect, loop } = f.counts;
      assert.deepEqual(
        { instructions, xor, callIndirect, loop },
        expected.get(f.index),
        `function ${f.index}`,
      );
    }
  });

  it('the body scan’s per-function instruction and xor counts equal the wasmparser package’s', () => {
    const bytes = readFileSync(paths['sql.js']);
    const reader = new BinaryReader();
    reader.setData(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), 0, bytes.length);
    const expected: Array<{ instructions: number; xor: number }> = [];
    while (reader.read()) {
      assert.notEqual(reader.state, -1, String(reader.error));
      if (reader.state === 28 /* BEGIN_FUNCTION_BODY */) expected.push({ instructions: 0, xor: 0 });
      if (reader.state === 30 /* CODE_OPERATOR */) {
        const current = expected[expected.length - 1];
        current.instructions++;
        const code = (reader.result as { code: number }).code;
        if (code === 0x73 || code === 0x85) current.xor++;
      }
    }
    const scan = scanFunctionBodies(bytes);
    assert.deepEqual(
      scan.functions.map((f) => ({ instructions: f.counts.instructions, xor: f.counts.xor })),
      expected,
    );
  });

  const WASI_RC = [
    'wasi:cli/environment@0.2.0-rc-2023-12-05',
    'wasi:cli/exit@0.2.0-rc-2023-12-05',
    'wasi:io/error@0.2.0-rc-2023-11-10',
    'wasi:io/streams@0.2.0-rc-2023-11-10',
    'wasi:cli/stdin@0.2.0-rc-2023-12-05',
    'wasi:cli/stdout@0.2.0-rc-2023-12-05',
    'wasi:cli/stderr@0.2.0-rc-2023-12-05',
    'wasi:cli/terminal-input@0.2.0-rc-2023-12-05',
    'wasi:cli/terminal-output@0.2.0-rc-2023-12-05',
    'wasi:cli/terminal-stdin@0.2.0-rc-2023-12-05',
    'wasi:cli/terminal-stdout@0.2.0-rc-2023-12-05',
    'wasi:cli/terminal-stderr@0.2.0-rc-2023-12-05',
    'wasi:clocks/wall-clock@0.2.0-rc-2023-11-10',
    'wasi:filesystem/types@0.2.0-rc-2023-11-10',
    'wasi:filesystem/preopens@0.2.0-rc-2023-11-10',
    'wasi:random/random@0.2.0-rc-2023-11-10',
  ];

  const COMPONENTS = {
    'jco-bindgen-component': {
      imports: [
        ...WASI_RC,
        'files',
        'maps',
        'instantiation-mode',
        'generate-options',
        'wit',
        'type-generation-options',
        'export-type',
        'transpiled',
      ],
      exports: [
        ['generate', 'func'],
        ['generate-types', 'func'],
      ],
      nested: ['module', 'module', 'module', 'module'],
    },
    'wasm-tools-component': {
      imports: WASI_RC,
      exports: [['local:wasm-tools/tools', 'instance']],
      nested: ['module', 'module', 'module', 'module', 'component'],
    },
  };

  for (const [id, expected] of Object.entries(COMPONENTS)) {
    describe(`${id} (component)`, () => {
      it('V8 rejects it, the reader lists its imports, exports and nested modules', () => {
        const bytes = readFileSync(paths[id]);
        assert.throws(
          () =>
            new (
              globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object } }
            ).WebAssembly.Module(bytes),
        );
        const facts = readBinaryModule(bytes);
        assert.deepEqual(facts.problems, []);
        assert.equal(facts.kind, 'component');
        assert.deepEqual(
          facts.components!.imports.map((i) => i.name),
          expected.imports,
        );
        assert.deepEqual(
          facts.components!.exports.map((e) => [e.name, e.kind]),
          expected.exports,
        );
        assert.deepEqual(
          facts.modules!.map((m) => m.kind),
          expected.nested,
        );
        assert.deepEqual(validateBinary(bytes, facts), []);
        // The body pass walks the nested core modules' functions, each tagged with its module.
        const scan = scanFunctionBodies(bytes, { facts });
        assert.deepEqual(scan.problems, []);
        const perModule = allCoreModules(facts).map(
          (_, n) => scan.functions.filter((f) => f.module === n).length,
        );
        assert.deepEqual(
          perModule,
          allCoreModules(facts).map((m) => m.functionCount),
        );
        for (const f of scan.functions) {
          const owner = allCoreModules(facts)[f.module!].location;
          const inside =
            f.location.kind === 'binary' &&
            owner.kind === 'binary' &&
            f.location.offset > owner.offset &&
            f.location.offset < owner.offset + owner.length;
          assert.ok(inside, `function ${f.index} of module ${f.module} lies inside its module`);
        }
      });

      it('each nested core module matches wasm-objdump on its own bytes', () => {
        const bytes = readFileSync(paths[id]);
        const facts = readBinaryModule(bytes);
        const dir = mkdtempSync(join(tmpdir(), 'wasm-warden-nested-'));
        try {
          for (const [n, m] of allCoreModules(facts).entries()) {
            assert.equal(m.location.kind, 'binary');
            if (m.location.kind !== 'binary') continue;
            const file = join(dir, `m${n}.wasm`);
            writeFileSync(file, bytes.subarray(m.location.offset, m.location.offset + m.location.length));
            const dump = execFileSync('wasm-objdump', ['-h', file]).toString();
            const count = (section: string) =>
              Number(new RegExp(`^\\s*${section} .*count: (\\d+)`, 'm').exec(dump)?.[1] ?? 0);
            assert.equal(m.imports.length, count('Import'), `module ${n} imports`);
            assert.equal(m.exports.length, count('Export'), `module ${n} exports`);
            assert.equal(m.functionCount, count('Code'), `module ${n} functions`);
            assert.deepEqual(readBinaryModule(readFileSync(file)).imports.length, m.imports.length);
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  }
});
