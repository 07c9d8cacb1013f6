/**
 * `wasmWarden/componentWit`: the WIT text of a component's world (the world it imports and exports
 * and the interfaces it names), for the read-only WIT document the client opens beside the `.wasm`
 * view. Declared once, used by both sides.
 */
import { RequestType } from 'vscode-languageserver-protocol';

export interface ComponentWitParams {
  /** `file:` URI of the `.wasm` file (or of its text view). */
  uri: string;
}

export type ComponentWitResult =
  | { kind: 'component'; wit: string }
  /** Not a component (a core module, not WebAssembly, unreadable, too large): why, in one sentence. */
  | { kind: 'module' | 'unreadable'; message: string };

export namespace ComponentWitRequest {
  export const method = 'wasmWarden/componentWit';
  export const type = new RequestType<ComponentWitParams, ComponentWitResult, void>(method);
}
