/**
 * A small pool of worker threads, shared by the CLI's `check` and the server's workspace scan:
 * jobs queue, each goes to the first idle worker, and a worker that dies fails only its own job
 * (its replacement starts on the next job). Workers start on first use; with `idleMs`, they stop
 * after the pool has been idle that long, so a server at rest holds no worker heaps.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';

export interface WorkerPoolOptions<Job, Reply> {
  /** The worker script. */
  script: string;
  /** What a worker is called in failure messages ("the analysis worker stopped …"). */
  label?: string;
  /** How many workers at most. */
  size: number;
  /** Passed to every worker as `workerData`. */
  workerData?: unknown;
  resourceLimits?: ResourceLimits;
  /** Stop idle workers after this long (never, when absent). */
  idleMs?: number;
  /** Let the process exit while workers run (a server must never be kept alive by its pool). */
  unref?: boolean;
  /** Buffers in a job that can move to the worker instead of being copied. */
  transfer?: (job: Job) => ArrayBuffer[];
  /** The reply a job gets when its worker fails or exits before answering. */
  failed: (job: Job, message: string) => Reply;
  /**
   * Tells a question a worker asks while its job runs from its reply: a question goes to the
   * `answer` the job was run with, and what that returns goes back to the same worker.
   */
  isQuestion?: (message: unknown) => boolean;
}

type Pending<Job, Reply> = {
  job: Job;
  resolve: (reply: Reply) => void;
  answer?: (question: unknown) => unknown;
};

interface Slot<Job, Reply> {
  worker: Worker;
  busy?: Pending<Job, Reply>;
}

export class WorkerPool<Job, Reply> {
  private readonly slots: Slot<Job, Reply>[] = [];
  private readonly queue: Pending<Job, Reply>[] = [];
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: WorkerPoolOptions<Job, Reply>) {}

  get size(): number {
    return this.options.size;
  }

  /**
   * Runs a job on the first idle worker; always resolves (a failed worker gives `failed`'s reply).
   * `answer` answers the worker's questions about this job (see `isQuestion`).
   */
  run(job: Job, answer?: (question: unknown) => unknown): Promise<Reply> {
    return new Promise((resolve) => {
      this.queue.push({ job, resolve, answer });
      this.pump();
    });
  }

  /** Stops every worker; queued jobs stay queued until the next `run` starts workers again. */
  async dispose(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private pump(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => !s.busy) ?? this.spawn();
      if (!slot) return;
      const pending = this.queue.shift()!;
      slot.busy = pending;
      slot.worker.postMessage(pending.job, this.options.transfer?.(pending.job) ?? []);
    }
    if (this.options.idleMs !== undefined && this.slots.every((s) => !s.busy)) {
      this.idleTimer = setTimeout(() => void this.dispose(), this.options.idleMs);
      this.idleTimer.unref();
    }
  }

  private spawn(): Slot<Job, Reply> | undefined {
    if (this.slots.length >= this.options.size) return undefined;
    const worker = new Worker(this.options.script, {
      workerData: this.options.workerData,
      resourceLimits: this.options.resourceLimits,
    });
    if (this.options.unref) worker.unref();
    const slot: Slot<Job, Reply> = { worker };
    worker.on('message', (reply: Reply) => {
      const asking = slot.busy?.answer;
      if (asking && this.options.isQuestion?.(reply)) {
        worker.postMessage(asking(reply));
        return;
      }
      const done = slot.busy;
      slot.busy = undefined;
      done?.resolve(reply);
      this.pump();
    });
    const fail = (message: string) => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      // An error is followed by an exit: the job is answered once, at the first of them.
      const lost = slot.busy;
      slot.busy = undefined;
      lost?.resolve(this.options.failed(lost.job, message));
      this.pump();
    };
    const label = this.options.label ?? 'worker';
    worker.on('error', (error) => fail(`the ${label} failed: ${error.message}`));
    worker.on('exit', (code) => fail(`the ${label} stopped (exit code ${code})`));
    this.slots.push(slot);
    return slot;
  }
}

/** Buffers that can move rather than be copied: only those that span their whole ArrayBuffer. */
export function ownBuffers(...views: Array<Uint8Array | undefined>): ArrayBuffer[] {
  return views.flatMap((b) =>
    b && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer
      ? [b.buffer]
      : [],
  );
}
