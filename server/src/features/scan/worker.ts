/**
 * The analysis worker of the workspace scan (bundled as `dist/scan-worker.js`): reads the file it
 * is sent (or takes the bytes), asks the server whether the file's content keys make an analysis
 * needless, analyses it against the policy it is sent and replies with slim facts and findings.
 * Reading and hashing here keeps the server's thread free and lets both cores do it. It reads no
 * policy itself, so unsaved policy edits in the editor still decide, and a module that exhausts
 * the worker's memory takes down only the worker.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { analyzeModule } from '../../core/analyze';
import { fromPlainPolicy } from '../../core/policy/effective';
import { contentKeys, SENT_RESULTS, SharedResults, slimFacts } from '../analysisCache';
import { FileBuffer, readOptionalSync } from './fileBuffer';
import type { ScanAnswer, ScanJob, ScanQuestion, ScanReply } from './protocol';
import { CodeCache } from './codeCache';

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

const code = new CodeCache();
const files = new FileBuffer();
/**
 * The last results sent: a module of the same code and policy as one before mostly has the very
 * same facts and findings. Few, so that the server, which keeps more, still has them.
 */
const sent = new SharedResults(SENT_RESULTS);
/** Set while a job waits for the server's answer to its question. */
let awaitingAnswer: ((answer: ScanAnswer) => void) | undefined;

function ask(question: ScanQuestion): Promise<ScanAnswer> {
  return new Promise((resolve) => {
    awaitingAnswer = resolve;
    parentPort?.postMessage(question);
  });
}

/** The job's bytes, read here when the server sent none; with what to tell the engine, or `skip`. */
async function bytesOf(job: ScanJob): Promise<
  | {
      bytes: Uint8Array;
      detachedSignature?: Uint8Array;
      knownValid?: number[];
      engineKeys?: Map<number, string>;
    }
  | { skip: 'skipped' | 'missing' }
> {
  if (job.bytes) return { ...job, bytes: job.bytes };
  const bytes = files.read(job.fileName);
  if (!bytes) return { skip: 'missing' };
  const detachedSignature = readOptionalSync(`${job.fileName}.sig`);
  const keys = contentKeys(bytes, detachedSignature);
  const answer = await ask({ id: job.id, keys });
  if (answer.skip) return { skip: 'skipped' };
  return { bytes, detachedSignature, knownValid: answer.knownValid, engineKeys: keys.engine };
}

async function scan(job: ScanJob): Promise<ScanReply> {
  try {
    const input = await bytesOf(job);
    if ('skip' in input) {
      return input.skip === 'skipped'
        ? { id: job.id, ok: false, message: 'not analysed: the server knows the result', skipped: true }
        : { id: job.id, ok: false, message: `${job.fileName} could not be read`, missing: true };
    }
    const analysis = await analyzeModule({
      fileName: job.fileName,
      bytes: input.bytes,
      detachedSignature: input.detachedSignature,
      policy: fromPlainPolicy(job.policy),
      ruleOverrides: job.ruleOverrides,
      knownValid: input.knownValid,
      codeResults: code.for(input.engineKeys ?? new Map()),
    });
    const engineAccepted = analysis.engineAccepted ?? [];
    const kept = sent.keep({ facts: analysis.facts.map(slimFacts), findings: analysis.findings });
    if (kept.known && !job.whole) return { id: job.id, ok: true, sameAs: kept.digest, engineAccepted };
    return { id: job.id, ok: true, ...kept.result, engineAccepted };
  } catch (error) {
    return { id: job.id, ok: false, message: (error as Error)?.message ?? String(error) };
  }
}

parentPort?.on('message', (message: ScanJob | ScanAnswer) => {
  const answered = awaitingAnswer;
  if (answered) {
    awaitingAnswer = undefined;
    answered(message as ScanAnswer);
    return;
  }
  void scan(message as ScanJob).then((reply) => parentPort?.postMessage(reply));
});
