/**
 * The fuzzing harness's worker: runs one input through one target per message and answers with
 * what happened. The harness kills it when an input takes longer than its budget (a hang).
 */
import { parentPort } from 'node:worker_threads';
import { OracleFailure, runTarget, type TargetName } from './targets';

export interface FuzzJob {
  id: number;
  target: TargetName;
  input: unknown;
}

export type FuzzAnswer =
  { id: number; ok: true } | { id: number; ok: false; kind: 'oracle' | 'exception'; message: string };

parentPort?.on('message', (job: FuzzJob) => {
  runTarget(job.target, job.input).then(
    () => parentPort!.postMessage({ id: job.id, ok: true } satisfies FuzzAnswer),
    (error: unknown) =>
      parentPort!.postMessage({
        id: job.id,
        ok: false,
        kind: error instanceof OracleFailure ? 'oracle' : 'exception',
        message: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : String(error),
      } satisfies FuzzAnswer),
  );
});
