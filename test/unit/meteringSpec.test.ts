/**
 * Fuel metering against the core spec test suite: every module of every .wast file that wabt's
 * wast2json (Debian wabt, on PATH) converts runs as it is and metered (exact and bound counting,
 * each with and without a profile), and each command (assert_return, assert_trap,
 * assert_exhaustion, assert_exception, plain actions, register) must give the same result every
 * way. Every action that returns uses at least as much fuel with bound counting as with exact. The original run must also match the expected values of
 * assert_return, so the harness itself is checked. Files wast2json cannot read (newer syntax than
 * wabt 1.0.32: GC, typed references, ...) are counted, not run.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instrumentModule, type FuelCounting } from '../../server/src/core/metering/instrument';
import { sharedTestdata } from '../support/sharedTestdata';

/* eslint-disable @typescript-eslint/no-explicit-any -- the engine's WebAssembly API is untyped here */
const WA = (globalThis as any).WebAssembly;

const SUITE = sharedTestdata('spec-testsuite');

interface Value {
  type: string;
  value?: string | string[];
  lane_type?: string;
}
interface Action {
  type: 'invoke' | 'get';
  module?: string;
  field: string;
  args?: Value[];
}
interface Command {
  type: string;
  line: number;
  filename?: string;
  name?: string;
  as?: string;
  action?: Action;
  expected?: Value[];
  module_type?: string;
}

/** One side of the comparison: instances by name, the registry for imports, its own spectest. */
class World {
  readonly named = new Map<string, Record<string, unknown>>();
  readonly registry: Record<string, Record<string, unknown>>;
  current: Record<string, unknown> | null = null;
  readonly externs = new Map<number, object>();

  constructor(
    readonly metered: boolean,
    readonly profile = false,
    readonly counting: FuelCounting = 'exact',
  ) {
    const print = (): void => undefined;
    this.registry = {
      spectest: {
        print,
        print_i32: print,
        print_i64: print,
        print_f32: print,
        print_f64: print,
        print_i32_f32: print,
        print_f64_f64: print,
        global_i32: new WA.Global({ value: 'i32' }, 666),
        global_i64: new WA.Global({ value: 'i64' }, 666n),
        global_f32: new WA.Global({ value: 'f32' }, 666.6),
        global_f64: new WA.Global({ value: 'f64' }, 666.6),
        table: new WA.Table({ initial: 10, maximum: 20, element: 'anyfunc' }),
        memory: new WA.Memory({ initial: 1, maximum: 2 }),
      },
      'wasm-warden:meter': {
        fuel: new WA.Global({ value: 'i64', mutable: true }, 1n << 62n),
        threshold: new WA.Global({ value: 'i64', mutable: true }, 0n),
        sample: () => 0,
      },
    };
  }

  /** Instantiates; returns an error message for what the engine refused. */
  load(bytes: Uint8Array, name?: string, keep = true): string | null {
    let code = bytes;
    if (this.metered) {
      const result = instrumentModule(bytes, { profile: this.profile, counting: this.counting });
      if (!result.ok) return `meter refused: ${result.message}`;
      code = result.bytes;
      if (!WA.validate(code)) return 'metered module does not validate';
    }
    try {
      const module = new WA.Module(code);
      const instance = new WA.Instance(module, this.registry);
      if (!keep) return null;
      this.current = instance.exports;
      if (name) this.named.set(name, instance.exports);
      return null;
    } catch (error) {
      if (keep) this.current = null;
      return `${(error as Error).constructor.name}: ${(error as Error).message}`;
    }
  }

  externref(n: number): object {
    let o = this.externs.get(n);
    if (!o) this.externs.set(n, (o = { extern: n }));
    return o;
  }

  arg(v: Value): unknown {
    const text = v.value as string;
    switch (v.type) {
      case 'i32':
        return Number(BigInt.asIntN(32, BigInt(text)));
      case 'i64':
        return BigInt.asIntN(64, BigInt(text));
      case 'f32':
        return new Float32Array(new Uint32Array([Number(text)]).buffer)[0];
      case 'f64':
        return new Float64Array(new BigUint64Array([BigInt(text)]).buffer)[0];
      case 'externref':
        return text === 'null' ? null : this.externref(Number(text));
      case 'funcref':
        return null;
      default:
        throw new Error(`unsupported argument type ${v.type}`);
    }
  }

