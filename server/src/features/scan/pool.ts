/**
 * A few worker threads for the workspace scan, so that checking a thousand modules uses the
 * machine's cores and never blocks the thread that answers hovers and edits. Workers start on
 * first use and stop when the scan has been idle a while; a worker that dies fails only its job.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ScanJob, ScanReply } from './protocol';

/** Idle workers are stopped after this long: their heaps are the server's biggest cost at rest. */
const IDLE_MS = 10_000;
/** A hostile module that balloons the analysis hits this before it hurts the editor. */
const WORKER_HEAP_MB = 2048;
/**
 * An analysis leaves little alive between modules, so a small young generation costs no time and
 * keeps each worker's heap near 50 MB instead of 100 (two workers over 1,000 modules: 326 → 271 MB
 * peak for the server, BENCHMARKS.md).
 */
const WORKER_YOUNG_GENERATION_MB = 8;

/**
 * One worker per core, at most four. Workers run at a lower priority than the server's own thread
 * (worker.ts), so that thread still answers the editor at once while every core scans: on two
 * cores two workers check 1,000 modules in 70–90% of the time one takes, hovers still in ~2 ms.
 * `WASM_WARDEN_SCAN_THREADS` sets another count (0: scan on the server's own thread).
 */
function configuredThreads(): number {
  const configured = Number.parseInt(process.env.WASM_WARDEN_SCAN_THREADS ?? '', 10);
  if (Number.isInteger(configured) && configured >= 0) return configured;
  return Math.max(1, Math.min(4, availableParallelism()));
}

type Pending = { job: ScanJob; resolve: (reply: ScanReply) => void };

interface Slot {
  worker: Worker;
  busy?: Pending;
}

export class ScanPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly script: string,
    readonly size: number,
  ) {}

  /**
   * A pool running `scan-worker.js` next to the server bundle (or `script`); undefined when there
   * is none, as in unit tests of the unbundled sources, which then analyse in their own thread.
   */
  static create(
    size = configuredThreads(),
    script = path.join(__dirname, 'scan-worker.js'),
  ): ScanPool | undefined {
    return size > 0 && existsSync(script) ? new ScanPool(script, size) : undefined;
  }

  /** Analyses in a worker; the bytes' buffer moves to the worker when it is theirs alone. */
  run(job: Omit<ScanJob, 'id'>): Promise<ScanReply> {
    return new Promise((resolve) => {
      this.queue.push({ job: { ...job, id: this.nextId++ }, resolve });
      this.pump();
    });
  }

  dispose(): void {
    for (const slot of this.slots.splice(0)) void slot.worker.terminate();
  }

  private pump(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => !s.busy) ?? this.spawn();
      if (!slot) return;
      const pending = this.queue.shift()!;
      slot.busy = pending;
      slot.worker.postMessage(pending.job, transferables(pending.job));
    }
    if (this.slots.every((s) => !s.busy)) {
      this.idleTimer = setTimeout(() => this.dispose(), IDLE_MS);
      this.idleTimer.unref();
    }
  }

  private spawn(): Slot | undefined {
    if (this.slots.length >= this.size) return undefined;
    const worker = new Worker(this.script, {
      resourceLimits: {
        maxOldGenerationSizeMb: WORKER_HEAP_MB,
        maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
      },
    });
    worker.unref(); // never keep the server alive on its own
    const slot: Slot = { worker };
    worker.on('message', (reply: ScanReply) => {
      const done = slot.busy;
      slot.busy = undefined;
      done?.resolve(reply);
      this.pump();
    });
    const fail = (message: string) => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      const lost = slot.busy;
      slot.busy = undefined;
      lost?.resolve({ id: lost.job.id, ok: false, message });
      this.pump();
    };
    worker.on('error', (error) => fail(`the analysis worker failed: ${error.message}`));
    worker.on('exit', (code) => fail(`the analysis worker stopped (exit code ${code})`));
    this.slots.push(slot);
    return slot;
  }
}

/** Buffers that can move rather than be copied: only those that span their whole ArrayBuffer. */
function transferables(job: ScanJob): ArrayBuffer[] {
  const own = (b: Uint8Array | undefined) =>
    b && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer
      ? [b.buffer]
      : [];
  return [...own(job.bytes), ...own(job.detachedSignature)];
}
