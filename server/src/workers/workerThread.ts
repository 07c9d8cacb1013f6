/**
 * One kind of job on BoundedWorkers, as the server and the CLI use it: a worker script built beside
 * the bundle (none when running from sources), jobs cancelled by key, the workers disposed with
 * it. Each subclass sends its job and turns the outcome (a timeout, a crash) into its own result.
 */
import { BoundedWorkers, type BoundedWorkerOptions } from './boundedWorkers';

export abstract class WorkerThread<J, R> {
  protected constructor(protected readonly workers: BoundedWorkers<J, R>) {}

  /** `make(workers)` on the workers of `script`; undefined when the script was not built. */
  protected static start<T, J, R>(
    script: string,
    options: BoundedWorkerOptions,
    make: (workers: BoundedWorkers<J, R>) => T,
  ): T | undefined {
    const workers = BoundedWorkers.create<J, R>(script, options);
    return workers && make(workers);
  }

  /**
   * Stops the jobs of `key` (a document): all of them by default; with `runningForMs`, the queued
   * ones and those running for that long already (after an edit, a small file's job ends sooner
   * than a fresh worker starts).
   */
  cancel(key: string, runningForMs = 0): void {
    this.workers.cancel(key, runningForMs);
  }

  /** Jobs queued or running. */
  get pending(): number {
    return this.workers.pending;
  }

  dispose(): void {
    this.workers.dispose();
  }
}
