/**
 * The `.wasm` text view's disassembler on a thread of its own (bundled as `dist/disasm-worker.js`),
 * run with a heap and time limit by features/boundedWorkers.ts: whatever hostile bytes make it do,
 * the server's thread keeps answering. Progress carries the first lines early so the editor can
 * show them while the rest is printed.
 */
import { DEFAULT_VIEW_LIMITS, disassemblySteps, ViewBuilder } from '../../core/disasm/disassemble';
import { serveJobs } from '../../workers/boundedWorkers';
import { packView, type DisassemblyJob, type DisassemblyProgress, type DisassemblyReply } from './protocol';

/** Lines sent ahead: more than a screen, little enough to go at once. */
const FIRST_LINES = 1_000;

serveJobs<DisassemblyJob, DisassemblyReply>(
  (job, progress) => {
    const out = new ViewBuilder(DEFAULT_VIEW_LIMITS);
    const steps = disassemblySteps(job.bytes, DEFAULT_VIEW_LIMITS, out);
    let sentFirst = false;
    for (;;) {
      const step = steps.next();
      if (step.done) return packView(step.value);
      const update: DisassemblyProgress = { offset: out.offsets[out.offsets.length - 1] ?? 0 };
      if (!sentFirst && out.lines.length >= FIRST_LINES) {
        update.firstLines = out.lines.slice(0, FIRST_LINES).join('\n') + '\n';
        sentFirst = true;
      }
      progress(update);
    }
  },
  (reply) => [reply.offsets.buffer as ArrayBuffer],
);
