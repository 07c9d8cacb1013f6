/**
 * Sandboxed runs for the client: runs a module through core/sandbox (a separate process with the
 * policy's limits), streams its progress, and stops it when the client cancels the request.
 */
import type { CancellationToken, Connection, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { nodeFileSystem } from '../core/policy/fileSystem';
import { PolicyResolver } from '../core/policy/resolver';
import { entryPoints } from '../core/sandbox/entryPoints';
import { compileWatForSandbox, readModuleBytes } from '../core/wat/moduleBytes';
import { emptyReport, type SandboxReport } from '../core/sandbox/report';
import { startSandboxRun } from '../core/sandbox/runner';
import {
  SandboxCancelNotification,
  SandboxEntryPointsRequest,
  SandboxProgressNotification,
  SandboxRunRequest,
  type SandboxCancelParams,
  type SandboxEntryPointsParams,
  type SandboxEntryPointsResult,
  type SandboxProgress,
  type SandboxRunParams,
} from '../protocol/sandbox';
import { uriToPath } from './fileUris';

/** The module's bytes: an open `.wat` editor's text (compiled), else the file on disk. */
async function moduleBytes(
  documents: TextDocuments<TextDocument>,
  uri: string,
  file: string,
): Promise<Uint8Array | { error: string }> {
  const open = documents.get(uri);
  if (open && /\.wat$/i.test(file)) return compileWatForSandbox(open.getText(), file);
  return readModuleBytes(file);
}

function errorReport(file: string, message: string): SandboxReport {
  return emptyReport(file, { kind: 'error', message });
}

/**
 * `resolver` is the server's shared one (open policy documents count, `wasmWarden.policyPath` is
 * honoured, caches are cleared on every policy change); tests may leave it out.
 */
export function registerSandboxFeature(
  connection: Connection,
  documents: TextDocuments<TextDocument>,
  resolver: PolicyResolver = new PolicyResolver(nodeFileSystem),
): void {
  const running = new Map<string, () => void>();
  connection.onNotification(SandboxCancelNotification.type, ({ runId }: SandboxCancelParams) =>
    running.get(runId)?.(),
  );

  connection.onRequest(
    SandboxEntryPointsRequest.type,
    async ({ uri }: SandboxEntryPointsParams): Promise<SandboxEntryPointsResult> => {
      const file = uriToPath(uri);
      if (!file)
        return {
          wasiStart: false,
          functions: [],
          rwPreopens: [],
          problem: 'only files on disk can run in the sandbox',
        };
      const sandbox = resolver.resolve(file).sandbox;
      const rwPreopens = sandbox.preopens.filter((p) => p.mode === 'rw').map((p) => p.host);
      const bytes = await moduleBytes(documents, uri, file);
      if (!(bytes instanceof Uint8Array))
        return { wasiStart: false, functions: [], rwPreopens, problem: bytes.error };
      return { ...entryPoints(bytes), rwPreopens, networkAllow: sandbox.network.allow };
    },
  );

  connection.onRequest(
    SandboxRunRequest.type,
    async (params: SandboxRunParams, token: CancellationToken): Promise<SandboxReport> => {
      const progress = (p: SandboxProgress): void =>
        void connection.sendNotification(SandboxProgressNotification.type, p);
      const file = uriToPath(params.uri);
      if (!file) return errorReport(params.uri, 'only files on disk can run in the sandbox');
      // The shared resolver is invalidated on every policy change, so these are the current limits. A broken policy fails closed.
      const policy = resolver.resolve(file);
      if (policy.source.kind === 'strict-fallback' || policy.moduleProblem) {
        return errorReport(file, `not running: ${policy.moduleProblem?.message ?? 'the policy is broken'}`);
      }
      const bytes = await moduleBytes(documents, params.uri, file);
      if (!(bytes instanceof Uint8Array)) return errorReport(file, bytes.error);
      const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
      const run = startSandboxRun({
        file,
        bytes,
        policy: policy.sandbox,
        args: params.args,
        invoke: params.invoke,
        timeoutMs: params.timeoutMs,
        writeBack: params.writeBack,
        httpRequests: params.httpRequests,
        networkConfirmed: params.networkConfirmed,
        profile: params.profile,
        onProgress: (text) =>
          progress({
            runId: params.runId,
            kind: 'output',
            stream: 'stderr',
            text: `[wasm-warden] ${text}\n`,
          }),
        onOutput: (stream, data) =>
          progress({
            runId: params.runId,
            kind: 'output',
            stream,
            text: decoders[stream].decode(data, { stream: true }),
          }),
        onSample: (sample) => progress({ runId: params.runId, kind: 'sample', sample }),
        onViolation: (violation) => progress({ runId: params.runId, kind: 'violation', violation }),
      });
      running.set(params.runId, () => run.cancel());
      const listener = token.onCancellationRequested(() => run.cancel());
      try {
        return await run.done;
      } finally {
        listener.dispose();
        running.delete(params.runId);
      }
    },
  );
}
