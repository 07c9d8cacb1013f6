import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ContentCache, contentKeys, SharedResults, slimFacts } from '../../server/src/features/analysisCache';
import { ModuleAnalyzer } from '../../server/src/features/moduleAnalysis';
import { DEFAULT_SETTINGS } from '../../server/src/features/settings';
import { analyzeModule } from '../../server/src/core/analyze';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { engine } from '../../server/src/core/module/engineSupport';
import { nodeFileSystem } from '../../server/src/core/policy/fileSystem';
import { PolicyResolver } from '../../server/src/core/policy/resolver';
import { compileWat } from '../../server/src/core/wat/compile';
import { encodeVarUint32 } from '../../server/src/core/module/byteReader';
import type { ResolvedPolicy } from '../../server/src/core/policy/resolver';
import type { Finding } from '../../server/src/core/findings';

/** A custom section named `name` holding `payload`. */
function customSection(name: string, payload: string): Uint8Array {
  const body = Buffer.concat([
    Buffer.from(encodeVarUint32(name.length)),
    Buffer.from(name, 'latin1'),
    Buffer.from(payload, 'latin1'),
  ]);
  return Buffer.concat([Buffer.from([0]), Buffer.from(encodeVarUint32(body.length)), body]);
}

/** `bytes` with a custom section put right after the preamble (where a signature goes). */
function withLeadingSection(bytes: Uint8Array, section: Uint8Array): Uint8Array {
  return Buffer.concat([bytes.subarray(0, 8), section, bytes.subarray(8)]);
}

async function wasm(text: string): Promise<Uint8Array> {
  const { bytes } = await compileWat(text);
  assert.ok(bytes, text);
  return bytes;
}

/** A module the reader reads without complaint but the engine rejects (a type error in a body). */
const ILL_TYPED = '0061736d01000000010401600000030201000a0601040041000b';

describe('server analysis cache', () => {
  it('slim facts keep imports, exports, memories and counts, and drop per-function detail', async () => {
    const { bytes } = await compileWat(
      '(module (import "env" "f" (func)) (memory 1 2) (func (export "g")) (data (i32.const 0) "x"))',
    );
    assert.ok(bytes);
    const facts = readBinaryModule(bytes);
    const slim = slimFacts(facts);
    assert.deepEqual(slim.imports, facts.imports);
    assert.deepEqual(slim.exports, facts.exports);
    assert.deepEqual(slim.memories, facts.memories);
    assert.equal(slim.functionCount, facts.functionCount);
    assert.ok(facts.functions.length > 0 && facts.dataSegments.length > 0);
    assert.deepEqual([slim.functions, slim.dataSegments], [[], []]);
  });

  it('reuses a result only for the same bytes, signature, policy object and settings', () => {
    const cache = new ContentCache();
    const policy = {} as ResolvedPolicy;
    const other = {} as ResolvedPolicy;
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    const key = contentKeys(bytes, undefined).file;
    cache.set(key, { policy, settingsKey: '{}', facts: [], findings: [] });
    assert.ok(cache.get(key, policy, '{}'));
    assert.equal(cache.get(key, other, '{}'), undefined);
    assert.equal(cache.get(key, policy, '{"debug-info":"off"}'), undefined);
    assert.notEqual(contentKeys(bytes, new Uint8Array([1])).file, key);
    assert.equal(
      cache.get(contentKeys(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 1]), undefined).file, policy, '{}'),
      undefined,
    );
  });
});

describe('shared results', () => {
  it('hand back the first of equal results and keep different ones apart', async () => {
    const shared = new SharedResults();
    const facts = [slimFacts(readBinaryModule(await wasm('(module (memory 1))')))];
    const finding = {
      ruleId: 'memory-limit',
      severity: 'warning' as const,
      message: 'm',
      location: facts[0].location,
    };
    const first = shared.share({ facts, findings: [finding] });
    const equal = shared.share(structuredClone({ facts, findings: [finding] }));
    const other = shared.share({ facts, findings: [{ ...finding, message: 'n' }] });
    assert.equal(equal, first);
    assert.notEqual(other, first);
    assert.equal(other.findings[0].message, 'n');
    // JSON would write both as null.
    const nan = shared.share({ facts, findings: [{ ...finding, data: { value: Number.NaN } }] });
    const infinite = shared.share({ facts, findings: [{ ...finding, data: { value: Infinity } }] });
    assert.notEqual(infinite, nan);
  });
});

