/**
 * The parent's side of a component run: recognise a component, transpile it (cached) and put
 * together what the sandbox process needs. No component code runs here.
 */
import type { SandboxPolicy } from '../../policy/types';
import type { ComponentRunSummary } from '../report';
import type { HttpRequestSpec } from '../../policy/httpSpec';
import type { ComponentStart } from './messages';
import { transpileComponent } from './transpile';

/** A component's preamble: magic, then version 0x0d and layer 1 (a core module has layer 0). */
export function isComponentBytes(bytes: Uint8Array): boolean {
  return (
    bytes.byteLength >= 8 &&
    bytes[0] === 0 &&
    bytes[1] === 0x61 &&
    bytes[2] === 0x73 &&
    bytes[3] === 0x6d &&
    bytes[6] === 1 &&
    bytes[7] === 0
  );
}

export async function componentStart(
  bytes: Uint8Array,
  policy: SandboxPolicy,
  options: {
    httpRequests?: HttpRequestSpec[];
    networkConfirmed?: boolean;
    componentCacheDir?: string;
    onProgress?(message: string): void;
  },
): Promise<{ start: ComponentStart; summary: ComponentRunSummary } | { error: string }> {
  const transpiled = await transpileComponent(bytes, {
    cacheDir: options.componentCacheDir,
    onProgress: options.onProgress,
  });
  if ('error' in transpiled) return transpiled;
  const world = transpiled.exports.some((e) => e.startsWith('wasi:http/incoming-handler'))
    ? 'http-proxy'
    : transpiled.exports.some((e) => e.startsWith('wasi:cli/run'))
      ? 'command'
      : 'other';
  return {
    start: {
      js: transpiled.js,
      coreModules: transpiled.coreModules,
      imports: transpiled.imports,
      exports: transpiled.exports,
      requests: options.httpRequests ?? policy.http?.requests ?? [],
      mock: policy.http?.mock ?? {},
      networkConfirmed: !!options.networkConfirmed && policy.network.allow.length > 0,
    },
    summary: {
      digest: transpiled.digest,
      world,
      transpileMs: transpiled.transpileMs,
      cached: transpiled.cached,
    },
  };
}
