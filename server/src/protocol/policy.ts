/**
 * Custom messages for policy files, shared by the client and the server. Each message is declared
 * once as a namespace holding its method and typed `type`, which both sides pass to the library.
 */
import { RequestType } from 'vscode-languageserver-protocol';

export interface CreatePolicyParams {
  uris: string[];
}

export type CreatePolicyResult =
  | {
      /** Where the policy belongs: wasm-policy.json in the modules' common folder. */
      policyUri: string;
      /** JSONC text to write. */
      text: string;
      /** A policy file is already there. */
      exists: boolean;
      /** When one is: the least-privilege additions merged into it (the client offers this, not a replacement). */
      merged?: {
        text: string;
        added: string[];
        dangerous: string[];
        keptDenied: Array<{ pattern: string; reason: string }>;
      };
    }
  | { error: string };

/** Client → server: the least-privilege policy for these modules (`file:` URIs of .wasm / .wat). */
export namespace CreatePolicyRequest {
  export const method = 'wasmWarden/policy/create';
  export const type = new RequestType<CreatePolicyParams, CreatePolicyResult, void>(method);
}
