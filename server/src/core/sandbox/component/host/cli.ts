/**
 * `wasi:cli`, `wasi:clocks` and `wasi:random`: arguments and only the policy's environment,
 * empty stdin, stdout/stderr to the report, exit, and real or fixed clocks and randomness.
 */
import { randomBytes } from 'node:crypto';
import { ComponentExit, type HostContext } from './context';
import { bytesSource, InputStream, OutputStream, Pollable } from './io';
import type { HostInterfaces } from './instrument';

/** A fixed wall clock (2024-01-01T00:00:00Z) for `clock: "fixed"`, as for modules. */
const FIXED_REALTIME_SECONDS = 1_704_067_200n;

class TerminalInput {}
class TerminalOutput {}

export function cliInterfaces(ctx: HostContext): HostInterfaces {
  const stdin = new InputStream(bytesSource(new Uint8Array(0)));
  const sink = (write: (d: Uint8Array) => void) => ({
    write(bytes: Uint8Array) {
      write(bytes.slice());
      return undefined;
    },
  });
  const stdout = new OutputStream(sink(ctx.stdout));
  const stderr = new OutputStream(sink(ctx.stderr));
  const fixed = ctx.policy.clock === 'fixed';
  let fixedMonotonic = 0n;
  const monotonicNow = (): bigint =>
    fixed ? (fixedMonotonic += 1000n) : BigInt(Math.round(performance.now() * 1e6));
  const environment = Object.entries(ctx.policy.env);
  let randomState = 0x2545f491;
  const random = (len: bigint): Uint8Array => {
    const n = Number(len);
    if (ctx.policy.random !== 'fixed') return new Uint8Array(randomBytes(n));
    // Deterministic bytes (xorshift32) so runs repeat exactly; not for secrets, by design.
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let x = randomState;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      randomState = x >>> 0;
      out[i] = randomState & 0xff;
    }
    return out;
  };
  const u64 = (bytes: Uint8Array): bigint =>
    new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);

  return {
    'wasi:cli/environment': {
      functions: {
        getEnvironment: () => environment.map(([k, v]) => [k, v]),
        getArguments: () => [...ctx.args],
        initialCwd: () => undefined,
      },
    },
    'wasi:cli/exit': {
      functions: {
        exit: (status: { tag: 'ok' | 'err' }) => {
          throw new ComponentExit(status.tag === 'ok');
        },
        exitWithCode: (code: number) => {
          throw new ComponentExit(code === 0);
        },
      },
    },
    'wasi:cli/stdin': { functions: { getStdin: () => stdin } },
    'wasi:cli/stdout': { functions: { getStdout: () => stdout } },
    'wasi:cli/stderr': { functions: { getStderr: () => stderr } },
    // Not a terminal: the preview captures output.
    'wasi:cli/terminal-input': { resources: { TerminalInput } },
    'wasi:cli/terminal-output': { resources: { TerminalOutput } },
    'wasi:cli/terminal-stdin': { functions: { getTerminalStdin: () => undefined } },
    'wasi:cli/terminal-stdout': { functions: { getTerminalStdout: () => undefined } },
    'wasi:cli/terminal-stderr': { functions: { getTerminalStderr: () => undefined } },
    'wasi:clocks/monotonic-clock': {
      functions: {
        now: monotonicNow,
        resolution: () => 1000n,
        subscribeInstant: (when: bigint) =>
          new Pollable(Number(when - monotonicNow()) / 1e6 + performance.now()),
        subscribeDuration: (ns: bigint) => new Pollable(performance.now() + Number(ns) / 1e6),
      },
    },
    'wasi:clocks/wall-clock': {
      functions: {
        now: () => {
          if (fixed) return { seconds: FIXED_REALTIME_SECONDS, nanoseconds: 0 };
          const ms = Date.now();
          return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1_000_000 };
        },
        resolution: () => ({ seconds: 0n, nanoseconds: 1_000_000 }),
      },
    },
    'wasi:random/random': {
      functions: { getRandomBytes: random, getRandomU64: () => u64(random(8n)) },
    },
    'wasi:random/insecure': {
      functions: { getInsecureRandomBytes: random, getInsecureRandomU64: () => u64(random(8n)) },
    },
    'wasi:random/insecure-seed': {
      functions: { insecureSeed: () => [u64(random(8n)), u64(random(8n))] },
    },
  };
}
