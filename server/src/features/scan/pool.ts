/**
 * A few worker threads for the workspace scan, so that checking a thousand modules uses the
 * machine's cores and never blocks the thread that answers hovers and edits. Workers start on
 * first use and stop when the scan has been idle a while; a worker that dies fails only its job.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { ownBuffers, WorkerPool } from '../../workers/pool';
import type { ContentKeys } from '../analysisCache';
import { isScanQuestion, type ScanAnswer, type ScanJob, type ScanQuestion, type ScanReply } from './protocol';

/** Idle workers are stopped after this long: their heaps are the server's biggest cost at rest. */
const IDLE_MS = 10_000;
/**
 * A hostile module that balloons the analysis hits this before it hurts the editor; the largest
 * real modules (duckdb-wasm 34 MB, ffmpeg-core 32 MB) need far less. Under 2 GB on purpose: from
 * there V8 lets a heap grow to 4x what survived its last full collection, at 1 GB to 1.6x, and
 * the two workers' heaps peaked 35-45 MB higher for nothing (BENCHMARKS.md, round 6).
 */
const WORKER_HEAP_MB = 1024;
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

/** Analyses workspace modules on worker threads running `scan-worker.js`. */
export class ScanPool {
  private nextId = 1;

  private constructor(private readonly pool: WorkerPool<ScanJob, ScanReply>) {}

  get size(): number {
    return this.pool.size;
  }

  /**
   * A pool running `scan-worker.js` next to the server bundle (or `script`); undefined when there
   * is none, as in unit tests of the unbundled sources, which then analyse in their own thread.
   */
  static create(
    size = configuredThreads(),
    script = path.join(__dirname, 'scan-worker.js'),
  ): ScanPool | undefined {
    if (size <= 0 || !existsSync(script)) return undefined;
    return new ScanPool(
      new WorkerPool<ScanJob, ScanReply>({
        script,
        size,
        resourceLimits: {
          maxOldGenerationSizeMb: WORKER_HEAP_MB,
          maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
        },
        idleMs: IDLE_MS,
        unref: true, // never keep the server alive on its own
        transfer: (job) => ownBuffers(job.bytes, job.detachedSignature),
        label: 'analysis worker',
        failed: (job, message) => ({ id: job.id, ok: false, message }),
        isQuestion: isScanQuestion,
      }),
    );
  }

  /**
   * Analyses in a worker; the bytes' buffer moves to the worker when it is theirs alone. Without
   * bytes the worker reads the file and `answer` decides from its content keys whether to analyse
   * it (by default: yes, trusting the job's `knownValid`).
   */
  run(job: Omit<ScanJob, 'id'>, answer?: (keys: ContentKeys) => ScanAnswer): Promise<ScanReply> {
    const decide = answer ?? (() => ({ skip: false, knownValid: job.knownValid ?? [] }));
    return this.pool.run({ ...job, id: this.nextId++ }, (question) =>
      decide((question as ScanQuestion).keys),
    );
  }

  dispose(): void {
    void this.pool.dispose();
  }
}
