/**
 * Compiles `.wat` text with wabt on worker threads (`wat-compile-worker.js` next to the server
 * bundle), never on the server's own: two workers, so a huge file's compile never holds up a small
 * one's; a time limit, so a compile that spins (deep nesting, or wabt on a 14 MB print) ends as a
 * finding; cancellation per document, so a closed or edited document's compile stops at once.
 */
import * as path from 'node:path';
import type { CompileResult } from '../../core/wat/compile';
import { INVALID_MODULE_RULE_ID } from '../../core/wat/compile';
import { textSpan } from '../../core/location';
import { WorkerThread } from '../workerThread';
import type { CompileJob, CompileReply } from './protocol';

/** wabt validates ordinary files in milliseconds; one that takes this long is not coming back. */
export const COMPILE_TIME_LIMIT_MS = 20_000;
const COMPILE_HEAP_MB = 2048;

export class WatCompileThread extends WorkerThread<CompileJob, CompileReply> {
  /** Undefined when the worker script was not built next to this one (tests running from sources). */
  static create(
    script = path.join(__dirname, 'wat-compile-worker.js'),
    timeLimitMs = COMPILE_TIME_LIMIT_MS,
  ): WatCompileThread | undefined {
    const options = { size: 2, timeLimitMs, heapMb: COMPILE_HEAP_MB };
    return WorkerThread.start<WatCompileThread, CompileJob, CompileReply>(
      script,
      options,
      (workers) => new WatCompileThread(workers),
    );
  }

  /** `key` (the document's URI) lets `cancel` stop it; a cancelled compile has no findings. */
  async compile(text: string, fileName: string, key?: string): Promise<CompileResult> {
    const outcome = await this.workers.run({ text, fileName }, { key });
    if (outcome.ok) return outcome.value;
    if (outcome.reason === 'cancelled') return { findings: [] };
    return {
      findings: [
        {
          ruleId: INVALID_MODULE_RULE_ID,
          severity: 'warning',
          message: `Not validated by wabt: ${outcome.message}. The reader's findings and the rules that need no function bodies still apply.`,
          location: textSpan({ line: 0, character: 0 }, { line: 0, character: 0 }),
        },
      ],
    };
  }
}
