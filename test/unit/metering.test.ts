/**
 * Fuel metering end to end: the rewriter's refusals and invariants, then real sandbox runs —
 * identical fuel on every run, a limit that stops at the same count, a limit of exactly the need
 * that lets the run finish, hostile modules (counter tampering, deep recursion, br_table storms),
 * samples from inside a loop that never calls the host, the profile, and a C program compiled here.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  instrumentModule,
  PROFILE_EXPORT_PREFIX,
  type CheckKind,
} from '../../server/src/core/metering/instrument';
import { createFuelCounter, SAMPLE_EVERY } from '../../server/src/core/sandbox/fuel';
import type { SandboxPolicy } from '../../server/src/core/policy/types';
import { DEFAULT_SANDBOX_POLICY } from '../../server/src/core/sandbox/defaults';
import { exitCodeFor, type SandboxAlert, type SandboxReport } from '../../server/src/core/sandbox/report';
import { startSandboxRun, type SandboxRunOptions } from '../../server/src/core/sandbox/runner';
import { disassemble } from '../../server/src/core/disasm/disassemble';
import { compileWat } from '../../server/src/core/wat/compile';
import { readBinaryModule } from '../../server/src/core/module/binary';

/* eslint-disable @typescript-eslint/no-explicit-any -- the engine's WebAssembly API is untyped here */
const WA = (globalThis as any).WebAssembly;

const fixtures = path.resolve(__dirname, '../../../test/fixtures/metering');
const fixture = (name: string): string => path.join(fixtures, `${name}.wat`);

function policy(overrides: Partial<SandboxPolicy> = {}): SandboxPolicy {
  return { ...DEFAULT_SANDBOX_POLICY, timeoutMs: 60_000, ...overrides };
}

async function run(options: SandboxRunOptions): Promise<SandboxReport> {
  return startSandboxRun({ policy: policy(), ...options }).done;
}

async function watBytes(name: string): Promise<Uint8Array> {
  const compiled = await compileWat(fs.readFileSync(fixture(name), 'utf8'));
  assert.ok('bytes' in compiled && compiled.bytes, `${name}.wat compiles`);
  return compiled.bytes;
}

/** Unsigned LEB128. */
function leb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    out.push((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
    v >>>= 7;
  } while (v);
  return out;
}

/** A minimal module: one function whose body is `code` (bytes after the locals). */
function moduleWithBody(code: number[]): Uint8Array {
  const body = [0x00, ...code];
  const entry = [...leb(body.length), ...body];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...[0x01, 0x04, 0x01, 0x60, 0x00, 0x00], // type: [] -> []
    ...[0x03, 0x02, 0x01, 0x00], // one function
    ...[0x0a, ...leb(entry.length + 1), 0x01, ...entry],
  ]);
}

/** A module of `n` empty functions and an exported `main` (function n) that calls 0 and n - 1. */
function manyFunctions(n: number): Uint8Array {
  const section = (id: number, content: number[]): number[] => [id, ...leb(content.length), ...content];
  const main = [0x00, 0x10, 0x00, 0x10, ...leb(n - 1), 0x0b]; // call 0; call n-1
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x01, 0x60, 0x00, 0x00]),
    ...section(3, [...leb(n + 1), ...new Array(n + 1).fill(0)]),
    ...section(7, [0x01, 0x04, ...Buffer.from('main'), 0x00, ...leb(n)]),
    ...section(10, [
      ...leb(n + 1),
      ...new Array(n).fill([0x02, 0x00, 0x0b]).flat(),
      ...leb(main.length),
      ...main,
    ]),
  ]);
}

