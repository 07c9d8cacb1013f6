/** Messages to and from the component transpiler process (`transpileWorker.ts`). */

export type TranspileRequest =
  | { type: 'transpile'; bytes: Uint8Array }
  /** Component text (`(component ...)`) to binary, with wasm-tools' parser. */
  | { type: 'parse'; text: string };

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