describe('content keys', () => {
  it('give builds that differ only in custom sections one engine key and their own file keys', async () => {
    const bytes = await wasm(
      '(module (func (export "f") (result i32) i32.const 7) (data (memory 0) (i32.const 0) "x") (memory 1))',
    );
    const signed = withLeadingSection(bytes, customSection('signature', 'abc'));
    const named = Buffer.concat([bytes, customSection('producers', 'x')]);
    const keys = [bytes, signed, named].map((b) => contentKeys(b, undefined));
    assert.deepEqual([...keys[0].engine.keys()], [0]);
    assert.equal(new Set(keys.map((k) => k.engine.get(0))).size, 1);
    assert.equal(new Set(keys.map((k) => k.file)).size, 3);
  });

  it('tell apart files whose custom sections sit elsewhere or whose other sections differ', async () => {
    const bytes = await wasm('(module (func (export "f") (result i32) i32.const 7))');
    const section = customSection('note', 'n');
    const first = withLeadingSection(bytes, section);
    const last = Buffer.concat([bytes, section]);
    assert.notEqual(contentKeys(first, undefined).file, contentKeys(last, undefined).file);
    const other = await wasm('(module (func (export "f") (result i32) i32.const 8))');
    assert.notEqual(contentKeys(other, undefined).engine.get(0), contentKeys(bytes, undefined).engine.get(0));
  });

  it('give modules that differ only in the bytes of data segments one engine key and their own file keys', async () => {
    const module = (active: string, passive: string, offset = '(i32.const 16)') =>
      wasm(
        `(module (import "env" "g" (global $g i32)) (memory 1) (func (export "f") (result i32) i32.const 7)
           (data (memory 0) ${offset} "${active}") (data "${passive}") (data (i32.const 0) ""))`,
      );
    const base = contentKeys(await module('abcd', 'xy'), undefined);
    const sameShape = [await module('abce', 'xy'), await module('abcd', 'zz')].map((b) =>
      contentKeys(b, undefined),
    );
    for (const keys of sameShape) {
      assert.equal(keys.engine.get(0), base.engine.get(0));
      assert.notEqual(keys.file, base.file);
    }
    // The segments' lengths and offsets are the module's shape: they keep their own keys.
    for (const other of [await module('abcde', 'xy'), await module('abcd', 'xy', '(global.get $g)')]) {
      assert.notEqual(contentKeys(other, undefined).engine.get(0), base.engine.get(0));
    }
  });

  it('key the core modules inside a component where the reader finds them', async () => {
    const inner = await wasm('(module (func (export "f") (result i32) i32.const 7))');
    const nested = (id: number, content: Uint8Array) =>
      Buffer.concat([Buffer.from([id]), Buffer.from(encodeVarUint32(content.length)), content]);
    const preamble = Buffer.from([0, 97, 115, 109, 0x0d, 0, 1, 0]);
    // A component holding the module, and a component nested in it holding the module again.
    const component = Buffer.concat([
      preamble,
      nested(1, inner),
      nested(4, Buffer.concat([preamble, nested(1, inner)])),
    ]);
    const keys = contentKeys(component, undefined);
    const offsets = readBinaryModule(component).modules!.flatMap(function starts(m): number[] {
      return m.kind === 'module'
        ? [(m.location as { offset: number }).offset]
        : (m.modules ?? []).flatMap(starts);
    });
    assert.deepEqual([...keys.engine.keys()], offsets);
    assert.equal(offsets.length, 2);
    assert.deepEqual(
      [...keys.engine.values()],
      [0, 0].map(() => contentKeys(inner, undefined).engine.get(0)),
    );
  });

  it('have no engine key for malformed files, and still a file key', async () => {
    const truncated = (await wasm('(module (func))')).subarray(0, 12);
    for (const bytes of [truncated, new Uint8Array([1, 2, 3])]) {
      const keys = contentKeys(bytes, undefined);
      assert.equal(keys.engine.size, 0);
      assert.match(keys.file, /^[0-9a-f]{64}$/);
    }
  });
});

