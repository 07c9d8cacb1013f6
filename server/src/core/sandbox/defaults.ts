/**
 * The sandbox limits used when no policy file says otherwise: nothing from the host, a short time
 * limit and 64 MiB of memory.
 */
import type { SandboxPolicy } from '../policy/types';

export const WASM_PAGE_BYTES = 65536;

export const DEFAULT_SANDBOX_POLICY: SandboxPolicy = {
  timeoutMs: 5000,
  maxMemory: 64 * 1024 * 1024,
  preopens: [],
  env: {},
  args: [],
  network: { allow: [] },
  alerts: { memoryPercent: 80, slowMs: 1000 },
  clock: 'real',
  random: 'real',
};

/** Memory cap in wasm pages for V8's `--wasm-max-mem-pages` (at least one page). */
export function maxMemoryPages(policy: SandboxPolicy): number {
  return Math.max(1, Math.floor(policy.maxMemory / WASM_PAGE_BYTES));
}

/** Report sizes stay bounded whatever the module does: beyond these, entries are counted or thinned. */
export const REPORT_LIMITS = { violations: 500, samples: 1000 };
