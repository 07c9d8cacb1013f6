/**
 * The one pass over function bodies (module/code.ts) that gives the rules their opcode counts,
 * `inspect` its proposals and the call graph its calls. Checked on every valid module of the spec
 * test suite (converted by Debian wabt's `wast2json`, as moduleBinarySpec.test.ts does) and on
 * real-world modules against the wasmparser package, an independent decoder: the same calls at
 * the same byte offsets; logging calls changes no count or proposal, nor does the walk that keeps
 * no per-function counts (`inspect`'s); the graph built from a log
 * the rules' pass shared equals the graph built alone; `neverCalled` (one forward walk) equals
 * the imports that no entry point's own reach contains.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { BinaryReader } from 'wasmparser';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { CallSiteLog, scanFunctionBodies } from '../../server/src/core/module/code';
import type { ModuleFacts } from '../../server/src/core/module/model';
import { buildCallGraph } from '../../server/src/core/reach/callGraph';
import { analyseReachability } from '../../server/src/core/reach/reachability';
import { realWorldPaths } from '../support/realWorldFiles';
import { sharedTestdata } from '../support/sharedTestdata';

/** wasmparser's states (its enum is not exported under a usable name in this version). */
const ERROR = -1;
const CODE_OPERATOR = 30;

/**
 * Every call (`func:op@offset→immediate`) and every `ref.func` in bodies, as wasmparser reads
 * them; undefined when wasmparser cannot read the module (proposals newer than it).
 */
function wasmparserCalls(
  bytes: Uint8Array,
  facts: ModuleFacts,
): { calls: string[]; refFuncs: number[] } | undefined {
  const reader = new BinaryReader();
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  reader.setData(copy, 0, bytes.length);
  const defined = facts.functions.filter((f) => !f.imported).map((f) => f.index);
  let body = -1;
  const calls: string[] = [];
  const refFuncs: number[] = [];
  for (;;) {
    const at = reader.position;
    try {
      if (!reader.read()) return reader.position === bytes.length ? { calls, refFuncs } : undefined;
    } catch {
      return undefined; // wasmparser throws on some encodings it does not know
    }
    if (reader.state === ERROR) return undefined;
    if (reader.state === 28 /* BEGIN_FUNCTION_BODY */) body++;
    if (reader.state !== CODE_OPERATOR) continue;
    const op = reader.result as { code: number; funcIndex?: number; typeIndex?: number };
    if (op.code >= 0x10 && op.code <= 0x15) {
      const immediate = op.code === 0x10 || op.code === 0x12 ? op.funcIndex : op.typeIndex;
      calls.push(`${defined[body]}:${op.code}@${at}→${immediate}`);
    } else if (op.code === 0xd2) refFuncs.push(op.funcIndex!);
  }
}

function loggedCalls(log: CallSiteLog): { calls: string[]; refFuncs: number[] } {
  const calls: string[] = [];
  for (let i = 0; i < log.length; i++)
    calls.push(`${log.caller.at(i)}:${log.op.at(i)}@${log.offset.at(i)}→${log.first.at(i) >>> 0}`);
  return { calls, refFuncs: Array.from(log.refFuncs.data.subarray(0, log.refFuncs.length)) };
}

/** Checks one module; returns whether wasmparser could read it (to count the comparisons). */
function checkModule(bytes: Uint8Array, label: string): boolean {
  const facts = readBinaryModule(bytes);
  if (facts.kind !== 'module' || facts.problems.some((p) => p.severity === 'error')) return false;
  const log = new CallSiteLog();
  const shared = scanFunctionBodies(bytes, { facts, calls: log });
  const alone = scanFunctionBodies(bytes, { facts });
  assert.deepEqual(shared, alone, `${label}: logging calls changed the counts or proposals`);
  const proposalsOnly = scanFunctionBodies(bytes, { facts, collect: false, calls: new CallSiteLog() });
  assert.deepEqual(proposalsOnly.proposals, alone.proposals, `${label}: proposals of the one-tally walk`);
  assert.deepEqual(proposalsOnly.problems, alone.problems, `${label}: problems of the one-tally walk`);

  const graph = buildCallGraph(facts, bytes, log);
  const own = buildCallGraph(facts, bytes);
  assert.deepEqual(graph, own, `${label}: the graph of a shared log differs from the graph's own pass`);
  const reach = analyseReachability(graph);
  const reachedByAnEntry = new Set(graph.entries.flatMap((e) => reach.importsReachedFrom(e.funcIndex)));
  const expectedNever = [...Array(graph.importCount).keys()].filter((i) => !reachedByAnEntry.has(i));
  assert.deepEqual(reach.neverCalled(), expectedNever, `${label}: neverCalled`);

  const reference = wasmparserCalls(bytes, facts);
  if (!reference) return false;
  assert.deepEqual(loggedCalls(log), reference, `${label}: calls differ from wasmparser's`);
  return true;
}

