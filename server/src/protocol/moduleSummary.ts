/**
 * `wasmWarden/moduleSummary`: what the status bar and CodeLens show for a module — the
 * capabilities it uses, who signed it, and the policy in force. Declared once, used by both sides.
 */
import { RequestType } from 'vscode-languageserver-protocol';

export interface ModuleSummaryParams {
  uri: string;
}

export interface ModuleSummary {
  /** Capability groups the module's imports fall in, plus `host:<module>` for non-WASI imports. */
  capabilities: string[];
  signature: {
    status:
      | 'valid'
      | 'partial'
      | 'untrusted'
      | 'invalid'
      | 'unsigned'
      | 'malformed'
      | 'unsupported'
      | 'not-applicable';
    /** Key ids (hex or text) of the signers, whether a trusted key verified each, and what each covers. */
    signers: Array<{ keyId: string | null; trusted: boolean; covers: string }>;
  };
  policy: { kind: 'file' | 'default' | 'strict-fallback'; path?: string };
  errors: number;
  warnings: number;
  /** Host ABIs the imports belong to beside WASI (`Emscripten`, `Extism PDK`...), most imports first. */
  hostAbis?: string[];
  /** Components: `component, world wasi:cli/command@0.2.0` (or `own world (…)`, `outside world …`). */
  world?: string;
  /** One line: `io, clock · signed by 95b7… · wasm-policy.json`. */
  text: string;
}

export namespace ModuleSummaryRequest {
  export const method = 'wasmWarden/moduleSummary';
  export const type = new RequestType<ModuleSummaryParams, ModuleSummary | null, void>(method);
}
