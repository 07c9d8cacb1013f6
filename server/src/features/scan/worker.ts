/**
 * The analysis worker of the workspace scan (bundled as `dist/scan-worker.js`): analyses the bytes
 * it is sent against the policy it is sent and replies with slim facts and findings. It reads no
 * policy itself, so unsaved policy edits in the editor still decide, and a module that exhausts
 * the worker's memory takes down only the worker.
 */
import { parentPort } from 'node:worker_threads';
import { analyzeModule } from '../../core/analyze';
import { fromPlainPolicy } from '../../core/policy/effective';
import { slimFacts } from '../analysisCache';
import type { ScanJob, ScanReply } from './protocol';

parentPort?.on('message', async (job: ScanJob) => {
  let reply: ScanReply;
  try {
    const analysis = await analyzeModule({
      fileName: job.fileName,
      bytes: job.bytes,
      detachedSignature: job.detachedSignature,
      policy: fromPlainPolicy(job.policy),
      ruleOverrides: job.ruleOverrides,
      knownValid: new Set(job.knownValid ?? []),
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
