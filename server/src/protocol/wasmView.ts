/**
 * `wasmWarden/wasmText`: the read-only text form of a `.wasm` file, which the client shows when a
 * binary is opened. Declared once, used by both sides.
 */
import { RequestType } from 'vscode-languageserver-protocol';

export interface WasmTextParams {
  /** `file:` URI of the `.wasm` file. */
  uri: string;
}

export interface WasmTextResult {
  /** What the text shows: a disassembled module, an outlined component, or a message instead. */
  kind: 'module' | 'component' | 'invalid' | 'unreadable' | 'too-large';
  /** The text to show; always set, ending with a newline (a message as `;;` comments if needed). */
  text: string;
  /** Why the file could not be shown in full, with the byte where reading stopped when known. */
  error?: string;
  /** Instruction lines left out to keep the view fast (the text says where). */
  omittedLines: number;
}

export namespace WasmTextRequest {
  export const method = 'wasmWarden/wasmText';
  export const type = new RequestType<WasmTextParams, WasmTextResult, void>(method);
}
