/**
 * Messages between the parent (`runner.ts`) and the sandbox process (`child.ts`) over the IPC
 * channel. The parent sends one `start`; the child streams output, samples and violations as they
 * happen (so a run that is killed still has them) and ends with `done`.
 */
import type { SandboxPolicy } from '../policy/types';
import type { ComponentStart } from './component/messages';
import type { HttpExchange } from './component/httpTypes';
import type { FuelProfile, FuelReport, SandboxOutcome, SandboxSample, SandboxViolation } from './report';

export interface StartMessage {
  type: 'start';
  /** The module's bytes (.wat already compiled by the parent). */
  bytes: Uint8Array;
  /** Shown to the module as argv[0]. */
  programName: string;
  policy: SandboxPolicy;
  /** Arguments after `--` (WASI) — appended to the policy's args. */
  args: string[];
  /** `signature` is read from the bytes by the parent (core/module), so the child needs no type reflection. */
  invoke?: { name: string; args: string[]; signature?: { params: string[]; results: string[] } };
  /** Copy files written in rw preopens back to the host (the user confirmed). */
  writeBack: boolean;
  /** Bytes of stdout/stderr forwarded each; the rest is counted only. */
  outputLimit: number;
  /** Count fuel per function and loop (the report's `profile`). */
  profile?: boolean;
  /** Set when the bytes are a component: its transpiled form (the parent transpiles, cached). */
  component?: ComponentStart;
}

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'output'; stream: 'stdout' | 'stderr'; data: Uint8Array }
  | { type: 'sample'; sample: SandboxSample; hostCalls: Record<string, number> }
  | { type: 'violation'; violation: SandboxViolation }
  | {
      type: 'done';
      outcome: SandboxOutcome;
      moduleMs: number;
      peakMemoryBytes: number;
      fuel?: FuelReport;
      profile?: FuelProfile;
      hostCalls: Record<string, number>;
      missingImports: string[];
      outputTotals: { stdout: number; stderr: number };
      writtenFiles: { host: string; bytes: number; writtenBack: boolean }[];
      notes: string[];
      /** HTTP exchanges of a component run. */
      http?: HttpExchange[];
    };
