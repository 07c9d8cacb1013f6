/**
 * Custom messages for sandboxed runs, shared by the client and the server. The client asks the
 * server to run a module (the server forks the sandbox process; module code never runs in either
 * of them), receives progress notifications while it runs, and stops it with a cancel
 * notification (the Stop button), after which the run request still answers with the report.
 * Cancelling the request itself also stops the run (the report is then dropped).
 *
 * Each message is declared once as a namespace with its method and typed `type`; both sides pass
 * the `type`, so a wrong parameter or result type is a compile error at the call site.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { HttpRequestSpec } from '../core/policy/httpSpec';
import type { EntryPoints } from '../core/sandbox/entryPoints';
import type { SandboxReport, SandboxSample, SandboxViolation } from '../core/sandbox/report';

export interface SandboxRunParams {
  /** The module's URI (file: scheme). */
  uri: string;
  /** Chosen by the client, echoed in progress notifications. */
  runId: string;
  invoke?: { name: string; args: string[] };
  /** WASI arguments. */
  args?: string[];
  timeoutMs?: number;
  /** The user confirmed copying rw preopen writes back to disk. */
  writeBack?: boolean;
  /** Components: requests for a wasi:http handler (instead of the policy's sandbox.http.requests). */
  httpRequests?: HttpRequestSpec[];
  /** Components: the user confirmed outgoing requests to the policy's sandbox.network.allow. */
  networkConfirmed?: boolean;
  /** Count fuel per function and loop: the report's `profile` (docs/metering.md). */
  profile?: boolean;
}

export type SandboxProgress =
  | { runId: string; kind: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { runId: string; kind: 'sample'; sample: SandboxSample }
  | { runId: string; kind: 'violation'; violation: SandboxViolation };

/** Answers with the report when the run is over (also when it failed, timed out or was stopped). */
export type SandboxRunResult = SandboxReport;
export namespace SandboxRunRequest {
  export const method = 'wasmWarden/sandbox/run';
  export const type = new RequestType<SandboxRunParams, SandboxRunResult, void>(method);
}

/** What can be run in a module: `_start` and the exported functions with their parameter types. */
export interface SandboxEntryPointsParams {
  uri: string;
}
export interface SandboxEntryPointsResult extends EntryPoints {
  /** Host folders the policy preopens read-write: the client asks before writing changes back. */
  rwPreopens: string[];
  /** The policy's sandbox.network.allow: for a component the client asks before allowing the network. */
  networkAllow?: string[];
}
export namespace SandboxEntryPointsRequest {
  export const method = 'wasmWarden/sandbox/entryPoints';
  export const type = new RequestType<SandboxEntryPointsParams, SandboxEntryPointsResult, void>(method);
}

/** Server → client while a run goes on. */
export namespace SandboxProgressNotification {
  export const method = 'wasmWarden/sandbox/progress';
  export const type = new NotificationType<SandboxProgress>(method);
}

/** Client → server: stop the run with this id. */
export interface SandboxCancelParams {
  runId: string;
}
export namespace SandboxCancelNotification {
  export const method = 'wasmWarden/sandbox/cancel';
  export const type = new NotificationType<SandboxCancelParams>(method);
}
