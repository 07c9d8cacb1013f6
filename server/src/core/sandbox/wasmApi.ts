/**
 * The few parts of the JavaScript WebAssembly API the sandbox process uses, typed here because the
 * project's TypeScript libs (ES2022, no DOM) do not declare `WebAssembly`. Type reflection
 * (`type` on descriptors, `Function.type`) is on because the runner starts V8 with
 * `--experimental-wasm-type-reflection`.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** An i64 global (the fuel meter's): its value is a bigint. */
export interface WasmGlobal {
  value: bigint;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export interface WasmDescriptor {
  module?: string;
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
  type?: { parameters?: string[]; results?: string[]; minimum?: number; maximum?: number; shared?: boolean };
}

export interface WasmFunctionType {
  parameters: string[];
  results: string[];
}

type WasmModuleHandle = object;

interface WasmApi {
  Module: (new (bytes: Uint8Array) => WasmModuleHandle) & {
    imports(module: WasmModuleHandle): WasmDescriptor[];
    exports(module: WasmModuleHandle): WasmDescriptor[];
  };
  Instance: new (module: WasmModuleHandle, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Global: new (descriptor: { value: 'i64'; mutable: boolean }, init: bigint) => WasmGlobal;
  Function?: { type(fn: unknown): WasmFunctionType };
  LinkError: new (...args: never[]) => Error;
  CompileError: new (...args: never[]) => Error;
  RuntimeError: new (...args: never[]) => Error;
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export function isMemory(value: unknown): value is WasmMemory {
  return value instanceof (wasm.Memory as unknown as new () => object);
}
