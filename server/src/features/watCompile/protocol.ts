/** Messages between the server and its wabt thread. */
import type { Finding } from '../../core/findings';

export interface CompileJob {
  id: number;
  text: string;
  fileName: string;
}

/** What `compileWat` returned, less the facts: the server reads them from the bytes when it needs them. */
export interface CompileReply {
  id: number;
  bytes?: Uint8Array;
  findings: Finding[];
}
