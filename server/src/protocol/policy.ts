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
      /** A policy file is already there (the client asks before replacing it). */
      exists: boolean;
    }
  | { error: string };
