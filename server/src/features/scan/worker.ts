/**
 * The analysis worker of the workspace scan (bundled as `dist/scan-worker.js`): analyses the bytes
 * it is sent against the policy it is sent and replies with slim facts and findings. It reads no
 * policy itself, so unsaved policy edits in the editor still decide, and a module that exhausts
 * the worker's memory takes down only the worker.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { analyzeModule } from '../../core/analyze';
import { fromPlainPolicy } from '../../core/policy/effective';
import { slimFacts } from '../analysisCache';
import type { ScanJob, ScanReply } from './protocol';
import { ReachabilityCache } from './reachabilityCache';

/**
 * Scanning yields to the editor: this thread runs at a lower priority than the server's own, which
 * answers hovers and edits. Linux names a thread by its id (/proc/thread-self); elsewhere the
 * worker keeps the normal priority.
 */
function lowerThreadPriority(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, 10);
  } catch {
    // No /proc, or not allowed: scan at the normal priority.
  }
}

lowerThreadPriority();

const graphs = new ReachabilityCache();

parentPort?.on('message', async (job: ScanJob) => {
  let reply: ScanReply;
  try {
    const analysis = await analyzeModule({
      fileName: job.fileName,
      bytes: job.bytes,
      detachedSignature: job.detachedSignature,
      policy: fromPlainPolicy(job.policy),
      ruleOverrides: job.ruleOverrides,
      knownValid: job.knownValid,
      reachability: graphs.for(job.engineKeys ?? new Map()),
    });
    reply = {
      id: job.id,
      ok: true,
      facts: analysis.facts.map(slimFacts),
      findings: analysis.findings,
      engineAccepted: analysis.engineAccepted ?? [],
    };
  } catch (error) {
    reply = { id: job.id, ok: false, message: (error as Error)?.message ?? String(error) };
  }
  parentPort?.postMessage(reply);
});
