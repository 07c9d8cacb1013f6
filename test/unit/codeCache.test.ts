import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contentKeys } from '../../server/src/features/analysisCache';
import { CodeCache } from '../../server/src/features/scan/codeCache';
import { analyzeModule } from '../../server/src/core/analyze';
import { encodeVarUint32 } from '../../server/src/core/module/byteReader';
import { nodeFileSystem } from '../../server/src/core/policy/fileSystem';
import { PolicyResolver } from '../../server/src/core/policy/resolver';
import type { ModuleFacts } from '../../server/src/core/module/model';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { allCoreModules } from '../../server/src/core/module/component';
import { buildCallGraph } from '../../server/src/core/reach/callGraph';
import { analyseReachability } from '../../server/src/core/reach/reachability';
import type { ImportFixData } from '../../server/src/core/rules/fixData';
import type { CodeResults } from '../../server/src/core/rules/support/codeView';
import { COUNT_FIELDS, packStats, unpackStats } from '../../server/src/core/rules/support/packedStats';
import type { OpcodeCounts } from '../../server/src/core/module/code';
import type { Finding } from '../../server/src/core/findings';
import { compileWat } from '../../server/src/core/wat/compile';

/** Every count read through its getter, as a plain object. */
const plainCounts = (counts: OpcodeCounts) =>
  Object.fromEntries(COUNT_FIELDS.map((f) => [f, counts[f]])) as unknown as OpcodeCounts;

async function build(data: string, argument = 0): Promise<Uint8Array> {
  const { bytes } = await compileWat(
    `(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
       (memory 1)
       (func $helper (drop (call $w (i32.const ${argument}) (i32.const 0) (i32.const 0) (i32.const 0))))
       (func (export "run") (call $helper))
       (data (i32.const 8) "${data}"))`,
  );
  assert.ok(bytes);
  return bytes;
}

/** `bytes` with a custom section after the preamble: the same code, every section further on. */
function withLeadingNote(bytes: Uint8Array): Uint8Array {
  const body = Buffer.concat([Buffer.from(encodeVarUint32(4)), Buffer.from('note'), Buffer.from('xyz')]);
  const section = Buffer.concat([Buffer.from([0]), Buffer.from(encodeVarUint32(body.length)), body]);
  return Buffer.concat([bytes.subarray(0, 8), section, bytes.subarray(8)]);
}