describe('fuel metering', function () {
  this.timeout(120_000);

  describe('the rewriter', () => {
    it('refuses an instruction it does not know instead of guessing, with its offset', () => {
      const result = instrumentModule(moduleWithBody([0x27, 0x0b])); // 0x27 is no opcode
      assert.equal(result.ok, false);
      assert.ok(!result.ok && /cannot meter/.test(result.message), JSON.stringify(result));
      assert.ok(!result.ok && result.offset !== undefined);
    });

    it("refuses a profile that would pass the engine's limit of globals, and meters the module without one", () => {
      const bytes = manyFunctions(100_000);
      const profiled = instrumentModule(bytes, { profile: true });
      assert.ok(!profiled.ok);
      assert.match(
        profiled.message,
        /100001 functions and 0 loops need 1000010 counter globals, over the engine's limit of 1000000/,
      );
      const metered = instrumentModule(bytes);
      assert.ok(metered.ok && WA.validate(metered.bytes));
    });

    it("refuses, with the function and its offset, a body that metering would grow past the engine's limit", () => {
      // 400,000 empty loops (1.2 MB): each loop header gains a charge and a check.
      const bytes = moduleWithBody(new Array(400_000).fill([0x03, 0x40, 0x0b]).flat().concat(0x0b));
      assert.ok(WA.validate(bytes));
      const result = instrumentModule(bytes);
      assert.ok(!result.ok);
      assert.match(
        result.message,
        /^function 0 would be \d+ bytes metered, over the engine's limit of 7654321 bytes/,
      );
      assert.ok(result.offset !== undefined && result.offset > 0 && result.offset < 32);
    });

    it('refuses a module that imports from the meter module (it could reach the counter)', async () => {
      const bytes = await compileWatText(
        '(module (import "wasm-warden:meter" "fuel" (global (mut i64))) (func (export "f")))',
      );
      const result = instrumentModule(bytes);
      assert.ok(!result.ok && /reserves/.test(result.message));
    });

    it('keeps the exports and adds no way to reach the counter; the metered module validates', async () => {
      for (const name of ['spin', 'tamper', 'recurse']) {
        const bytes = await watBytes(name);
        const result = instrumentModule(bytes);
        assert.ok(result.ok);
        assert.ok(WA.validate(result.bytes), `${name} metered validates`);
        const exports = (b: Uint8Array): string[] =>
          WA.Module.exports(new WA.Module(b)).map(
            (e: { name: string; kind: string }) => `${e.name}:${e.kind}`,
          );
        assert.deepEqual(exports(result.bytes), exports(bytes));
        // The counter is an import the host owns, never a global the module declares or exports.
        const meterImports = WA.Module.imports(new WA.Module(result.bytes)).filter(
          (i: { module: string }) => i.module === 'wasm-warden:meter',
        );
        assert.deepEqual(
          meterImports.map((i: { name: string; kind: string }) => `${i.name}:${i.kind}`),
          ['fuel:global', 'threshold:global', 'sample:function'],
        );
        const profiled = instrumentModule(bytes, { profile: true });
        assert.ok(profiled.ok && WA.validate(profiled.bytes));
        assert.ok(
          WA.Module.exports(new WA.Module(profiled.bytes)).some((e: { name: string }) =>
            e.name.startsWith(PROFILE_EXPORT_PREFIX),
          ),
        );
      }
    });

    it('charges bulk memory by its length when it runs, and a huge length cannot wrap the counter', async () => {
      const bytes = await compileWatText(`(module (memory 1)
        (func (export "fill") (param i32) (memory.fill (i32.const 0) (i32.const 7) (local.get 0))))`);
      const used = (n: number): bigint => {
        const { instance, fuel } = meteredInstance(bytes);
        try {
          instance.exports.fill(n);
        } catch {
          // out of bounds: charged all the same
        }
        return (1n << 40n) - fuel.value;
      };
      assert.equal(used(16 * 1000) - used(0), 1000n);
      assert.ok(used(-1) > used(65536)); // 4 GiB - 1 bytes: charged, then out of bounds
    });

    it('charges each instruction that runs once: code after a loop or block nothing leaves is not charged per iteration', async () => {
      // Before the loop 3 instructions (with `loop`), each iteration 10 (with the loop's `end`),
      // then a block that no branch leaves (7 with its `end`) and 4 after it (with the final `end`).
      const bytes = await compileWatText(`(module
        (func (export "f") (param i32) (result i32) (local i32)
          (local.set 1 (i32.const 3))
          (loop $l
            (local.set 1 (i32.add (local.get 1) (i32.const 1)))
            (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
          (block $b (br_if $b (i32.eqz (local.get 1))) (local.set 1 (i32.const 9)))
          (i32.add (local.get 1) (i32.const 2))))`);
      const { instance, fuel } = meteredInstance(bytes);
      const used = (n: number): bigint => {
        const before = fuel.value;
        assert.equal(instance.exports.f(n), 11);
        return before - fuel.value;
      };
      const one = used(1);
      assert.equal(used(2) - one, used(3) - used(2), 'the same charge per iteration');
      assert.equal(used(2) - one, 10n, 'an iteration is its own 10 instructions, nothing after the loop');
      assert.equal(one, 3n + 10n + 7n + 4n);
    });

    it('keeps the code after a construct out of a segment that a branch may leave before it', async () => {
      // The loop's first segment branches back before the block: the code after the block runs
      // only on the last iteration, so it is charged only then (5 with the loop's end).
      const bytes = await compileWatText(`(module
        (func (export "g") (param i32) (result i32) (local i32)
          (loop $l
            (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))
            (block $b (local.set 1 (i32.const 5)))
            (local.set 1 (i32.add (local.get 1) (i32.const 1))))
          (local.get 1)))`);
      const { instance, fuel } = meteredInstance(bytes);
      const used = (n: number): bigint => {
        const before = fuel.value;
        assert.equal(instance.exports.g(n), 6);
        return before - fuel.value;
      };
      // Each iteration: 5 up to the br_if and the block's 4; once: the loop, 5 after the block, 2 after the loop.
      assert.equal(used(2) - used(1), 9n);
      assert.equal(used(1), 1n + 9n + 5n + 2n);
    });

    it('keeps the code after a block that a branch leaves out of the segment where the block started', async () => {
      const bytes = await compileWatText(`(module
        (func (export "h") (param i32) (result i32)
          (block $out
            (block $b (br_if $out (local.get 0)) (nop))
            (nop) (nop) (nop))
          (i32.const 7)))`);
      const { instance, fuel } = meteredInstance(bytes);
      const used = (n: number): bigint => {
        const before = fuel.value;
        assert.equal(instance.exports.h(n), 7);
        return before - fuel.value;
      };
      // Both blocks, the get, br_if, nop and end of $b, and (merged: nothing leaves $out) the 2 after $out.
      assert.equal(used(1), 8n);
      // Not taken: also the 3 nops and the end of $out, a segment of their own.
      assert.equal(used(0), 12n);
    });

    it('reads the counter back only when the local is used: calls in a row share the global, which stays exact', async () => {
      const bytes = await compileWatText(`(module
        (import "env" "peek" (func $peek))
        (func $work (result i32) (i32.const 7))
        (func (export "run") (result i32)
          (call $peek) (drop (call $work)) (call $peek) (call $peek) (i32.const 1)))`);
      // Write-backs: before \`sample\` in \`run\`'s entry check, before its first call, and at the
      // exit of each function; none between the calls of \`run\` (before: one before each call).
      const { value, seen, total, text } = runPeeking(bytes);
      assert.equal(text.match(/global\.set \$wasm-warden:meter\.fuel$/gm)?.length, 4, text);
      assert.equal(value, 1);
      // \`run\`'s one segment (4 calls, drop, const, end: 23) charged at its entry; \`work\` 2 more.
      assert.deepEqual(seen, [23n, 25n, 25n]);
      assert.equal(total, 25n);
    });

    it('writes the counter back before a call only when a charge or a joining path may have changed it', async () => {
      const peeks = async (wat: string, x: number) => runPeeking(await compileWatText(wat), x);
      // Read back at the block, nothing charged since: no write-back before the second call. The
      // write-backs: in the entry check's slow path, before the first and the last call, at the exit.
      const synced = `(module (import "env" "peek" (func $peek))
        (func (export "run") (param $x i32)
          (call $peek)
          (block $b (br_if $b (local.get $x)) (call $peek) (call $peek))
          (call $peek)))`;
      const { text, seen } = await peeks(synced, 0);
      assert.equal(text.match(/global\.set \$wasm-warden:meter\.fuel$/gm)?.length, 4, text);
      assert.deepEqual(seen, [25n, 25n, 25n, 25n]); // the whole body charged at entry (merged)
      // Paths join at the block's end: the branch's path brings its arm's charge (2) in the local,
      // so the last call is preceded by a write-back although the fallthrough had just read back.
      const joined = `(module (import "env" "peek" (func $peek))
        (func (export "run") (param $x i32)
          (block $b (if (local.get $x) (then (br $b))) (call $peek))
          (call $peek)))`;
      assert.deepEqual(await peeks(joined, 1).then((r) => [r.seen, r.total]), [[11n], 11n]);
      assert.deepEqual(await peeks(joined, 0).then((r) => [r.seen, r.total]), [[15n, 15n], 15n]);
    });

    it('checks against zero without a profile (against the threshold with one), the sample hook called from one added function', async () => {
      const bytes = await watBytes('spin');
      const text = (options: Parameters<typeof instrumentModule>[1]): string => {
        const result = instrumentModule(bytes, options);
        assert.ok(result.ok && WA.validate(result.bytes));
        assert.equal(result.checks, options?.checks ?? (options?.profile ? 'threshold' : 'zero'));
        return disassemble(result.bytes).text;
      };
      for (const counting of ['exact', 'bound'] as const) {
        const zero = text({ counting });
        // Hot code never calls the import: its one caller is the slow path every check calls.
        assert.equal(zero.match(/call \$wasm-warden:meter\.sample$/gm)?.length, 1, zero);
        assert.doesNotMatch(zero, /global\.get \$wasm-warden:meter\.threshold/);
        assert.match(text({ counting, profile: true }), /global\.get \$wasm-warden:meter\.threshold/);
        assert.match(text({ counting, checks: 'threshold' }), /global\.get \$wasm-warden:meter\.threshold/);
      }
      const refused = instrumentModule(bytes, { profile: true, checks: 'zero' });
      assert.ok(!refused.ok && /threshold/.test(refused.message));
    });

    it('samples at the same points with either check, and stops at the same count under a limit', async () => {
      const bytes = await watBytes('spin');
      const iterations = 2_000_000; // about 20 million units: several samples
      const runWith = (checks: CheckKind, limit?: number) => {
        const result = instrumentModule(bytes, { checks });
        assert.ok(result.ok);
        const samples: number[] = [];
        const counter = createFuelCounter({
          limit,
          checks,
          onSample: () => samples.push(counter.consumed()),
        });
        const instance = new WA.Instance(new WA.Module(result.bytes), {
          'wasm-warden:meter': counter.imports,
        });
        let trapped = false;
        try {
          instance.exports.count(iterations);
        } catch {
          trapped = true;
        }
        return { samples, consumed: counter.consumed(), exhausted: counter.exhausted(), trapped };
      };
      const zero = runWith('zero');
      assert.ok(zero.samples.length >= 4 && !zero.trapped, `${zero.samples.length} samples`);
      assert.ok(
        zero.samples.every((at, i) => at > (i + 1) * Number(SAMPLE_EVERY)),
        String(zero.samples),
      );
      assert.deepEqual(zero, runWith('threshold'));
      const limit = Math.floor(zero.consumed / 2) + 7;
      const stopped = runWith('zero', limit);
      assert.ok(stopped.trapped && stopped.exhausted && stopped.consumed > limit, JSON.stringify(stopped));
      assert.ok(stopped.consumed < limit + 100, JSON.stringify(stopped));
      assert.deepEqual(stopped, runWith('threshold', limit));
      // A limit of exactly the need lets the run finish.
      const enough = runWith('zero', zero.consumed);
      assert.ok(!enough.trapped && !enough.exhausted && enough.consumed === zero.consumed);
    });
  });

  describe('in the sandbox', () => {
    it('reports the same fuel on three runs of the same workload', async () => {
      const reports: SandboxReport[] = [];
      for (let i = 0; i < 3; i++)
        reports.push(await run({ file: fixture('recurse'), invoke: { name: 'storm', args: ['5000'] } }));
      const expected = String(
        new WA.Instance(new WA.Module(await watBytes('recurse')), {}).exports.storm(5000),
      );
      for (const r of reports) assert.deepEqual(r.outcome, { kind: 'returned', values: [expected] });
      const fuel = reports.map((r) => r.fuel?.consumed);
      assert.ok(fuel[0] && fuel[0] > 5000 * 10, `fuel ${fuel[0]}`);
      assert.deepEqual(fuel, [fuel[0], fuel[0], fuel[0]]);
    });

    for (const fuelCounting of ['exact', 'bound'] as const)
      it(`stops a loop at the same count every time, and a limit of exactly the need lets it finish (${fuelCounting} counting)`, async () => {
        const invoke = { name: 'count', args: ['100000'] };
        const run = (options: SandboxRunOptions): Promise<SandboxReport> =>
          startSandboxRun({ policy: policy({ fuelCounting }), ...options }).done;
        const free = await run({ file: fixture('spin'), invoke });
        assert.deepEqual(free.outcome, { kind: 'returned', values: ['100000'] });
        const need = free.fuel?.consumed ?? 0;
        assert.ok(need > 100000);
        const enough = await run({ file: fixture('spin'), invoke, fuel: need });
        assert.deepEqual(enough.outcome, { kind: 'returned', values: ['100000'] });
        assert.deepEqual(enough.fuel, {
          consumed: need,
          limit: need,
          ...(fuelCounting === 'bound' && { counting: 'bound' }),
        });
        const stops: SandboxReport[] = [];
        for (let i = 0; i < 3; i++) stops.push(await run({ file: fixture('spin'), invoke, fuel: need - 1 }));
        for (const r of stops) {
          assert.deepEqual(r.outcome, { kind: 'fuel-exhausted', limit: need - 1 });
          assert.equal(exitCodeFor(r.outcome), 123);
        }
        assert.deepEqual(
          stops.map((r) => r.fuel?.consumed),
          stops.map(() => stops[0].fuel?.consumed),
        );
      });

    it('takes the limit from the policy (sandbox.fuel)', async () => {
      const r = await run({
        file: fixture('spin'),
        invoke: { name: 'forever', args: [] },
        policy: policy({ fuel: 2_000_000 }),
      });
      assert.deepEqual(r.outcome, { kind: 'fuel-exhausted', limit: 2_000_000 });
    });

    it('cannot be reset or overflowed by a module that names globals like the meter', async () => {
      const r = await run({ file: fixture('tamper'), invoke: { name: 'spin', args: [] }, fuel: 3_000_000 });
      assert.deepEqual(r.outcome, { kind: 'fuel-exhausted', limit: 3_000_000 });
    });

    it('lets deep recursion hit the stack limit as before, and stops it by fuel under a limit', async () => {
      const free = await run({ file: fixture('recurse'), invoke: { name: 'down', args: ['0'] } });
      assert.equal(free.outcome.kind, 'trap');
      assert.match(free.outcome.kind === 'trap' ? free.outcome.message : '', /call stack/);
      const limited = await run({
        file: fixture('recurse'),
        invoke: { name: 'down', args: ['0'] },
        fuel: 50_000,
      });
      assert.deepEqual(limited.outcome, { kind: 'fuel-exhausted', limit: 50_000 });
    });

    it('gives the same br_table storm result metered as the engine gives unmetered', async () => {
      const instance = new WA.Instance(new WA.Module(await watBytes('recurse')), {});
      const expected = String(instance.exports.storm(20000));
      const r = await run({ file: fixture('recurse'), invoke: { name: 'storm', args: ['20000'] } });
      assert.deepEqual(r.outcome, { kind: 'returned', values: [expected] });
    });

    it('samples memory and fuel inside a loop that never calls the host; the memory alert fires during the run', async () => {
      const alerts: SandboxAlert[] = [];
      const r = await run({
        file: fixture('spin'),
        invoke: { name: 'forever', args: [] },
        policy: policy({ maxMemory: 4 * 1024 * 1024, alerts: { memoryPercent: 40, slowMs: 600_000 } }),
        fuel: 400_000_000,
        onAlert: (a) => alerts.push(a),
      });
      assert.equal(r.outcome.kind, 'fuel-exhausted');
      assert.equal(r.hostCalls && Object.keys(r.hostCalls).length, 0);
      const inside = r.samples.filter((s) => s.fuel !== undefined && s.fuel > 0 && s.fuel < 400_000_000);
      assert.ok(inside.length >= 1, `${inside.length} samples from inside the loop`);
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0].kind, 'memory');
      const memoryAlert = r.alerts.find((a) => a.kind === 'memory');
      assert.ok(memoryAlert?.atMs !== undefined);
    });

    it('profiles fuel per function, calls and loops, by name', async () => {
      const r = await run({
        file: fixture('recurse'),
        invoke: { name: 'storm', args: ['1000'] },
        profile: true,
      });
      assert.ok(r.profile);
      assert.equal(r.profile.calledFunctions, 1);
      const [top] = r.profile.functions;
      assert.equal(top.name, 'storm');
      assert.equal(top.calls, 1);
      // Everything charged ran inside `storm`.
      assert.equal(top.self, r.fuel?.consumed);
      assert.deepEqual(
        r.profile.loops.map((l) => [l.functionName, l.iterations]),
        [['storm', 1000]],
      );
    });

    it('profiles a module with more counters than an engine allows exports (20,001 functions)', async () => {
      // Five counters per function: one export each would be 100,005 exports, and V8 refuses a
      // module with more than 100,000 (Yosys has 242,000 counters).
      const n = 20_000;
      const bytes = manyFunctions(n);
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'warden-profile-')), 'many.wasm');
      fs.writeFileSync(file, bytes);
      try {
        const r = await run({ file, invoke: { name: 'main', args: [] }, profile: true });
        assert.deepEqual(r.outcome, { kind: 'returned', values: [] });
        assert.ok(r.profile);
        assert.equal(r.profile.calledFunctions, 3);
        const calls = new Map(r.profile.functions.map((f) => [f.index, f.calls]));
        assert.deepEqual([calls.get(0), calls.get(n - 1), calls.get(n)], [1, 1, 1]);
        assert.equal(r.profile.totalSelf, r.fuel?.consumed);
      } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
      }
    });

    it('profiles fuel with callees: a recursion counted once, every way out of a function closed', async () => {
      const r = await run({ file: fixture('callees'), invoke: { name: 'main', args: ['5'] }, profile: true });
      assert.deepEqual(r.outcome, { kind: 'returned', values: ['80'] });
      const consumed = r.fuel?.consumed;
      assert.ok(r.profile && consumed);
      // No name section: functions by index (callees.wat: leaf 1, fact 2, mid 3, exits 4, several 5, ref 6)
      const byIndex = new Map(r.profile.functions.map((x) => [x.index, x]));
      const names = ['', 'leaf', 'fact', 'mid', 'exits', 'several', 'ref', 'main'];
      const f = Object.fromEntries(names.map((name, index) => [name, byIndex.get(index)!]));
      assert.equal(f.main.name, 'main');
      assert.equal(f.main.inclusive, consumed, 'the outermost function used all the fuel');
      assert.equal(r.profile.totalSelf, consumed);
      assert.equal(f.fact.calls, 20);
      assert.equal(f.fact.inclusive, f.fact.self, 'recursion: the outermost call only');
      assert.equal(f.leaf.calls, 2);
      assert.equal(f.mid.inclusive, f.mid.self + f.leaf.self);
      assert.equal(f.exits.calls, 6);
      assert.equal(f.exits.inclusive, f.exits.self, 'br, br_if, br_table, return and the end all close it');
      assert.equal(f.several.inclusive, f.several.self);
      assert.equal(f.ref.inclusive, f.ref.self);
      assert.equal(
        f.main.inclusive,
        f.main.self + f.fact.self + f.mid.self + f.leaf.self + f.exits.self + f.several.self + f.ref.self,
      );
    });

    it('closes the activations an exception unwinds: fuel with callees stays right after a throw', async () => {
      const plain = await run({ file: fixture('unwind'), invoke: { name: 'main', args: [] } });
      const r = await run({ file: fixture('unwind'), invoke: { name: 'main', args: [] }, profile: true });
      // (0..2 + 100) * 2 returned, 3 + 4 + 5 caught
      assert.deepEqual(r.outcome, { kind: 'returned', values: ['618'] });
      assert.equal(r.fuel?.consumed, plain.fuel?.consumed, 'the profile does not change the fuel');
      assert.ok(r.profile && r.fuel);
      const f = Object.fromEntries(r.profile.functions.map((x) => [x.name, x]));
      const [thrower, middle, catcher] = [0, 1, 2].map((i) =>
        r.profile!.functions.find((x) => x.index === i)!,
      );
      assert.equal(middle.calls, 6);
      assert.equal(thrower.inclusive, thrower.self);
      assert.equal(middle.inclusive, middle.self + thrower.self, 'three activations left by the exception');
      assert.equal(catcher.inclusive, catcher.self + middle.self + thrower.self);
      assert.equal(f.main.inclusive, r.fuel.consumed);
      assert.equal(f.main.inclusive, f.main.self + catcher.self + middle.self + thrower.self);
    });

    it('runs a module too large to profile metered without a profile, and says why', async () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'warden-profile-')), 'huge.wasm');
      fs.writeFileSync(file, manyFunctions(100_000));
      try {
        const r = await run({ file, invoke: { name: 'main', args: [] }, profile: true });
        assert.deepEqual(r.outcome, { kind: 'returned', values: [] });
        assert.ok((r.fuel?.consumed ?? 0) > 0);
        assert.equal(r.profile, undefined);
        assert.ok(
          r.notes.some((n) => /^no profile: cannot profile this module: .*limit of 1000000 globals/.test(n)),
          JSON.stringify(r.notes),
        );
      } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
      }
    });

    it('keeps profile counters past 2^32 (each is two 32-bit globals, the high half carried)', async () => {
      // A failed memory.grow is charged for the pages it asked for: 2^38 units in one charge.
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'warden-profile-')), 'grow.wasm');
      const compiled = await compileWat(
        '(module (memory 1) (func (export "big") (result i32) (memory.grow (i32.const -1))))',
      );
      assert.ok('bytes' in compiled && compiled.bytes);
      fs.writeFileSync(file, compiled.bytes);
      try {
        const r = await run({ file, invoke: { name: 'big', args: [] }, profile: true });
        assert.deepEqual(r.outcome, { kind: 'returned', values: ['-1'] });
        const consumed = r.fuel?.consumed ?? 0;
        assert.ok(consumed > 2 ** 32, `consumed ${consumed}`);
        const [big] = r.profile?.functions ?? [];
        assert.deepEqual([big?.self, big?.inclusive, big?.calls], [consumed, consumed, 1]);
      } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
      }
      // The counters are 32-bit globals: V8 11 spends ~10 µs per 64-bit global compiling and
      // again instantiating, which made a profiled Yosys run seconds slower.
      const profiled = instrumentModule(compiled.bytes, { profile: true });
      assert.ok(profiled.ok);
      const globals = readBinaryModule(profiled.bytes).globals.filter((g) => !g.imported);
      assert.ok(globals.length > 0 && globals.every((g) => g.valueType === 'i32'));
    });

    it('counts the functions still open with their callees when the fuel runs out inside them', async () => {
      const r = await run({
        file: fixture('callees'),
        invoke: { name: 'spin_under', args: [] },
        profile: true,
        fuel: 100_000,
      });
      assert.deepEqual(r.outcome, { kind: 'fuel-exhausted', limit: 100_000 });
      assert.ok(r.profile && r.fuel);
      const f = Object.fromEntries(r.profile.functions.map((x) => [x.name, x]));
      f.leaf = r.profile.functions.find((x) => x.index === 1)!;
      assert.equal(f.spin_under.inclusive, r.fuel.consumed);
      assert.equal(f.spin.inclusive, f.spin.self);
      assert.equal(f.spin_under.inclusive, f.spin_under.self + f.leaf.self + f.spin.self);
    });

    it('runs a C program compiled here with the same output, and the same fuel each time (exact and bound)', async function () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-fuel-c-'));
      try {
        const source = path.join(dir, 'prog.c');
        fs.writeFileSync(
          source,
          `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static unsigned fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
int main(void) {
  static char sieve[200000];
  int primes = 0;
  memset(sieve, 1, sizeof sieve);
  for (int i = 2; i < 200000; i++) if (sieve[i]) { primes++; for (int j = 2 * i; j < 200000; j += i) sieve[j] = 0; }
  int *v = malloc(50000 * sizeof(int));
  unsigned x = 12345;
  for (int i = 0; i < 50000; i++) { x = x * 1103515245u + 12345u; v[i] = (int)(x >> 8) % 100000; }
  qsort(v, 50000, sizeof(int), cmp);
  printf("primes %d fib %u min %d max %d\\n", primes, fib(24), v[0], v[49999]);
  return 0;
}
`,
        );
        const wasmFile = path.join(dir, 'prog.wasm');
        const cc = spawnSync(
          'clang',
          ['--target=wasm32-wasi', '-O2', '-nodefaultlibs', source, '-lc', '-o', wasmFile],
          {
            encoding: 'utf8',
          },
        );
        assert.equal(cc.status, 0, `clang (Debian clang, lld, wasi-libc): ${cc.stderr}`);
        // The same numbers computed here.
        let x = 12345;
        const values: number[] = [];
        for (let i = 0; i < 50000; i++) {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          values.push((x >>> 8) % 100000);
        }
        values.sort((a, b) => a - b);
        const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
        const expected = `primes 17984 fib ${fib(24)} min ${values[0]} max ${values[49999]}\n`;
        const a = await run({ file: wasmFile, fuelCounting: 'exact' });
        const b = await run({ file: wasmFile, fuelCounting: 'exact' });
        assert.deepEqual(a.outcome, { kind: 'exit', code: 0 });
        assert.equal(a.stdout.text, expected);
        assert.equal(b.stdout.text, expected);
        assert.ok(a.fuel && a.fuel.consumed > 1_000_000);
        assert.equal(a.fuel.consumed, b.fuel?.consumed);
        assert.ok(!a.notes.some((n) => /fuel not counted/.test(n)));
        // Bound counting (docs/metering.md): the same output, the same fuel twice, at least the exact.
        const bound = [await run({ file: wasmFile, fuelCounting: 'bound' })];
        bound.push(await run({ file: wasmFile, fuelCounting: 'bound' }));
        for (const r of bound) {
          assert.deepEqual(r.outcome, { kind: 'exit', code: 0 });
          assert.equal(r.stdout.text, expected);
          assert.equal(r.fuel?.counting, 'bound');
        }
        assert.equal(bound[0].fuel?.consumed, bound[1].fuel?.consumed);
        assert.ok(
          bound[0].fuel!.consumed > a.fuel.consumed,
          `${bound[0].fuel?.consumed} <= ${a.fuel.consumed}`,
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

/** An instance of `bytes` metered, with a counter of 2^40 units and a sample hook that never stops it. */
function meteredInstance(bytes: Uint8Array): { instance: any; fuel: { value: bigint } } {
  const result = instrumentModule(bytes, { counting: 'exact' });
  assert.ok(result.ok);
  const fuel = new WA.Global({ value: 'i64', mutable: true }, 1n << 40n);
  const instance = new WA.Instance(new WA.Module(result.bytes), {
    'wasm-warden:meter': {
      fuel,
      threshold: new WA.Global({ value: 'i64', mutable: true }, 0n),
      sample: () => 0,
    },
  });
  return { instance, fuel };
}

/**
 * Meters `bytes` (exact counting) and runs its export `run`; `env.peek` records the fuel the
 * global shows at each call of it (what a callee or the host would see).
 */
function runPeeking(
  bytes: Uint8Array,
  ...args: number[]
): { value: unknown; seen: bigint[]; total: bigint; text: string } {
  const result = instrumentModule(bytes, { counting: 'exact' });
  assert.ok(result.ok);
  const start = 1n << 40n;
  const fuel = new WA.Global({ value: 'i64', mutable: true }, start);
  const seen: bigint[] = [];
  const instance = new WA.Instance(new WA.Module(result.bytes), {
    env: { peek: () => seen.push(start - fuel.value) },
    'wasm-warden:meter': {
      fuel,
      threshold: new WA.Global({ value: 'i64', mutable: true }, 0n),
      sample: () => 0,
    },
  });
  const value: unknown = instance.exports.run(...args);
  return { value, seen, total: start - fuel.value, text: disassemble(result.bytes).text };
}

async function compileWatText(text: string): Promise<Uint8Array> {
  const compiled = await compileWat(text);
  assert.ok('bytes' in compiled && compiled.bytes, 'compiles');
  return compiled.bytes;
}
