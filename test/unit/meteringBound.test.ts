/**
 * Bound ("charged ahead") fuel counting (docs/metering.md): the same results as exact counting and
 * as the unmetered module, at least the exact fuel (equal on straight-line code), the same fuel on
 * every run, the profile, hostile modules, the policy field. Limits that stop at the same count:
 * metering.test.ts, in both countings.
 * The spec suite runs in bound mode too (meteringSpec.test.ts), with bound >= exact per action.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { instrumentModule, type FuelCounting } from '../../server/src/core/metering/instrument';
import type { SandboxPolicy } from '../../server/src/core/policy/types';
import { DEFAULT_SANDBOX_POLICY } from '../../server/src/core/sandbox/defaults';
import { formatReportText, type SandboxReport } from '../../server/src/core/sandbox/report';
import { startSandboxRun, type SandboxRunOptions } from '../../server/src/core/sandbox/runner';
import { compileWat } from '../../server/src/core/wat/compile';
import { disassemble } from '../../server/src/core/disasm/disassemble';
import { parseRunArgs } from '../../server/src/cli/commands/run';
import { PolicyResolver } from '../../server/src/core/policy/resolver';
import { MemoryFileSystem } from './policyMemoryFs';

/* eslint-disable @typescript-eslint/no-explicit-any -- the engine's WebAssembly API is untyped here */
const WA = (globalThis as any).WebAssembly;

const fixtures = path.resolve(__dirname, '../../../test/fixtures/metering');
const fixture = (name: string): string => path.join(fixtures, `${name}.wat`);

async function watBytes(name: string): Promise<Uint8Array> {
  const compiled = await compileWat(fs.readFileSync(fixture(name), 'utf8'));
  assert.ok('bytes' in compiled && compiled.bytes, `${name}.wat compiles`);
  return compiled.bytes;
}

function policy(overrides: Partial<SandboxPolicy> = {}): SandboxPolicy {
  return { ...DEFAULT_SANDBOX_POLICY, timeoutMs: 60_000, fuelCounting: 'bound', ...overrides };
}

async function run(options: SandboxRunOptions): Promise<SandboxReport> {
  return startSandboxRun({ policy: policy(), ...options }).done;
}

/** The module metered with `counting` (a counter of 2^40 units), and the fuel each call uses. */
function metered(bytes: Uint8Array, counting: FuelCounting, profile = false, boundSplitAbove?: number) {
  const result = instrumentModule(bytes, { counting, profile, boundSplitAbove });
  assert.ok(result.ok, JSON.stringify(result));
  assert.ok(WA.validate(result.bytes), `${counting} metered validates`);
  const fuel = new WA.Global({ value: 'i64', mutable: true }, 1n << 40n);
  const instance = new WA.Instance(new WA.Module(result.bytes), {
    'wasm-warden:meter': {
      fuel,
      threshold: new WA.Global({ value: 'i64', mutable: true }, 0n),
      sample: () => 0,
    },
    wasi_snapshot_preview1: { proc_exit: () => undefined },
  });
  const call = (name: string, ...args: unknown[]): { value: unknown; used: bigint } => {
    const before: bigint = fuel.value;
    const value: unknown = instance.exports[name](...args);
    return { value, used: before - (fuel.value as bigint) };
  };
  return { call, instance, bytes: result.bytes };
}

/** Runs export `name` of the metered `bytes` once: its result and the fuel it used. */
function fuelOf(bytes: Uint8Array, name: string, arg: number): { value: unknown; used: bigint } {
  const fuel = new WA.Global({ value: 'i64', mutable: true }, 1n << 40n);
  const instance = new WA.Instance(new WA.Module(bytes), {
    'wasm-warden:meter': {
      fuel,
      threshold: new WA.Global({ value: 'i64', mutable: true }, 0n),
      sample: () => 0,
    },
  });
  const value: unknown = instance.exports[name](arg);
  return { value, used: (1n << 40n) - (fuel.value as bigint) };
}

