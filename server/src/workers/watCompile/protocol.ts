/** Messages between the server and its wabt threads (features/boundedWorkers.ts carries them). */
import type { Finding } from '../../core/findings';

export interface CompileJob {
  text: string;
  fileName: string;
}

/** What `compileWat` returned, less the facts: the server reads them from the bytes when it needs them. */
export interface CompileReply {
  bytes?: Uint8Array;
  findings: Finding[];
}
