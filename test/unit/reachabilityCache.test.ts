import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contentKeys } from '../../server/src/features/analysisCache';
import { ReachabilityCache } from '../../server/src/features/scan/reachabilityCache';
import { analyzeModule } from '../../server/src/core/analyze';
import { encodeVarUint32 } from '../../server/src/core/module/byteReader';
import { nodeFileSystem } from '../../server/src/core/policy/fileSystem';
import { PolicyResolver } from '../../server/src/core/policy/resolver';
import type { Reachability } from '../../server/src/core/reach/reachability';
import type { ModuleFacts } from '../../server/src/core/module/model';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { allCoreModules } from '../../server/src/core/module/component';
import { buildCallGraph } from '../../server/src/core/reach/callGraph';
import { analyseReachability } from '../../server/src/core/reach/reachability';
import type { ImportFixData } from '../../server/src/core/rules/fixData';
import { compileWat } from '../../server/src/core/wat/compile';

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

describe('reachability shared by modules with the same code', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-reach-cache-'));
  fs.writeFileSync(
    path.join(dir, 'wasm-policy.json'),
    '{ "imports": { "allow": ["env.*"], "otherwise": "warn" } }',
  );
  const policy = new PolicyResolver(nodeFileSystem, { roots: [dir] }).resolve(path.join(dir, 'x.wasm'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is built once for builds that differ only in data bytes, again for other code or other offsets, with the findings of a fresh analysis', async () => {
    const cache = new ReachabilityCache();
    let builds = 0;
    const analyse = async (bytes: Uint8Array, shared: boolean) => {
      const from = shared ? cache.for(contentKeys(bytes, undefined).engine) : undefined;
      const counted =
        from && ((facts: ModuleFacts, make: () => Reachability) => from(facts, () => (builds++, make())));
      return (await analyzeModule({ fileName: 'x.wasm', bytes, policy, reachability: counted })).findings;
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
    const builds = (cache: ReachabilityCache, files: Uint8Array[], keyed = true) => {
      let count = 0;
      for (const bytes of files) {
        const from = cache.for(keyed ? contentKeys(bytes, undefined).engine : new Map());
        for (const facts of allCoreModules(readBinaryModule(bytes))) {
          const make = () => analyseReachability(buildCallGraph(facts, bytes));
          const reach = from(facts, () => (count++, make()));
          assert.deepEqual(reach.graph, make().graph);
        }
      }
      return count;
    };
    const [one, two] = [await build('build 0001'), await build('build 0002')];
    assert.equal(builds(new ReachabilityCache(), [component(one), component(two)]), 1);
    assert.equal(builds(new ReachabilityCache(), [one, component(one)]), 2); // another offset
    assert.equal(builds(new ReachabilityCache(), [one, two], false), 2);
    assert.equal(builds(new ReachabilityCache(1), [one, two]), 2);
    // A module the reader reports as malformed: its graph is its own, whatever the key says.
    const cut = Buffer.from(one);
    const facts = readBinaryModule(cut);
    facts.problems.push({
      ruleId: 'invalid-module',
      severity: 'error',
      message: 'x',
      location: facts.location,
    });
    let count = 0;
    const from = new ReachabilityCache().for(contentKeys(cut, undefined).engine);
    for (let i = 0; i < 2; i++) from(facts, () => (count++, analyseReachability(buildCallGraph(facts, cut))));
    assert.equal(count, 2);
  });
});
