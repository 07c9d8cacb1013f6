/** What the workspace scan sends to an analysis worker and what comes back (structured-cloned). */
import type { Finding } from '../../core/findings';
import type { ModuleFacts } from '../../core/module/model';
import type { PlainPolicy } from '../../core/policy/effective';
import type { RuleSetting } from '../../core/policy/types';

export interface ScanJob {
  id: number;
  fileName: string;
  bytes: Uint8Array;
  detachedSignature?: Uint8Array;
  /** The resolved policy, unsaved editor changes included (`fromPlainPolicy` revives it). */
  policy: PlainPolicy;
  ruleOverrides: Record<string, RuleSetting>;
  /** Where the core modules start that the engine accepted before: not validated again. */
  knownValid?: number[];
  /** The engine keys of the file's core modules (features/analysisCache.ts), for the worker's ReachabilityCache. */
  engineKeys?: Map<number, string>;
}

export type ScanReply =
  | { id: number; ok: true; facts: ModuleFacts[]; findings: Finding[]; engineAccepted: number[] }
  | { id: number; ok: false; message: string };
