/**
 * Sandboxed runs through the language server (dist/server.js over stdio): the run request answers
 * with the report, progress streams while it runs, the cancel notification stops it, and the
 * server keeps answering other requests while a hostile module spins.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SandboxReport } from '../../server/src/core/sandbox/report';
import type {
  SandboxEntryPointsResult,
  SandboxProgress,
  SandboxRunParams,
} from '../../server/src/protocol/sandbox';
import { LspTestClient, REPO_ROOT } from '../support/lspClient';

const fixture = (dir: string, name: string): string =>
  pathToFileURL(path.join(REPO_ROOT, 'test', 'fixtures', dir, name)).toString();

describe('language server: sandbox requests', function () {
  this.timeout(30_000);
  let client: LspTestClient;
  let progress: SandboxProgress[];

  beforeEach(async () => {
    client = new LspTestClient();
    progress = [];
    client.connection.onNotification(
      'wasmWarden/sandbox/progress',
      (p: SandboxProgress) => void progress.push(p),
    );
    await client.initialize();
  });
  afterEach(() => client.kill());

  const run = (params: SandboxRunParams) =>
    client.connection.sendRequest<SandboxReport>('wasmWarden/sandbox/run', params);

  it('runs a module, streams its output and answers with the report', async () => {
    const report = await run({ uri: fixture('sandbox', 'hello.wat'), runId: 'r1' });
    assert.deepEqual(report.outcome, { kind: 'exit', code: 0 });
    assert.deepEqual(report.hostCalls, { 'wasi_snapshot_preview1.fd_write': 1 });
    const output = progress.filter((p) => p.kind === 'output');
    assert.deepEqual(output, [{ runId: 'r1', kind: 'output', stream: 'stdout', text: 'hello, sandbox\n' }]);
  });

  it('keeps answering while a runaway module runs, then reports the timeout', async () => {
    const spinning = run({ uri: fixture('hostile', 'infinite-loop.wat'), runId: 'loop', timeoutMs: 1500 });
    await client.open('file:///tmp/ok.wat', '(module)');
    // Diagnostics arrive while the module spins (their content belongs to the rules' tests).
    const ok = await client.waitForDiagnostics('file:///tmp/ok.wat');
    assert.ok(Array.isArray(ok.diagnostics));
    const entries = await client.connection.sendRequest<SandboxEntryPointsResult>(
      'wasmWarden/sandbox/entryPoints',
      {
        uri: fixture('sandbox', 'add.wat'),
      },
    );
    assert.deepEqual(entries.functions, [
      { name: 'add', params: ['i32', 'i32'], results: ['i32'] },
      { name: 'callsLog', params: [], results: [] },
    ]);
    assert.equal(entries.wasiStart, false);
    assert.deepEqual(entries.rwPreopens, []);
    const report = await spinning;
    assert.equal(report.outcome.kind, 'timeout');
  });

  it('stops a run on the cancel notification and still answers with the report', async () => {
    const spinning = run({
      uri: fixture('hostile', 'infinite-loop.wat'),
      runId: 'stop-me',
      timeoutMs: 20_000,
    });
    // The first sample arrives once the module is instantiated.
    for (let i = 0; i < 100 && !progress.some((p) => p.runId === 'stop-me' && p.kind === 'sample'); i++)
      await new Promise((r) => setTimeout(r, 50));
    await client.connection.sendNotification('wasmWarden/sandbox/cancel', { runId: 'stop-me' });
    const report = await spinning;
    assert.deepEqual(report.outcome, { kind: 'cancelled' });
  });

  it('reports a file that is not on disk as an error value', async () => {
    const report = await run({ uri: 'untitled:Untitled-1', runId: 'u' });
    assert.deepEqual(report.outcome, { kind: 'error', message: 'only files on disk can run in the sandbox' });
  });
});
