/**
 * wabt on a thread of its own (bundled as `dist/wat-compile-worker.js`): compiles and validates
 * the module text it is sent, so a big `.wat` is validated while the server's thread reads it.
 */
import { parentPort } from 'node:worker_threads';
import { compileWat } from '../../core/wat/compile';
import type { CompileJob, CompileReply } from './protocol';

parentPort?.on('message', async (job: CompileJob) => {
  const { bytes, findings } = await compileWat(job.text, job.fileName);
  const reply: CompileReply = { id: job.id, bytes, findings };
  parentPort?.postMessage(reply, bytes ? [bytes.buffer as ArrayBuffer] : []);
});
