/**
 * Runs a transpiled component inside the sandbox process (called by `child.ts`): builds the
 * policy's WASI 0.2 host, refuses before running when the component imports an interface the host
 * lacks, instantiates jco's glue with that host, then calls `wasi:cli/run` or sends the policy's
 * requests to `wasi:http/incoming-handler`.
 */
import * as vm from 'node:vm';
import type { SandboxOutcome } from '../report';
import type { Shim } from '../shim';
import { isMemory, wasm, type WasmInstance, type WasmMemory } from '../wasmApi';
import { ComponentExit, type HostContext } from './host/context';
import { sendIncoming, type IncomingRequest, type ResponseOutparam } from './host/http';
import { componentHost } from './host/index';
import { stopNetWorker } from './host/netWorker';
import { DEFAULT_HTTP_REQUESTS, type HttpExchange } from './httpTypes';
import type { ComponentStart } from './messages';
import type { ComponentMeter } from './meter';
import { countingMark } from '../fuel';
import type { FuelProfile, FuelReport } from '../report';
import { HostTrap, SandboxStop } from '../wasiHost';

export interface ComponentResult {
  outcome: SandboxOutcome;
  missingImports: string[];
  http: HttpExchange[];
  writtenFiles: { host: string; bytes: number; writtenBack: boolean }[];
  fuel?: FuelReport;
  profile?: FuelProfile;
}

type Instantiate = (
  getCoreModule: (name: string) => object,
  imports: Record<string, unknown>,
  instantiateCore: (module: object, imports?: Record<string, Record<string, unknown>>) => WasmInstance,
) => Record<string, unknown>;

export async function runComponent(
  start: ComponentStart,
  shim: Shim,
  ctx: HostContext,
  hooks: {
    onCall(name: string): void;
    memories: WasmMemory[];
    writeBack: boolean;
    /** The fuel meter of every core module (component/meter.ts), and the limit in force. */
    meter?: ComponentMeter;
    limit?: number;
  },
): Promise<ComponentResult> {
  const meter = hooks.meter;
  const ranOut = (): SandboxOutcome | undefined =>
    meter?.counter.exhausted() ? { kind: 'fuel-exhausted', limit: hooks.limit ?? 0 } : undefined;

  const host = componentHost(shim, ctx, start.mock, hooks.onCall, (name) => {
    throw new HostTrap(`${name} is not provided by the sandbox's WASI 0.2 host`);
  });
  const result = (outcome: SandboxOutcome): ComponentResult => ({
    // A run can end past its limit without reaching another check: it used more than it was given.
    outcome: (outcome.kind === 'exit' || outcome.kind === 'trap' ? ranOut() : undefined) ?? outcome,
    ...(meter && {
      fuel: {
        consumed: meter.counter.consumed(),
        ...(hooks.limit !== undefined && { limit: hooks.limit }),
        ...countingMark(ctx.policy.fuelCounting),
      },
      profile: meter.profile(),
    }),
    missingImports: [...new Set([...start.imports.filter((i) => !host.provided.has(i)), ...host.missing])],
    http: ctx.exchanges,
    writtenFiles: host.filesystem.writes(hooks.writeBack),
  });

  const unprovided = start.imports.filter((i) => !host.provided.has(i));
  if (unprovided.length)
    return result({
      kind: 'error',
      message: `the component imports ${unprovided.join(', ')}, which the sandbox does not provide; it was not run`,
    });

  let instantiate: Instantiate;
  try {
    instantiate = await loadGlue(start.js);
  } catch (error) {
    return result({
      kind: 'error',
      message: `cannot load the transpiled component: ${(error as Error).message}`,
    });
  }

  let exports: Record<string, unknown>;
  const coreNames = new Map<object, string>();
  try {
    exports = instantiate(
      (name) => {
        const bytes = (meter?.coreModules ?? start.coreModules)[name];
        if (!bytes) throw new Error(`core module ${name} is missing from the transpiled component`);
        const module = new wasm.Module(bytes);
        coreNames.set(module, name);
        return module;
      },
      host.imports as Record<string, unknown>,
      (module, imports) => {
        const name = coreNames.get(module);
        const instance = new wasm.Instance(
          module,
          meter && name !== undefined ? meter.imports(imports ?? {}) : (imports ?? {}),
        );
        if (meter && name !== undefined) meter.instantiated(name, instance.exports);
        for (const value of Object.values(instance.exports))
          if (isMemory(value) && !hooks.memories.includes(value)) hooks.memories.push(value);
        return instance;
      },
    );
  } catch (error) {
    return result(failure(error));
  }

  try {
    const handler = exportOf(exports, 'wasi:http/incoming-handler') as
      { handle(request: IncomingRequest, out: ResponseOutparam): void } | undefined;
    if (handler && typeof handler.handle === 'function') {
      for (const spec of start.requests.length ? start.requests : DEFAULT_HTTP_REQUESTS) {
        sendIncoming(handler, spec, ctx.exchanges);
      }
      return result({ kind: 'exit', code: 0 });
    }
    const run = exportOf(exports, 'wasi:cli/run') as { run(): void } | undefined;
    if (run && typeof run.run === 'function') {
      run.run();
      return result({ kind: 'exit', code: 0 });
    }
    return result({
      kind: 'error',
      message: `the component exports neither wasi:cli/run nor wasi:http/incoming-handler (it exports ${start.exports.join(', ') || 'nothing'})`,
    });
  } catch (error) {
    return result(failure(error));
  } finally {
    stopNetWorker();
  }
}

/**
 * jco's glue is an ES module whose only exports are `instantiate` and `_util`. Compiled as a
 * (strict) script it loads several times faster than through the ES module loader from a `data:`
 * URL (17 ms against 75–105 ms for the hello component's 300 KB of glue); glue of another shape
 * goes through the loader.
 */
export async function loadGlue(js: string): Promise<Instantiate> {
  const body = js
    .replace(/^export function instantiate\b/m, 'function instantiate')
    .replace(/^export const _util\b/m, 'const _util');
  try {
    const script = new vm.Script(`(function () {\n'use strict';\n${body}\nreturn instantiate;\n})`, {
      filename: 'component.js',
    });
    return (script.runInThisContext() as () => Instantiate)();
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  const glue = (await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`)) as {
    instantiate: Instantiate;
  };
  return glue.instantiate;
}

function exportOf(exports: Record<string, unknown>, iface: string): unknown {
  const key = Object.keys(exports).find((k) => k === iface || k.startsWith(`${iface}@`));
  return key === undefined ? undefined : exports[key];
}

/**
 * What an exception out of the component means. WASI 0.2's exit carries only ok or err, so
 * the exit code is 0 or 1; `run` returning err is exit code 1 too.
 */
function failure(error: unknown): SandboxOutcome {
  if (error instanceof ComponentExit) return { kind: 'exit', code: error.ok ? 0 : 1 };
  if (error instanceof SandboxStop) return { kind: 'stopped', reason: error.message };
  if (error instanceof Error && error.constructor.name === 'ComponentError') return { kind: 'exit', code: 1 };
  if (error instanceof wasm.LinkError)
    return { kind: 'error', message: `cannot link the component: ${error.message}` };
  if (error instanceof RangeError && /memory/i.test(error.message))
    return { kind: 'stopped', reason: `memory limit: ${error.message}` };
  const e = error instanceof Error ? error : new Error(String(error));
  return { kind: 'trap', message: e.message, stack: e.stack };
}
