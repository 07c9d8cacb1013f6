/**
 * A tiny LSP client for protocol tests: starts `dist/server.js --stdio` as a child process and
 * speaks JSON-RPC to it, collecting the diagnostics it publishes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const SERVER_PATH = path.join(REPO_ROOT, 'dist', 'server.js');

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: Array<{
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    message: string;
    severity?: number;
    code?: string | number;
    source?: string;
    data?: unknown;
  }>;
}

export class LspTestClient {
  readonly process: ChildProcessWithoutNullStreams;
  readonly connection: MessageConnection;
  readonly published = new Map<string, PublishedDiagnostics>();
  /** Every publish, in arrival order (for tests about how many publishes a version gets). */
  readonly publishHistory: PublishedDiagnostics[] = [];
  private waiters: Array<() => void> = [];
  stderr = '';
  private rootPath: string | undefined;
  /** Answers the server's workspace/configuration requests. */
  configuration: Record<string, unknown> = {};

  /** `serverPath` and `nodeArgs` let benchmarks run another build or profile the server. */
  constructor(args: string[] = ['--stdio'], serverPath = SERVER_PATH, nodeArgs: string[] = []) {
    this.process = spawn(process.execPath, [...nodeArgs, serverPath, ...args], { stdio: 'pipe' });
    this.process.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    const reader = new StreamMessageReader(this.process.stdout);
    // vscode-jsonrpc re-arms a 10 s timer for as long as a message stays half-read, and nothing
    // clears it: a server killed mid-message would keep the test process alive for ever.
    reader.partialMessageTimeout = 0;
    this.connection = createMessageConnection(reader, new StreamMessageWriter(this.process.stdin));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishedDiagnostics) => {
      this.published.set(params.uri, params);
      this.publishHistory.push(params);
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
    this.connection.onRequest('workspace/configuration', (params: { items: Array<{ section?: string }> }) =>
      params.items.map((item) => (item.section ? (this.configuration[item.section] ?? null) : null)),
    );
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('workspace/workspaceFolders', () =>
      this.rootPath ? [{ uri: pathToFileURL(this.rootPath).href, name: path.basename(this.rootPath) }] : null,
    );
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onNotification(() => undefined);
    this.connection.listen();
  }

  async initialize(
    rootPath?: string,
    capabilities: Record<string, unknown> = {},
  ): Promise<{ capabilities: Record<string, unknown>; serverInfo?: { name: string } }> {
    this.rootPath = rootPath;
    const result = await this.connection.sendRequest<{ capabilities: Record<string, unknown> }>(
      'initialize',
      {
        processId: process.pid,
        rootUri: rootPath ? pathToFileURL(rootPath).href : null,
        workspaceFolders: rootPath
          ? [{ uri: pathToFileURL(rootPath).href, name: path.basename(rootPath) }]
          : null,
        capabilities: {
          workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } },
          ...capabilities,
        },
      },
    );
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  open(uri: string, text: string, languageId = 'wat', version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId, version, text },
    });
  }

  change(uri: string, version: number, text: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Waits until diagnostics for `uri` satisfy `predicate` (default: any published), or fails after `timeoutMs`. */
  async waitForDiagnostics(
    uri: string,
    predicate: (d: PublishedDiagnostics) => boolean = () => true,
    timeoutMs = 20000,
  ): Promise<PublishedDiagnostics> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = this.published.get(uri);
      if (current && predicate(current)) return current;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(
          `No matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(current)}\nserver stderr: ${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Clean LSP shutdown; resolves with the server's exit code. */
  async shutdown(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) =>
      this.process.once('exit', (code) => resolve(code)),
    );
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const code = await exited;
    this.connection.dispose();
    return code;
  }

  kill(): void {
    this.connection.dispose();
    this.process.kill();
  }
}
