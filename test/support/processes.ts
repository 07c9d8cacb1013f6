/** Whether a process that is not our child has gone, for tests of processes killed elsewhere. */
import * as fs from 'node:fs';

/** Gone, or a zombie waiting for whichever process adopted it to reap it (dead all the same). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    return fs
      .readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .startsWith('Z');
  } catch {
    return false;
  }
}

/**
 * Waits until such a process is gone: a bounded poll (it has no `exit` event here, and its killer
 * runs in another process that may be slow under load). The bound only gives up; it asserts no time.
 */
export async function waitUntilGone(pid: number, giveUpMs = 20_000): Promise<boolean> {
  for (const end = Date.now() + giveUpMs; Date.now() < end;) {
    if (processGone(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return processGone(pid);
}
