/**
 * Compiles `.wat` text with wabt on a worker thread (`wat-compile-worker.js` next to the server
 * bundle). If the worker dies, the jobs it held and every later one compile on the calling thread:
 * the answer is the same, only later.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { compileWat, type CompileResult } from '../../core/wat/compile';
import type { CompileJob, CompileReply } from './protocol';

interface Pending {
  job: CompileJob;
  resolve: (result: CompileResult) => void;
}

export class WatCompileThread {
  private worker: Worker | undefined;
  private failed = false;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  private constructor(private readonly script: string) {}

  /** Undefined when the worker script was not built next to this one (tests running from sources). */
  static create(script = path.join(__dirname, 'wat-compile-worker.js')): WatCompileThread | undefined {
    return existsSync(script) ? new WatCompileThread(script) : undefined;
  }

  compile(text: string, fileName: string): Promise<CompileResult> {
    if (this.failed) return compileWat(text, fileName);
    const job: CompileJob = { id: this.nextId++, text, fileName };
    return new Promise((resolve) => {
      this.pending.set(job.id, { job, resolve });
      this.start().postMessage(job);
    });
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.unref(); // never what keeps the server alive
    worker.on('message', (reply: CompileReply) => {
      const entry = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      entry?.resolve(
        reply.bytes ? { bytes: reply.bytes, findings: reply.findings } : { findings: reply.findings },
      );
    });
    const fail = () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failed = true;
      const jobs = [...this.pending.values()];
      this.pending.clear();
      for (const { job, resolve } of jobs) void compileWat(job.text, job.fileName).then(resolve);
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    this.worker = worker;
    return worker;
  }
}
