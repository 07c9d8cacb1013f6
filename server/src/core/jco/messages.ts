/** Messages to and from the component transpiler process (`transpileWorker.ts`). */

export type TranspileRequest =
  | { type: 'transpile'; bytes: Uint8Array }
  /**
   * Module or component text to binary, with wasm-tools' parser. The text comes in a file (in a
   * private temporary folder): a caller busy on its own thread, as the text-analysis worker is
   * while its reader runs, would not pass a 14 MB message down the pipe until it was done.
   */
  | { type: 'parse'; textFile: string };

export type TranspileReply =
  | {
      type: 'done';
      /** Generated files: `component.js` and the core modules it instantiates. */
      files: [string, Uint8Array][];
      /** Interfaces the component imports, without versions (`wasi:cli/environment`). */
      imports: string[];
      exports: [string, string][];
    }
  | { type: 'parsed'; bytes: Uint8Array }
  | { type: 'error'; message: string };
