/** Messages to and from the component transpiler process (`transpileWorker.ts`). */

export interface TranspileRequest {
  type: 'transpile';
  bytes: Uint8Array;
}

export type TranspileReply =
  | {
      type: 'done';
      /** Generated files: `component.js` and the core modules it instantiates. */
      files: [string, Uint8Array][];
      /** Interfaces the component imports, without versions (`wasi:cli/environment`). */
      imports: string[];
      exports: [string, string][];
    }
  | { type: 'error'; message: string };
