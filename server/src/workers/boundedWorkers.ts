/**
 * Jobs that can run long or blow up on hostile input (disassembling a `.wasm`, compiling a `.wat`)
 * run here, never on the thread that answers the editor: a few worker threads with a heap limit,
 * a time limit per job, and cancellation by key (a document closed or edited). A worker that runs
 * out of time, memory or is cancelled is terminated, so whatever it was stuck in (a wasmparser loop,
 * a poisoned wabt instance) goes with it; the next job gets a fresh worker. Nothing a job does can
 * take the server down: every outcome is a value.
 *
 * A worker script answers each `{ id, job }` message with `{ id, done: result }`, and may send
 * `{ id, progress }` messages on the way (see `serveJobs`).
 */
import { existsSync } from 'node:fs';
import { parentPort, Worker } from 'node:worker_threads';

export type JobOutcome<R> =
  | { ok: true; value: R }
  | { ok: false; reason: 'timeout' | 'cancelled' | 'crashed'; message: string; progress?: unknown };

export interface BoundedWorkerOptions {
  /** Workers run at once (jobs beyond wait in order). */
  size: number;
  /** A job still running after this long is stopped. */
  timeLimitMs: number;
  /** Old-generation heap per worker. */
  heapMb: number;
  /** Idle workers stop after this long (their heaps are the cost at rest). */
  idleMs?: number;
}

export interface JobOptions {
  /** Jobs with the same key can be cancelled together (`cancel(key)`). */
  key?: string;
  /** Buffers that move to the worker. */
  transfer?: ArrayBuffer[];
  onProgress?: (progress: unknown) => void;
}

interface Pending<J, R> {
  id: number;
  job: J;
  options: JobOptions;
  resolve: (outcome: JobOutcome<R>) => void;
  lastProgress?: unknown;
  /** When a worker took the job (Date.now()). */
  startedAt?: number;
}

interface Slot<J, R> {
  worker: Worker;
  busy?: Pending<J, R>;
  timer?: NodeJS.Timeout;
}

export class BoundedWorkers<J, R> {
  private readonly slots: Slot<J, R>[] = [];
  private readonly queue: Pending<J, R>[] = [];
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly script: string,
    private readonly options: BoundedWorkerOptions,
  ) {}

  /** Undefined when the worker script was not built (unit tests running the unbundled sources). */
  static create<J, R>(script: string, options: BoundedWorkerOptions): BoundedWorkers<J, R> | undefined {
    return existsSync(script) ? new BoundedWorkers<J, R>(script, options) : undefined;
  }

  run(job: J, options: JobOptions = {}): Promise<JobOutcome<R>> {
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, job, options, resolve });
      this.pump();
    });
  }

  /**
   * Drops the queued jobs with this key and stops the workers running one for at least
   * `runningForMs` (a job about to finish is cheaper to let finish than a worker to restart).
   */
  cancel(key: string, runningForMs = 0): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const pending = this.queue[i];
      if (pending.options.key !== key) continue;
      this.queue.splice(i, 1);
      pending.resolve({ ok: false, reason: 'cancelled', message: 'cancelled' });
    }
    const now = Date.now();
    for (const slot of [...this.slots])
      if (slot.busy?.options.key === key && now - slot.busy.startedAt! >= runningForMs)
        this.stop(slot, 'cancelled', 'cancelled');
    this.pump();
  }

  /** Jobs queued or running (for tests and progress). */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.busy).length;
  }

  /** Workers alive. */
  get workers(): number {
    return this.slots.length;
  }

  dispose(): void {
    for (const slot of this.slots.splice(0)) {
      if (slot.timer) clearTimeout(slot.timer);
      void slot.worker.terminate();
    }
  }

  private pump(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => !s.busy) ?? this.spawn();
      if (!slot) break;
      const pending = this.queue.shift()!;
      slot.busy = pending;
      pending.startedAt = Date.now();
      slot.timer = setTimeout(
        () =>
          this.stop(
            slot,
            'timeout',
            `it did not finish within ${Math.round(this.options.timeLimitMs / 1000)} s`,
          ),
        this.options.timeLimitMs,
      );
      slot.timer.unref();
      slot.worker.postMessage({ id: pending.id, job: pending.job }, pending.options.transfer ?? []);
    }
    if (this.slots.length > 0 && this.slots.every((s) => !s.busy)) {
      this.idleTimer = setTimeout(() => this.dispose(), this.options.idleMs ?? 30_000);
      this.idleTimer.unref();
    }
  }

  /** Terminates a slot's worker; its job (if any) ends with `reason`. */
  private stop(slot: Slot<J, R>, reason: 'timeout' | 'cancelled' | 'crashed', message: string): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    if (slot.timer) clearTimeout(slot.timer);
    const lost = slot.busy;
    slot.busy = undefined;
    void slot.worker.terminate();
    lost?.resolve({ ok: false, reason, message, progress: lost.lastProgress });
    this.pump();
  }

  private spawn(): Slot<J, R> | undefined {
    if (this.slots.length >= this.options.size) return undefined;
    const worker = new Worker(this.script, {
      resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb },
    });
    worker.unref(); // never what keeps the server alive
    const slot: Slot<J, R> = { worker };
    worker.on('message', (message: { id: number; progress?: unknown; done?: R }) => {
      const busy = slot.busy;
      if (!busy || busy.id !== message.id) return;
      if (!('done' in message)) {
        busy.lastProgress = message.progress;
        busy.options.onProgress?.(message.progress);
        return;
      }
      if (slot.timer) clearTimeout(slot.timer);
      slot.busy = undefined;
      busy.resolve({ ok: true, value: message.done as R });
      this.pump();
    });
    const crashed = (why: string) => {
      if (this.slots.includes(slot)) this.stop(slot, 'crashed', why);
    };
    worker.on('error', (error) =>
      crashed(
        (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `it ran out of memory (the limit is ${this.options.heapMb} MB)`
          : `the worker failed: ${error.message}`,
      ),
    );
    worker.on('exit', (code) => crashed(`the worker stopped (exit code ${code})`));
    this.slots.push(slot);
    return slot;
  }
}

/**
 * The worker side: answers each job with `handle`'s result. `progress` sends a progress value for
 * the job being handled; results' ArrayBuffers listed by `transfer` move instead of being copied.
 */
export function serveJobs<J, R>(
  handle: (job: J, progress: (value: unknown) => void) => Promise<R> | R,
  transfer: (result: R) => ArrayBuffer[] = () => [],
): void {
  parentPort?.on('message', async (message: { id: number; job: J }) => {
    const { id } = message;
    const result = await handle(message.job, (progress) => parentPort?.postMessage({ id, progress }));
    parentPort?.postMessage({ id, done: result }, transfer(result));
  });
}
