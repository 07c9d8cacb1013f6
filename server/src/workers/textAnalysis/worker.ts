/**
 * Reads and checks a large `.wat` document on a thread of its own (bundled as
 * `dist/wat-analysis-worker.js`), so the server's thread keeps answering other documents while a
 * 14 MB text is read: the reader's findings go back as progress as soon as they are known, every
 * finding (wabt's or wasm-tools' validation, the body rules) as the reply.
 */
import { analyzeWatInSteps } from '../../core/analyze';
import { fromPlainPolicy } from '../../core/policy/effective';
import { compileWat } from '../../core/wat/compile';
import { serveJobs } from '../boundedWorkers';
import type { TextAnalysisJob, TextAnalysisStep } from './protocol';

serveJobs<TextAnalysisJob, TextAnalysisStep>(async (job, progress) => {
  const steps = analyzeWatInSteps(
    {
      fileName: job.fileName,
      text: job.text,
      policy: fromPlainPolicy(job.policy),
      ruleOverrides: job.ruleOverrides,
      // Started before the reader: text nested past wabt's limit goes to the wasm-tools process,
      // which parses it on another core while this thread reads.
      compileAside: compileWat,
    },
    job.text,
  );
  progress(steps.first satisfies TextAnalysisStep);
  const complete = await steps.complete();
  return { facts: complete.facts, findings: complete.findings };
});