  /** Fuel used so far (metered worlds). */
  fuel(): bigint {
    const meter = this.registry['wasm-warden:meter'] as { fuel: { value: bigint } };
    return (1n << 62n) - meter.fuel.value;
  }

  /** Runs an action; the result as comparable text. */
  run(action: Action): string {
    const target = action.module ? this.named.get(action.module) : this.current;
    if (!target) return 'no module';
    try {
      if (action.type === 'get') return show((target[action.field] as { value: unknown }).value, this);
      const args = (action.args ?? []).map((a) => this.arg(a));
      return show((target[action.field] as (...a: unknown[]) => unknown)(...args), this);
    } catch (error) {
      const e = error as Error;
      // A metered trap and the original trap must be the same kind and message.
      return `throws ${e?.constructor?.name}: ${e?.message}`;
    }
  }
}

function show(value: unknown, world: World): string {
  if (Array.isArray(value)) return `[${value.map((v) => show(v, world)).join(', ')}]`;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    return Object.is(value, -0) ? '-0' : String(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return 'func';
  for (const [n, o] of world.externs) if (o === value) return `extern ${n}`;
  return typeof value;
}

/** The expected value of assert_return as the original world shows it, or null for patterns. */
function isNaNBits(v: Value): boolean {
  const bits = BigInt(v.value as string);
  return v.type === 'f32'
    ? (bits & 0x7f800000n) === 0x7f800000n && (bits & 0x7fffffn) !== 0n
    : (bits & 0x7ff0000000000000n) === 0x7ff0000000000000n && (bits & 0xfffffffffffffn) !== 0n;
}

function expectedText(values: Value[], args: Value[], world: World): string | null {
  const parts: string[] = [];
  for (const v of [...values, ...args]) {
    // v128 cannot cross into JavaScript, and JavaScript does not keep NaN payloads.
    if (v.type === 'v128') return null;
    if (
      (v.type === 'f32' || v.type === 'f64') &&
      typeof v.value === 'string' &&
      /^\d+$/.test(v.value) &&
      isNaNBits(v)
    )
      return null;
  }
  for (const v of values) {
    if (typeof v.value !== 'string' || v.value.startsWith('nan:')) return null;
    if (v.type === 'funcref' || v.type === 'v128') return null;
    const arg = world.arg(v);
    parts.push(show(arg, world));
  }
  return parts.length === 1 ? parts[0] : parts.length === 0 ? 'undefined' : `[${parts.join(', ')}]`;
}

/** assert_return results Node's engine gives differently from the suite (both runs agree): place → why. */
const ENGINE_DIFFERS: Record<string, string> = {
  'linking0.wast:42':
    'the module that should fill the table first needs multi-memory, which Node 20 compiles as an error',
};

describe('fuel metering on the spec test suite', function () {
  this.timeout(300_000);
  let dir = '';
  const converted: string[] = [];
  const unreadable: string[] = [];

  before(function () {
    if (spawnSync('wast2json', ['--version']).status !== 0)
      throw new Error('wast2json (Debian wabt) is not installed');
    dir = mkdtempSync(join(tmpdir(), 'ww-meter-spec-'));
    for (const file of readdirSync(SUITE)
      .filter((f) => f.endsWith('.wast'))
      .sort()) {
      const out = join(dir, file.replace(/\.wast$/, '.json'));
      const r = spawnSync('wast2json', ['--enable-all', join(SUITE, file), '-o', out], { stdio: 'ignore' });
      (r.status === 0 ? converted : unreadable).push(file);
    }
  });

  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('runs every convertible file the same metered (exact and bound, with and without a profile) and unmetered', function () {
    // Most of the suite converts; a drop means wabt changed and the test would silently thin out.
    assert.ok(converted.length >= 180, `only ${converted.length} files converted`);
    const differences: string[] = [];
    let modules = 0;
    let metered = 0;
    let compared = 0;
    let expectedChecked = 0;
    let boundCompared = 0;
    let boundHigher = 0;
    for (const file of converted) {
      const json = JSON.parse(readFileSync(join(dir, file.replace(/\.wast$/, '.json')), 'utf8')) as {
        commands: Command[];
      };
      const plain = new World(false);
      // The profile adds counters and, in modules with exceptions, a handler around every body.
      const sides = [
        new World(true),
        new World(true, true),
        new World(true, false, 'bound'),
        new World(true, true, 'bound'),
      ];
      const [exact, , bound] = sides;
      const label = (w: World): string =>
        `metered${w.counting === 'bound' ? ' (bound)' : ''}${w.profile ? ' with a profile' : ''}`;
      for (const c of json.commands) {
        const at = `${file}:${c.line}`;
        if (c.type === 'module' && c.filename && c.filename.endsWith('.wasm')) {
          const bytes = readFileSync(join(dir, c.filename));
          modules++;
          const a = plain.load(bytes, c.name);
          if (a !== null) {
            // The engine cannot run it at all (a proposal Node lacks): nothing to compare.
            for (const w of sides) w.current = null;
            continue;
          }
          for (const w of sides) {
            const b = w.load(bytes, c.name);
            if (b !== null) differences.push(`${at} ${label(w)}: ${b}`);
            else if (!w.profile && w.counting === 'exact') metered++;
          }
        } else if ((c.type === 'assert_trap' || c.type === 'assert_uninstantiable') && c.filename) {
          // A module whose instantiation traps (after writing to imported tables and memories).
          const bytes = readFileSync(join(dir, c.filename));
          const a = plain.load(bytes, undefined, false);
          // The engine refuses the module itself (a proposal Node lacks): nothing to compare.
          if (a?.startsWith('CompileError')) continue;
          compared++;
          for (const w of sides) {
            const b = w.load(bytes, undefined, false);
            if (a !== b) differences.push(`${at} ${c.type}: ${a} unmetered, ${b} ${label(w)}`);
          }
        } else if (c.type === 'register' && c.as) {
          for (const w of [plain, ...sides]) {
            const exports = c.name ? w.named.get(c.name) : w.current;
            if (exports) w.registry[c.as] = exports;
          }
        } else if (c.action && plain.current !== null && sides.every((w) => w.current !== null)) {
          const a = plain.run(c.action);
          compared++;
          const before = [exact.fuel(), bound.fuel()];
          for (const w of sides) {
            const b = w.run(c.action);
            if (a !== b)
              differences.push(`${at} ${c.type} ${c.action.field}: ${a} unmetered, ${b} ${label(w)}`);
          }
          const used = [exact.fuel() - before[0], bound.fuel() - before[1]];
          if (!a.startsWith('throws')) {
            boundCompared++;
            if (used[1] < used[0])
              differences.push(
                `${at} ${c.action.field}: bound counting used ${used[1]}, less than exact ${used[0]}`,
              );
            if (used[1] > used[0]) boundHigher++;
          }
          if (c.type === 'assert_return' && c.expected) {
            const want = expectedText(c.expected, c.action.args ?? [], plain);
            if (want !== null && !ENGINE_DIFFERS[at]) {
              expectedChecked++;
              if (a !== want) differences.push(`${at}: harness reads ${a}, the suite expects ${want}`);
            }
          }
          if (c.type === 'assert_trap' || c.type === 'assert_exhaustion')
            if (!a.startsWith('throws')) differences.push(`${at}: expected a trap, got ${a}`);
        }
      }
    }
    assert.deepEqual(differences.slice(0, 30), []);
    // Guard against a harness that compares nothing.
    assert.ok(metered > 1000, `${metered} of ${modules} modules metered`);
    assert.ok(compared > 20000, `${compared} commands compared`);
    assert.ok(expectedChecked > 15000, `${expectedChecked} expected values checked`);
    // Bound counting is compared on most actions, and is looser than exact on some (branches).
    assert.ok(boundCompared > 15000 && boundHigher > 100, `bound: ${boundHigher} of ${boundCompared} higher`);
  });
});