describe('what function bodies say, shared by modules with the same code', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-reach-cache-'));
  fs.writeFileSync(
    path.join(dir, 'wasm-policy.json'),
    '{ "imports": { "allow": ["env.*"], "otherwise": "warn" } }',
  );
  const policy = new PolicyResolver(nodeFileSystem, { roots: [dir] }).resolve(path.join(dir, 'x.wasm'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is built once for builds that differ only in data bytes, again for other code or other offsets, with the findings of a fresh analysis', async () => {
    const cache = new CodeCache();
    let builds = 0;
    const analyse = async (bytes: Uint8Array, shared: boolean) => {
      const from = shared ? cache.for(contentKeys(bytes, undefined).engine) : undefined;
      // Every analysis here builds the graph (an import is reached): when the record has none, it builds one.
      const counted =
        from &&
        ((facts: ModuleFacts) => {
          const known = from(facts);
          if (!known.reachability) builds++;
          return known;
        });
      return (await analyzeModule({ fileName: 'x.wasm', bytes, policy, codeResults: counted })).findings;
    };
    const v1 = await build('build 0001');
    const files = {
      v1,
      v2: await build('build 0002'),
      code: await build('build 0001', 1),
      shifted: withLeadingNote(v1),
    };
    const flows: Record<string, unknown> = {};
    for (const [name, bytes] of Object.entries(files)) {
      const findings = await analyse(bytes, true);
      assert.deepEqual(findings, await analyse(bytes, false), name);
      const reached = findings.find((f) => f.ruleId === 'disallowed-import');
      assert.match(reached?.message ?? '', /Reached from export `run` via `func\[1\]`/, name);
      flows[name] = (reached?.data as ImportFixData | undefined)?.reach?.flow;
      assert.ok(flows[name], name);
    }
    // v2 reuses v1's graph; other code and the same code further on in the file are built anew.
    assert.equal(builds, 3);
    assert.deepEqual(flows.v2, flows.v1);
    assert.notDeepEqual(flows.shifted, flows.v1); // the call site moved with the code section
  });

  it('keys the core modules of components the same way, and shares nothing without keys, malformed or past its budget', async () => {
    const component = (core: Uint8Array) =>
      Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 1, ...encodeVarUint32(core.length), ...core]);
    /** How many graphs `cache` builds for the core modules of `files`, each checked against a fresh build. */
    const builds = (cache: CodeCache, files: Uint8Array[], keyed = true) => {
      let count = 0;
      for (const bytes of files) {
        const from = cache.for(keyed ? contentKeys(bytes, undefined).engine : new Map());
        for (const facts of allCoreModules(readBinaryModule(bytes))) {
          const make = () => analyseReachability(buildCallGraph(facts, bytes));
          const known = from(facts);
          if (!known.reachability) {
            count++;
            known.reachability = make();
          }
          assert.deepEqual(known.reachability.graph, make().graph);
        }
      }
      return count;
    };
    const [one, two] = [await build('build 0001'), await build('build 0002')];
    assert.equal(builds(new CodeCache(), [component(one), component(two)]), 1);
    assert.equal(builds(new CodeCache(), [one, component(one)]), 2); // another offset
    assert.equal(builds(new CodeCache(), [one, two], false), 2);
    assert.equal(builds(new CodeCache(1), [one, two]), 2);
    // A module the reader reports as malformed: its graph is its own, whatever the key says.
    const cut = Buffer.from(one);
    const facts = readBinaryModule(cut);
    facts.problems.push({
      ruleId: 'invalid-module',
      severity: 'error',
      message: 'x',
      location: facts.location,
    });
    const from = new CodeCache().for(contentKeys(cut, undefined).engine);
    from(facts).reachability = analyseReachability(buildCallGraph(facts, cut));
    assert.equal(from(facts).reachability, undefined);
  });
  it("keeps the bodies' opcode counts too: a build with other data bytes takes them from the record", async () => {
    const build = async (data: string) => {
      const { bytes } = await compileWat(
        `(module (type $t (func)) (table (export "tbl") 2 funcref) (memory 1)
           (func $a (call_indirect (type $t) (i32.const 0)) (call_indirect (type $t) (i32.const 1)))
           (func (export "run") (call $a))
           (data (i32.const 8) "${data}"))`,
      );
      assert.ok(bytes);
      return bytes;
    };
    const [v1, v2] = [await build('build 0001'), await build('build 0002')];
    const cache = new CodeCache();
    const shared = (bytes: Uint8Array) => cache.for(contentKeys(bytes, undefined).engine);
    const analyse = async (bytes: Uint8Array, codeResults?: (facts: ModuleFacts) => CodeResults) =>
      (await analyzeModule({ fileName: 'x.wasm', bytes, policy, codeResults })).findings;
    const exposure = (findings: Finding[]) => findings.find((f) => f.ruleId === 'table-exposure')?.message;

    const first = await analyse(v1, shared(v1));
    assert.deepEqual(first, await analyse(v1));
    assert.match(exposure(first) ?? '', /makes 2 indirect calls/);
    // The record v1 left behind is what v2 reads: a count changed in it shows in v2's finding.
    const record = shared(v2)(readBinaryModule(v2));
    assert.ok(record.functions);
    const kept = unpackStats(record.functions, () => readBinaryModule(v2).location);
    assert.deepEqual(
      kept.map((fn) => fn.counts.callIndirect),
      [2, 0],
    );
    // The counts are views of the record: copied field by field, as a spread would see none of them.
    record.functions = packStats(
      kept.map((fn) => ({ ...fn, counts: { ...plainCounts(fn.counts), callIndirect: 5 } })),
    );
    assert.match(exposure(await analyse(v2, shared(v2))) ?? '', /makes 10 indirect calls/);
    assert.match(exposure(await analyse(v2)) ?? '', /makes 2 indirect calls/);
  });
  it('scans every body once the code is shared, for the rules that would prefilter them in each module', async () => {
    // No imports and no table: nothing else scans the bodies.
    const plain = async (data: string) => {
      const { bytes } = await compileWat(
        `(module (memory 1) (func $f (result i32) (i32.const 1)) (func (export "run") (drop (call $f)))
           (data (i32.const 8) "${data}"))`,
      );
      assert.ok(bytes);
      return bytes;
    };
    const [v1, v2, v3] = [await plain('build 0001'), await plain('build 0002'), await plain('build 0003')];
    const cache = new CodeCache();
    const record = () => cache.for(contentKeys(v1, undefined).engine)(readBinaryModule(v1));
    for (const [i, bytes] of [v1, v2, v3].entries()) {
      const codeResults = cache.for(contentKeys(bytes, undefined).engine);
      const findings = (await analyzeModule({ fileName: 'x.wasm', bytes, policy, codeResults })).findings;
      assert.deepEqual(findings, (await analyzeModule({ fileName: 'x.wasm', bytes, policy })).findings);
      // The first module's cryptominer prefilters its bodies; the second scans them all, kept for the third.
      const kept = record().functions;
      assert.equal(
        kept && unpackStats(kept, () => readBinaryModule(v1).location).length,
        i === 0 ? undefined : 2,
        `after module ${i + 1}`,
      );
    }
  });
  it('packs every opcode count of every function, and gives them back as they were', () => {
    const stats = [7, 9].map((funcIndex) => ({
      funcIndex,
      counts: Object.fromEntries(
        COUNT_FIELDS.map((f, k) => [f, funcIndex * 100 + k]),
      ) as unknown as OpcodeCounts,
      location: { kind: 'binary' as const, offset: funcIndex, length: 1 },
    }));
    const back = unpackStats(packStats(stats), (index) => ({ kind: 'binary', offset: index, length: 1 }));
    assert.deepEqual(
      back.map((fn) => ({ ...fn, counts: plainCounts(fn.counts) })),
      stats,
    );
  });
});
