/**
 * What every interface of the WASI 0.2 host shares: the policy, where violations go, and the
 * errors a host function throws. jco lowers a thrown value as the `err` of a result (a `payload`
 * property, when present, is the error itself).
 */
import type { SandboxPolicy } from '../../../policy/types';
import type { SandboxViolation } from '../../report';
import type { HttpExchange } from '../httpTypes';

export interface HostContext {
  policy: SandboxPolicy;
  /** argv including argv[0]. */
  args: string[];
  stdout(data: Uint8Array): void;
  stderr(data: Uint8Array): void;
  violation(v: Omit<SandboxViolation, 'atMs'>): void;
  /** Outgoing HTTP requests may go to the network (policy allows the endpoint and the user confirmed). */
  networkConfirmed: boolean;
  /** HTTP exchanges in the order they began, for the report. */
  exchanges: HttpExchange[];
  notes: string[];
}

/** The `err` of a WIT result, thrown from a host function. */
export class WitError extends Error {
  constructor(readonly payload: unknown) {
    super(typeof payload === 'string' ? payload : JSON.stringify(payload));
  }
}

/** Ends the run from inside a host call: `wasi:cli/exit`. */
export class ComponentExit extends Error {
  constructor(readonly ok: boolean) {
    super(ok ? 'exit(ok)' : 'exit(err)');
  }
}

/** Sleeps the sandbox thread (blocking poll on a clock) without spinning. */
export function sleepMs(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
