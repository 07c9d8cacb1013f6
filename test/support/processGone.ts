/** Whether a sandbox process is gone (no such process, or a zombie waiting to be reaped). */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';

export function processGone(pid: number | undefined): boolean {
  assert.ok(pid, 'the sandbox process started');
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // Still in the process table: gone all the same if it is a zombie (dead, waiting to be reaped by
  // whichever process adopted it — an orphan's new parent may be slow to reap it).
  try {
    return fs
      .readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .startsWith('Z');
  } catch {
    return false;
  }
}
