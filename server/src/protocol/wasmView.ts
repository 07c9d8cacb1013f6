/**
 * `wasmWarden/wasmText`: the read-only text form of a `.wasm` file, which the client shows when a
 * binary is opened. Declared once, used by both sides.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';

export interface WasmTextParams {
  /** `file:` URI of the `.wasm` file. */
  uri: string;
}

export interface WasmTextResult {
  /** What the text shows: a disassembled module, a printed component, or a message instead. */
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

/**
 * `wasmWarden/wasmTextProgress`: sent while a `.wasm` is disassembled, so the view can show its
 * first lines (and a "disassembling…" state) long before the whole text is ready.
 */
export interface WasmTextProgressParams {
  /** `file:` URI of the `.wasm` file. */
  uri: string;
  /** The first lines of the view, ending with a newline: the same lines the whole text starts with. */
  firstLines: string;
}

export namespace WasmTextProgressNotification {
  export const method = 'wasmWarden/wasmTextProgress';
  export const type = new NotificationType<WasmTextProgressParams>(method);
}
