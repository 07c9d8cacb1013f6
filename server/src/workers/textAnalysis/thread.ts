/**
 * Analyses large `.wat` documents on a worker thread (`wat-analysis-worker.js` next to the server
 * bundle) instead of the server's: reading sql.js's 14 MB `wasm2wat` print takes seconds, during
 * which no other document got diagnostics. One worker, a time limit, cancellation per document.
 */
import * as path from 'node:path';
import { toPlainPolicy } from '../../core/policy/effective';
import type { EffectivePolicy, RuleSetting } from '../../core/policy/types';
import type { JobOutcome } from '../boundedWorkers';
import { WorkerThread } from '../workerThread';
import type { TextAnalysisJob, TextAnalysisStep } from './protocol';

/** Reading, validating and the body rules of the largest real texts take seconds; hostile ones stop here. */
export const TEXT_ANALYSIS_TIME_LIMIT_MS = 120_000;
const TEXT_ANALYSIS_HEAP_MB = 2048;

export class TextAnalysisThread extends WorkerThread<TextAnalysisJob, TextAnalysisStep> {
  /** Undefined when the worker script was not built next to this one (tests running from sources). */
  static create(
    script = path.join(__dirname, 'wat-analysis-worker.js'),
    timeLimitMs = TEXT_ANALYSIS_TIME_LIMIT_MS,
  ): TextAnalysisThread | undefined {
    const options = { size: 1, timeLimitMs, heapMb: TEXT_ANALYSIS_HEAP_MB };
    return WorkerThread.start<TextAnalysisThread, TextAnalysisJob, TextAnalysisStep>(
      script,
      options,
      (workers) => new TextAnalysisThread(workers),
    );
  }

  /** `onFirst` gets the reader's step as soon as the worker has it; `key` (the URI) lets `cancel` stop it. */
  analyze(
    input: {
      text: string;
      fileName: string;
      policy: EffectivePolicy;
      ruleOverrides: Record<string, RuleSetting>;
    },
    key: string,
    onFirst: (first: TextAnalysisStep) => void,
  ): Promise<JobOutcome<TextAnalysisStep>> {
    const job: TextAnalysisJob = { ...input, policy: toPlainPolicy(input.policy) };
    return this.workers.run(job, { key, onProgress: (p) => onFirst(p as TextAnalysisStep) });
  }
}
