/**
 * wabt on a thread of its own (bundled as `dist/wat-compile-worker.js`): compiles and validates
 * the module text it is sent, so a big `.wat` is validated while the server's thread reads it.
 * Run by features/boundedWorkers.ts with a heap and a time limit: a compile that spins is stopped
 * with its worker, and a trap inside wabt drops the wabt instance (core/wat/compile.ts).
 */
import { compileWat } from '../../core/wat/compile';
import { serveJobs } from '../boundedWorkers';
import type { CompileJob, CompileReply } from './protocol';

serveJobs<CompileJob, CompileReply>(
  async (job) => {
    const { bytes, findings } = await compileWat(job.text, job.fileName);
    return bytes ? { bytes, findings } : { findings };
  },
  (reply) => (reply.bytes ? [reply.bytes.buffer as ArrayBuffer] : []),
);
