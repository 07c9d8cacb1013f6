/**
 * Fuel metering of components: every core module jco's glue instantiates is metered with one
 * counter, so `sandbox.fuel` stops a looping component at the same count every time, a limit of
 * exactly the need lets it finish, and the profile names functions with their core module.
 * Real sandbox runs of the C components built by scripts/build-component-fixtures.mjs.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SandboxPolicy } from '../../server/src/core/policy/types';
import { createComponentMeter } from '../../server/src/core/sandbox/component/meter';
import { DEFAULT_SANDBOX_POLICY } from '../../server/src/core/sandbox/defaults';
import { exitCodeFor, type SandboxReport } from '../../server/src/core/sandbox/report';
import { startSandboxRun, type SandboxRunOptions } from '../../server/src/core/sandbox/runner';

const fixtures = path.resolve(__dirname, '../../../test/fixtures/components');
const component = (name: string): string => path.join(fixtures, `${name}.component.wasm`);

function policy(overrides: Partial<SandboxPolicy> = {}): SandboxPolicy {
  return { ...DEFAULT_SANDBOX_POLICY, timeoutMs: 60_000, ...overrides };
}

describe('fuel metering of components', function () {
  // The first run of each fixture transpiles it (seconds on a loaded machine); later runs hit the cache.
  this.timeout(180_000);
  let cacheDir: string;
  const run = (options: Omit<SandboxRunOptions, 'componentCacheDir'>): Promise<SandboxReport> =>
    startSandboxRun({ ...options, componentCacheDir: cacheDir }).done;
  before(() => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-metering-components-'));
  });
  after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  it('counts the same fuel on three runs, and a limit of exactly the need lets the component finish (bound counting too)', async () => {
    const reports: SandboxReport[] = [];
    for (let i = 0; i < 3; i++)
      reports.push(
        await run({
          file: component('hello'),
          policy: policy({ args: ['from-policy'], fuelCounting: 'exact' }),
          args: ['y'],
        }),
      );
    for (const r of reports) {
      assert.deepEqual(r.outcome, { kind: 'exit', code: 0 });
      assert.equal(r.stdout.text, reports[0].stdout.text);
      assert.equal(r.mode, 'component');
    }
    const need = reports[0].fuel?.consumed ?? 0;
    assert.ok(need > 1000, `fuel ${need}`);
    assert.deepEqual(
      reports.map((r) => r.fuel?.consumed),
      [need, need, need],
    );
    const enough = await run({
      file: component('hello'),
      policy: policy({ args: ['from-policy'], fuel: need, fuelCounting: 'exact' }),
      args: ['y'],
    });
    assert.deepEqual(enough.outcome, { kind: 'exit', code: 0 });
    assert.deepEqual(enough.fuel, { consumed: need, limit: need });
    assert.equal(enough.stdout.text, reports[0].stdout.text);
    // Bound counting (docs/metering.md): the same output, the same fuel twice, at least the exact.
    const bound: SandboxReport[] = [];
    for (let i = 0; i < 2; i++)
      bound.push(
        await run({
          file: component('hello'),
          policy: policy({ args: ['from-policy'], fuelCounting: 'bound' }),
          args: ['y'],
        }),
      );
    for (const r of bound) {
      assert.deepEqual(r.outcome, { kind: 'exit', code: 0 });
      assert.equal(r.stdout.text, reports[0].stdout.text);
      assert.equal(r.fuel?.counting, 'bound');
    }
    assert.equal(bound[0].fuel?.consumed, bound[1].fuel?.consumed);
    assert.ok(bound[0].fuel!.consumed >= need, `bound ${bound[0].fuel?.consumed} < exact ${need}`);
  });

  it('stops a looping component by fuel at the same count every time', async () => {
    const limit = 5_000_000;
    const stops: SandboxReport[] = [];
    for (let i = 0; i < 2; i++)
      stops.push(await run({ file: component('loop'), policy: policy({ fuel: limit }) }));
    for (const r of stops) {
      assert.deepEqual(r.outcome, { kind: 'fuel-exhausted', limit });
      assert.equal(exitCodeFor(r.outcome), 123);
      assert.ok((r.fuel?.consumed ?? 0) > limit, `${r.fuel?.consumed} > ${limit}`);
    }
    assert.equal(stops[0].fuel?.consumed, stops[1].fuel?.consumed);
    // The loop never calls the host: the samples with fuel come from the meter's checks.
    assert.ok(stops[0].samples.some((s) => s.fuel !== undefined && s.fuel > 0 && s.fuel < limit));
  });

  it('profiles the functions of the core modules, each with the module it is in', async () => {
    const r = await run({ file: component('hello'), policy: policy(), profile: true });
    assert.deepEqual(r.outcome, { kind: 'exit', code: 0 });
    assert.ok(r.profile && r.fuel);
    assert.equal(r.profile.totalSelf, r.fuel.consumed, 'every unit is in some function');
    const top = r.profile.functions[0];
    assert.ok(top.core && /\.wasm$/.test(top.core), `core module of ${top.name}: ${top.core}`);
    // The program's module and the preview1 adapter's: one counter across both.
    assert.ok(new Set(r.profile.functions.map((f) => f.core)).size >= 2);
    assert.ok(r.profile.functions.some((f) => f.name === 'fd_write' && f.calls > 0));
  });

  it('names the core module the meter cannot rewrite', () => {
    const already = Uint8Array.from([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      // import "wasm-warden:meter" "fuel" (global (mut i64)): the name the meter reserves
      ...[
        0x02,
        0x1b,
        0x01,
        0x11,
        ...Buffer.from('wasm-warden:meter'),
        0x04,
        ...Buffer.from('fuel'),
        0x03,
        0x7e,
        0x01,
      ],
    ]);
    const meter = createComponentMeter(
      { 'component.core.wasm': already },
      { profile: false, onSample: () => {} },
    );
    assert.ok('error' in meter);
    assert.match(meter.error, /^component\.core\.wasm: .*reserves/);
  });
});
