/** What the workspace scan sends to an analysis worker and what comes back (structured-cloned). */
import type { Finding } from '../../core/findings';
import type { ModuleFacts } from '../../core/module/model';
import type { PlainPolicy } from '../../core/policy/effective';
import type { RuleSetting } from '../../core/policy/types';
import type { ContentKeys } from '../analysisCache';

export interface ScanJob {
  id: number;
  fileName: string;
  /**
   * The file's bytes. Without them the worker reads `fileName` (and `fileName.sig`) itself, works
   * out their content keys and asks the server (a `ScanQuestion`) whether to analyse at all.
   */
  bytes?: Uint8Array;
  detachedSignature?: Uint8Array;
  /** The resolved policy, unsaved editor changes included (`fromPlainPolicy` revives it). */
  policy: PlainPolicy;
  ruleOverrides: Record<string, RuleSetting>;
  /** Where the core modules start that the engine accepted before: not validated again. */
  knownValid?: number[];
  /** Send the facts and findings even when they equal a result sent before (see `ScanReply`). */
  whole?: boolean;
  /** The engine keys of the file's core modules (features/analysisCache.ts), for the worker's CodeCache. */
  engineKeys?: Map<number, string>;
}

/** Asked by a worker that read the file itself, before it analyses it. */
export interface ScanQuestion {
  id: number;
  keys: ContentKeys;
}

/** Skip the analysis (the server knows the result for these bytes), or analyse, trusting `knownValid`. */
export type ScanAnswer = { skip: true } | { skip: false; knownValid: number[] };

export type ScanReply =
  | { id: number; ok: true; facts: ModuleFacts[]; findings: Finding[]; engineAccepted: number[] }
  /**
   * Facts and findings equal to a result this worker sent before, named by the digest the
   * server's SharedResults keeps it under (without `whole` in the job).
   */
  | { id: number; ok: true; sameAs: string; engineAccepted: number[] }
  /** Not analysed: it failed, the worker found no file to read (`missing`) or the server answered `skip`. */
  | { id: number; ok: false; message: string; missing?: boolean; skipped?: boolean };

export function isScanQuestion(message: unknown): message is ScanQuestion {
  return typeof message === 'object' && message !== null && 'keys' in message && !('ok' in message);
}
