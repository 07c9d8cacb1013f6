/**
 * Disassembles `.wasm` files for the text view on a worker thread (dist/disasm-worker.js) with a
 * heap and a time limit. A worker that dies, runs out of time or memory gives a view that says so,
 * located at the last byte it printed; the server itself never runs the disassembler.
 */
import * as path from 'node:path';
import type { WasmTextView } from '../../core/disasm/disassemble';
import { WorkerThread } from '../../workers/workerThread';
import { unpackView, type DisassemblyJob, type DisassemblyProgress, type DisassemblyReply } from './protocol';

/**
 * esbuild-wasm (14 MB) takes 15 s alone and up to 47 s on a two-core machine shared with other
 * work; a real module must never hit this, hostile bytes get no more.
 */
export const DISASSEMBLY_TIME_LIMIT_MS = 180_000;
/** The largest real views (esbuild-wasm) peak near 300 MB; a hostile module stops at this. */
const DISASSEMBLY_HEAP_MB = 1024;

export class DisassemblyThread extends WorkerThread<DisassemblyJob, DisassemblyReply> {
  static create(
    script = path.join(__dirname, 'disasm-worker.js'),
    timeLimitMs = DISASSEMBLY_TIME_LIMIT_MS,
  ): DisassemblyThread | undefined {
    const options = { size: 1, timeLimitMs, heapMb: DISASSEMBLY_HEAP_MB };
    return WorkerThread.start<DisassemblyThread, DisassemblyJob, DisassemblyReply>(
      script,
      options,
      (workers) => new DisassemblyThread(workers),
    );
  }

  /**
   * The view of `bytes` (moved to the worker), or null when cancelled. `key` names the file, so a
   * newer request for it can `cancel` this one.
   */
  async disassemble(
    bytes: Uint8Array,
    key: string,
    onProgress?: (progress: DisassemblyProgress) => void,
  ): Promise<WasmTextView | null> {
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const job = { bytes: own ? bytes : bytes.slice() };
    const outcome = await this.workers.run(job, {
      key,
      transfer: [job.bytes.buffer as ArrayBuffer],
      onProgress: onProgress && ((p) => onProgress(p as DisassemblyProgress)),
    });
    if (outcome.ok) return unpackView(outcome.value);
    if (outcome.reason === 'cancelled') return null;
    const offset = (outcome.progress as DisassemblyProgress | undefined)?.offset ?? 0;
    const message = `could not disassemble: ${outcome.message}`;
    return {
      kind: 'invalid',
      text: `;; ${message}; stopped near byte 0x${offset.toString(16)}.\n`,
      lines: [{ offset }],
      omittedLines: 0,
      error: { message, offset },
    };
  }
}