describe('engine validation remembered by engine key', () => {
  it('is skipped when the engine accepted the module before, and otherwise reported', async () => {
    const bytes = Buffer.from(ILL_TYPED, 'hex');
    const policy = new PolicyResolver(nodeFileSystem, { roots: [os.tmpdir()] }).resolve(
      path.join(os.tmpdir(), 'x.wasm'),
    );
    const fresh = await analyzeModule({ fileName: 'x.wasm', bytes, policy });
    assert.deepEqual(fresh.engineAccepted, []);
    assert.ok(fresh.findings.some((f) => f.ruleId === 'invalid-module'));
    const told = await analyzeModule({ fileName: 'x.wasm', bytes, policy, knownValid: [0] });
    assert.deepEqual(told.engineAccepted, [0]);
    assert.ok(!told.findings.some((f) => f.ruleId === 'invalid-module'));
  });

  /** Analyses the files in order as the workspace scan does; counts the engine's validations. */
  async function scanFolder(
    files: Record<string, Uint8Array>,
  ): Promise<{ calls: number; findings: Record<string, Finding[]> }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-accepted-'));
    const validate = engine.validate;
    let calls = 0;
    engine.validate = (b: Uint8Array) => (calls++, validate.call(engine, b));
    try {
      for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
      const analyzer = new ModuleAnalyzer(new PolicyResolver(nodeFileSystem, { roots: [dir] }));
      const findings: Record<string, Finding[]> = {};
      for (const name of Object.keys(files)) {
        const uri = pathToFileURL(path.join(dir, name)).href;
        findings[name] = (await analyzer.analyzeFile(uri, DEFAULT_SETTINGS, false))!.findings;
      }
      return { calls, findings };
    } finally {
      engine.validate = validate;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const invalidIn = (findings: Finding[]) => findings.filter((f) => f.ruleId === 'invalid-module');

  it('lets the server validate a signed and an unsigned build of one module once between them', async () => {
    const bytes = await wasm('(module (func (export "f") (result i32) i32.const 7))');
    const { calls, findings } = await scanFolder({
      'plain.wasm': bytes,
      'signed.wasm': withLeadingSection(bytes, customSection('signature', 'sig')),
      'other.wasm': await wasm('(module (func (export "f") (result i32) i32.const 8))'),
      'bad.wasm': Buffer.from(ILL_TYPED, 'hex'),
      'bad-again.wasm': Buffer.concat([Buffer.from(ILL_TYPED, 'hex'), customSection('note', 'n')]),
    });
    // plain, other, bad and bad-again ask the engine; signed shares plain's engine key.
    assert.equal(calls, 4);
    assert.deepEqual(
      Object.fromEntries(Object.entries(findings).map(([name, f]) => [name, invalidIn(f).length > 0])),
      {
        'plain.wasm': false,
        'signed.wasm': false,
        'other.wasm': false,
        'bad.wasm': true,
        'bad-again.wasm': true,
      },
    );
  });

  it('lets the server validate builds that differ only in embedded data once, and code or data shape again', async () => {
    const build = (text: string, result = 7) =>
      wasm(
        `(module (memory 1) (func (export "f") (result i32) i32.const ${result}) (data (i32.const 8) "${text}"))`,
      );
    /** The same build with its data segment's offset an i64.const: the wrong type for a 32-bit memory. */
    const i64Offset = async (text: string) => {
      const bytes = Buffer.from(await build(text));
      const at = bytes.indexOf(Buffer.from([0x41, 0x08, 0x0b, text.length]));
      assert.ok(at > 0);
      bytes[at] = 0x42;
      return bytes;
    };
    const { calls, findings } = await scanFolder({
      'v1.wasm': await build('build 0001'),
      'v2.wasm': await build('build 0002'),
      'code.wasm': await build('build 0001', 8),
      'i64-offset.wasm': await i64Offset('build 0001'),
      'i64-offset-again.wasm': await i64Offset('build 0002'),
    });
    // v2 shares v1's verdict; the other code and both modules with a wrong offset type ask the engine.
    assert.equal(calls, 4);
    assert.deepEqual(findings['v2.wasm'], findings['v1.wasm']);
    for (const name of ['v1.wasm', 'v2.wasm', 'code.wasm'])
      assert.deepEqual(invalidIn(findings[name]), [], name);
    for (const name of ['i64-offset.wasm', 'i64-offset-again.wasm']) {
      assert.equal(invalidIn(findings[name]).length, 1, name);
      assert.equal(invalidIn(findings[name])[0].severity, 'error');
    }
  });
});