describe('the body pass: counts, proposals and calls in one walk', function () {
  this.timeout(600_000);

  it('agrees with wasmparser and with the per-entry reach on every valid spec-suite module', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-warden-body-pass-'));
    try {
      let modules = 0;
      let compared = 0;
      const suite = sharedTestdata('spec-testsuite');
      for (const wast of readdirSync(suite).filter((f) => f.endsWith('.wast'))) {
        const json = join(dir, `${basename(wast, '.wast')}.json`);
        const result = spawnSync('wast2json', ['--enable-all', join(suite, wast), '-o', json], {
          stdio: 'ignore',
        });
        if (result.error)
          throw new Error(
            `wast2json is needed for this test (apt-get install wabt): ${result.error.message}`,
          );
        if (result.status !== 0) continue; // files wabt 1.0.32 cannot convert (moduleBinarySpec lists them)
        const { commands } = JSON.parse(readFileSync(json, 'utf8')) as {
          commands: Array<{ type: string; line: number; filename?: string }>;
        };
        for (const c of commands) {
          if (c.type !== 'module' || !c.filename?.endsWith('.wasm')) continue;
          modules++;
          if (checkModule(readFileSync(join(dir, c.filename)), `${wast}:${c.line}`)) compared++;
        }
      }
      console.log(`    ${modules} valid modules, ${compared} also read by wasmparser`);
      assert.ok(modules > 1500, `expected the suite's valid modules, got ${modules}`);
      // wasmparser 5 reads most of them (not the newest proposals): the comparison must be broad.
      assert.ok(compared > 1000, `wasmparser compared only ${compared} of ${modules} modules`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('agrees with wasmparser and with the per-entry reach on real-world modules', async () => {
    const ids = ['sql.js', 'zstd-wasm', 'web-tree-sitter', 'wasi-adapter', 'splicer-core'];
    const paths = await realWorldPaths((id) => ids.includes(id));
    for (const id of ids) assert.ok(checkModule(readFileSync(paths[id]), id), `${id}: not compared`);
  });

  it('logs a call of a body that breaks off, and the graph notes the body', () => {
    // (module (func $a) (func $b call $a call $a  <cut: no end>))
    const bytes = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x03, 0x02,
      0x00, 0x00, 0x0a, 0x0b, 0x02, 0x02, 0x00, 0x0b, 0x06, 0x00, 0x10, 0x00, 0x10, 0x00, 0x01,
    ]);
    const facts = readBinaryModule(bytes);
    const log = new CallSiteLog();
    const scan = scanFunctionBodies(bytes, { facts, calls: log });
    assert.deepEqual(loggedCalls(log).calls, ['1:16@27→0', '1:16@29→0']);
    assert.equal(scan.problems.length, 1);
    assert.match(scan.problems[0].message, /function 1: function body must end with the end opcode/);
    const graph = buildCallGraph(facts, bytes, log);
    assert.deepEqual(
      graph.problems.map((p) => p.funcIndex),
      [1],
    );
    assert.equal(graph.sites.caller.length, 2);
  });

  it('keeps no site for a direct call past the function space (invalid), and the others in place', () => {
    // (module (func $a) (func $b call 7 call $a))
    const bytes = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x03, 0x02,
      0x00, 0x00, 0x0a, 0x0b, 0x02, 0x02, 0x00, 0x0b, 0x06, 0x00, 0x10, 0x07, 0x10, 0x00, 0x0b,
    ]);
    const facts = readBinaryModule(bytes);
    const log = new CallSiteLog();
    scanFunctionBodies(bytes, { facts, calls: log });
    assert.deepEqual(loggedCalls(log).calls, ['1:16@27→7', '1:16@29→0']);
    const graph = buildCallGraph(facts, bytes, log);
    assert.deepEqual(
      [graph.sites.caller.length, graph.sites.target.at(0), graph.sites.offset.at(0)],
      [1, 0, 29],
    );
    assert.deepEqual(Array.from(graph.siteStart), [0, 0, 1]);
    assert.deepEqual(Array.from(graph.outList.subarray(graph.outStart[1], graph.outStart[2])), [0]);
  });
});
