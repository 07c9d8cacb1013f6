/**
 * Custom messages for policy files, shared by the client and the server. Constants with the method
 * name next to their types (as in protocol/sandbox.ts: each side bundles its own protocol copy).
 */

/** Client → server: the least-privilege policy for these modules (`file:` URIs of .wasm / .wat). */
export const CreatePolicyRequest = { method: 'wasmWarden/policy/create' } as const;

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