describe('bound fuel counting', function () {
  this.timeout(120_000);

  describe('the rewriter', () => {
    it('charges straight-line code exactly what exact counting charges, calls included', async () => {
      const bytes = await watBytes('branches');
      const exact = metered(bytes, 'exact');
      const bound = metered(bytes, 'bound');
      for (const [name, arg] of [
        ['line', 5],
        ['calls', 9],
      ] as const) {
        const e = exact.call(name, arg);
        const b = bound.call(name, arg);
        assert.equal(b.value, e.value);
        assert.equal(b.used, e.used, `${name}: the same fuel`);
        assert.ok(e.used > 0n);
      }
      // `line`: local.get, const, mul, const, add, end.
      assert.equal(bound.call('line', 1).used, 6n);
    });

    it('charges at least the exact fuel on branches, br_table, nested loops and early returns, with the same results', async () => {
      const bytes = await watBytes('branches');
      const plain = new WA.Instance(new WA.Module(bytes), {}).exports;
      const exact = metered(bytes, 'exact');
      const bound = metered(bytes, 'bound');
      const looser: string[] = [];
      for (const name of ['arms', 'table', 'nested', 'early'])
        for (const n of [0, 1, 2, 3, 7, 10, 11, 50]) {
          const e = exact.call(name, n);
          const b = bound.call(name, n);
          assert.equal(e.value, plain[name](n), `${name}(${n}) exact`);
          assert.equal(b.value, plain[name](n), `${name}(${n}) bound`);
          assert.ok(b.used >= e.used, `${name}(${n}): bound ${b.used} < exact ${e.used}`);
          if (b.used > e.used) looser.push(`${name}(${n})`);
          // The same call, the same fuel.
          assert.equal(bound.call(name, n).used, b.used);
        }
      // Each kind of branch makes some paths cheaper than the most the charge assumes.
      for (const name of ['arms', 'table', 'early'])
        assert.ok(
          looser.some((l) => l.startsWith(name)),
          `${name} is looser somewhere: ${looser.join(' ')}`,
        );
      // The early return costs less than the tail the entry charges for; past it, the same.
      assert.ok(bound.call('early', 3).used > exact.call('early', 3).used);
      assert.equal(bound.call('early', 30).used, exact.call('early', 30).used);
    });

    it('charges the longest arm of an if in a loop on every iteration, and each iteration the same', async () => {
      const bytes = await watBytes('branches');
      const bound = metered(bytes, 'bound');
      const exact = metered(bytes, 'exact');
      const step = (m: ReturnType<typeof metered>, n: number): bigint =>
        m.call('arms', n + 1).used - m.call('arms', n).used;
      // Exact: odd and even iterations differ (short and long arm); bound: every iteration the long one.
      assert.notEqual(step(exact, 4), step(exact, 5));
      assert.equal(step(bound, 4), step(bound, 5));
      assert.equal(
        step(bound, 4),
        [step(exact, 4), step(exact, 5)].reduce((a, b) => (a > b ? a : b)),
      );
    });

    it('lets each arm charge for itself where arms differ by more than the split threshold', async () => {
      const bytes = await watBytes('branches');
      const bound = metered(bytes, 'bound');
      const exact = metered(bytes, 'exact');
      const plain = new WA.Instance(new WA.Module(bytes), {}).exports;
      for (const n of [1, 2, 4, 5, 9, 40]) {
        const b = bound.call('skewed', n);
        assert.equal(b.value, plain.skewed(n));
        assert.equal(b.used, exact.call('skewed', n).used, `skewed(${n}): the same fuel as exact`);
      }
      // Iteration 0 takes the long arm, iteration 1 the short one.
      const long = bound.call('skewed', 1).used;
      const short = bound.call('skewed', 2).used - long;
      assert.ok(short > 0n && long > short + 32n, `short ${short}, long ${long}`);
      // Charging only where control must (no split), every iteration pays for the long arm.
      const unsplit = metered(bytes, 'bound', false, Infinity);
      const unsplitShort = unsplit.call('skewed', 2).used - unsplit.call('skewed', 1).used;
      assert.ok(unsplitShort > short + 32n, `short iteration without the split: ${unsplitShort}`);
    });

    it('counts at least the exact fuel when exceptions unwind functions (unwind.wat)', async () => {
      const bytes = await watBytes('unwind');
      const e = metered(bytes, 'exact').call('main');
      const b = metered(bytes, 'bound').call('main');
      assert.equal(b.value, 618);
      assert.equal(e.value, 618);
      assert.ok(b.used >= e.used, `bound ${b.used} < exact ${e.used}`);
    });

    it('keeps the counter in a local in a body whose loop calls nothing and that has few calls, with the same fuel', async () => {
      const bytes = await watBytes('quiet');
      const result = instrumentModule(bytes, { counting: 'bound' });
      assert.ok(result.ok);
      const text = disassemble(result.bytes).text;
      const body = (name: string): string =>
        text.split('\n  (func ').find((f) => f.startsWith(`$${name} `)) ?? '';
      // Local mode reads the counter into a local first; global mode charges the global inside the body's block.
      const localMode = (name: string): boolean =>
        /^\s*\(local [^\n]*\n\s*global\.get \$wasm-warden:meter\.fuel\n\s*local\.set/.test(
          body(name).split('\n').slice(1).join('\n'),
        );
      assert.ok(localMode('quiet'), body('quiet'));
      assert.ok(!localMode('busy'), body('busy'));
      assert.ok(!localMode('handled'), body('handled'));
      const modes = (['auto', 'global', 'local'] as const).map((boundCounter) => {
        const m = instrumentModule(bytes, { counting: 'bound', boundCounter });
        assert.ok(m.ok && WA.validate(m.bytes));
        return m.bytes;
      });
      for (const name of ['quiet', 'busy', 'handled'])
        for (const n of [0, 1, 1000]) {
          const used = modes.map((b) => fuelOf(b, name, n));
          assert.deepEqual(used, [used[0], used[0], used[0]], `${name}(${n})`);
          assert.equal(used[0].value, n);
        }
    });

    it('adds fewer charges than exact counting (a smaller module)', async () => {
      const bytes = await watBytes('branches');
      const exact = instrumentModule(bytes, { counting: 'exact' });
      const bound = instrumentModule(bytes, { counting: 'bound' });
      assert.ok(exact.ok && bound.ok);
      assert.ok(bound.bytes.length < exact.bytes.length, `${bound.bytes.length} >= ${exact.bytes.length}`);
    });
  });

  describe('in the sandbox', () => {
    it('reports the same fuel on three runs, marked as bound counting', async () => {
      const reports: SandboxReport[] = [];
      for (let i = 0; i < 3; i++)
        reports.push(await run({ file: fixture('recurse'), invoke: { name: 'storm', args: ['5000'] } }));
      const expected = String(
        new WA.Instance(new WA.Module(await watBytes('recurse')), {}).exports.storm(5000),
      );
      for (const r of reports) {
        assert.deepEqual(r.outcome, { kind: 'returned', values: [expected] });
        assert.equal(r.fuel?.counting, 'bound');
      }
      const fuel = reports.map((r) => r.fuel?.consumed);
      assert.deepEqual(fuel, [fuel[0], fuel[0], fuel[0]]);
      const exact = await run({
        file: fixture('recurse'),
        invoke: { name: 'storm', args: ['5000'] },
        policy: policy({ fuelCounting: 'exact' }),
      });
      assert.equal(exact.fuel?.counting, undefined);
      // br_table storm: each iteration is charged its longest target.
      assert.ok(fuel[0]! > exact.fuel!.consumed, `bound ${fuel[0]} <= exact ${exact.fuel?.consumed}`);
      assert.match(formatReportText(reports[0]), /fuel: {5}\d+ units \(bound counting\)/);
      // A policy that names no counting counts bound (the default), marked as such.
      const { fuelCounting: _, ...unnamed } = policy();
      const byDefault = await run({
        file: fixture('recurse'),
        invoke: { name: 'storm', args: ['5000'] },
        policy: unnamed,
      });
      assert.deepEqual(byDefault.fuel, reports[0].fuel);
    });

    it('samples memory and fuel inside a loop that never calls the host', async () => {
      const r = await run({
        file: fixture('spin'),
        invoke: { name: 'forever', args: [] },
        fuel: 400_000_000,
      });
      assert.deepEqual(r.outcome, { kind: 'fuel-exhausted', limit: 400_000_000 });
      const inside = r.samples.filter((x) => x.fuel !== undefined && x.fuel > 0 && x.fuel < 400_000_000);
      assert.ok(inside.length >= 1, `${inside.length} samples from inside the loop`);
    });

    it('cannot be reset or overflowed by a module that names globals like the meter; stops deep recursion', async () => {
      const tamper = await run({
        file: fixture('tamper'),
        invoke: { name: 'spin', args: [] },
        fuel: 3_000_000,
      });
      assert.deepEqual(tamper.outcome, { kind: 'fuel-exhausted', limit: 3_000_000 });
      const recursion = await run({
        file: fixture('recurse'),
        invoke: { name: 'down', args: ['0'] },
        fuel: 50_000,
      });
      assert.deepEqual(recursion.outcome, { kind: 'fuel-exhausted', limit: 50_000 });
      // The counter stays out of the module's reach: only the meter's imports, no export added.
      const result = instrumentModule(await watBytes('tamper'), { counting: 'bound' });
      assert.ok(result.ok);
      const module = new WA.Module(result.bytes);
      assert.deepEqual(
        WA.Module.exports(module).map((e: { name: string }) => e.name),
        ['fuel', 'threshold', 'spin'],
      );
    });

    it('profiles fuel per function with callees, every way out of a function closed', async () => {
      const r = await run({ file: fixture('callees'), invoke: { name: 'main', args: ['5'] }, profile: true });
      assert.deepEqual(r.outcome, { kind: 'returned', values: ['80'] });
      const consumed = r.fuel?.consumed;
      assert.ok(r.profile && consumed);
      const byIndex = new Map(r.profile.functions.map((x) => [x.index, x]));
      const names = ['', 'leaf', 'fact', 'mid', 'exits', 'several', 'ref', 'main'];
      const f = Object.fromEntries(names.map((name, index) => [name, byIndex.get(index)!]));
      assert.equal(f.main.inclusive, consumed);
      assert.equal(r.profile.totalSelf, consumed);
      assert.equal(f.fact.calls, 20);
      assert.equal(f.exits.calls, 6);
      assert.equal(f.fact.inclusive, f.fact.self);
      assert.equal(f.mid.inclusive, f.mid.self + f.leaf.self);
      assert.equal(f.exits.inclusive, f.exits.self);
      assert.equal(
        f.main.inclusive,
        f.main.self + f.fact.self + f.mid.self + f.leaf.self + f.exits.self + f.several.self + f.ref.self,
      );
      // Each function's own fuel is what its calls use when metered alone.
      const bound = metered(await watBytes('callees'), 'bound');
      const unprofiled = await run({ file: fixture('callees'), invoke: { name: 'main', args: ['5'] } });
      assert.equal(unprofiled.fuel?.consumed, consumed, 'the profile does not change the fuel');
      assert.equal(bound.call('main', 5).used, BigInt(consumed));
    });

    it('closes the activations an exception unwinds', async () => {
      const r = await run({ file: fixture('unwind'), invoke: { name: 'main', args: [] }, profile: true });
      assert.deepEqual(r.outcome, { kind: 'returned', values: ['618'] });
      assert.ok(r.profile && r.fuel);
      const [thrower, middle, catcher] = [0, 1, 2].map((i) =>
        r.profile!.functions.find((x) => x.index === i)!,
      );
      const main = r.profile.functions.find((x) => x.name === 'main')!;
      assert.equal(middle.inclusive, middle.self + thrower.self);
      assert.equal(catcher.inclusive, catcher.self + middle.self + thrower.self);
      assert.equal(main.inclusive, r.fuel.consumed);
      assert.equal(main.inclusive, main.self + catcher.self + middle.self + thrower.self);
    });
  });

  describe('the policy and the command line', () => {
    it('reads sandbox.fuelCounting, absent as the default, and refuses other values where they are', () => {
      const read = (text: string) => {
        const fs = new MemoryFileSystem({ '/ws/wasm-policy.json': text });
        const resolver = new PolicyResolver(fs, { roots: ['/ws'] });
        return {
          sandbox: resolver.resolve('/ws/m.wasm').sandbox,
          problems: resolver.problemsOf('/ws/wasm-policy.json'),
        };
      };
      assert.equal(read('{ "sandbox": { "fuelCounting": "bound" } }').sandbox.fuelCounting, 'bound');
      assert.equal(read('{ "sandbox": { "fuelCounting": "exact" } }').sandbox.fuelCounting, 'exact');
      assert.equal(read('{ "sandbox": {} }').sandbox.fuelCounting, undefined);
      const bad = read('{ "sandbox": { "fuelCounting": "rough" } }');
      assert.equal(bad.problems.length, 1);
      assert.match(bad.problems[0].message, /exact.*bound|bound.*exact/);
    });

    it('takes --fuel-counting on run, and refuses other values', () => {
      assert.equal(parseRunArgs(['m.wasm', '--fuel-counting', 'bound']).fuelCounting, 'bound');
      assert.equal(parseRunArgs(['m.wasm']).fuelCounting, undefined);
      assert.throws(() => parseRunArgs(['m.wasm', '--fuel-counting', 'fast']), /"exact" or "bound"/);
    });
  });
});
