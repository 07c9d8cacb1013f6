/**
 * Spreads `check` over all cores with worker_threads. The check command's bundle is its own worker
 * script: commands/check.ts starts `runCheckWorker` when it finds itself in a worker with our marker. Results
 * stream back one file at a time and only findings cross the thread boundary, so memory stays
 * bounded however many files there are.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { WorkerPool } from '../../workers/pool';
import { checkFile, type CheckOptions } from './checkFile';
import type { FileReport } from './report';

const WORKER_MARKER = 'wasm-warden-check-worker';

interface WorkerInit {
  marker: typeof WORKER_MARKER;
  options: CheckOptions;
}

type Job = { id: number; file: string };
type Done = { id: number; report: FileReport };

export function isCheckWorker(): boolean {
  return !isMainThread && (workerData as WorkerInit | undefined)?.marker === WORKER_MARKER;
}

/** The worker side: check whatever file the parent sends, reply with its report. */
export function runCheckWorker(): void {
  const { options } = workerData as WorkerInit;
  parentPort?.on('message', async (job: Job) => {
    const report = await checkFile(job.file, options);
    parentPort?.postMessage({ id: job.id, report } satisfies Done);
  });
}

/**
 * Checks `files` with up to `threads` workers running `workerScript` (in-process when 1 thread or
 * one file), calling `onReport` in completion order. Resolves with the reports in input order.
 */
export async function checkAll(
  files: string[],
  options: CheckOptions,
  threads: number,
  workerScript: string | undefined,
  onReport: (report: FileReport, done: number) => void,
): Promise<FileReport[]> {
  const reports: FileReport[] = new Array(files.length);
  let done = 0;
  if (threads <= 1 || files.length <= 1 || !workerScript) {
    for (let i = 0; i < files.length; i++) {
      reports[i] = await checkFile(files[i], options);
      onReport(reports[i], ++done);
    }
    return reports;
  }

  const pool = new WorkerPool<Job, Done>({
    script: workerScript,
    size: Math.min(threads, files.length),
    workerData: { marker: WORKER_MARKER, options } satisfies WorkerInit,
    label: 'check worker',
    // A worker that dies fails only its file, which says so.
    failed: (job, message) => ({ id: job.id, report: { path: files[job.id], findings: [], error: message } }),
  });
  try {
    await Promise.all(
      files.map(async (file, id) => {
        const { report } = await pool.run({ id, file });
        reports[id] = report;
        onReport(report, ++done);
      }),
    );
  } finally {
    await pool.dispose();
  }
  return reports;
}
