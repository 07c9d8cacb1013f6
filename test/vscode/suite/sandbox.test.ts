/**
 * Run in Sandbox, from inside VS Code through the `vscode` API only: the command runs a module
 * non-interactively (arguments given), the panel shows its output, and the report's counts are
 * the module's exact host calls. (Here VS Code's server runs on plain Node, not Electron.)
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { workspaceFile } from '../helpers';

interface RunResult {
  report: {
    outcome: { kind: string; code?: number; values?: string[]; message?: string };
    stdout: { text: string };
    hostCalls: Record<string, number>;
    violations: unknown[];
    missingImports: string[];
  };
  panel: { title: string; stdout: string; outcome?: string; hostCalls?: Record<string, number> };
}

describe('sandbox', function () {
  this.timeout(60_000);
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('runs a WASI module and the panel shows its output and counts', async () => {
    const result = await vscode.commands.executeCommand<RunResult>(
      'wasmWarden.runInSandbox',
      workspaceFile('sandbox/hello.wat'),
      { args: [] },
    );
    assert.ok(result, 'the command returned a result (the test workspace is trusted)');
    assert.deepEqual(result.report.outcome, { kind: 'exit', code: 0 });
    assert.equal(result.report.stdout.text, 'hello, sandbox\n');
    assert.deepEqual(result.report.hostCalls, { 'wasi_snapshot_preview1.fd_write': 1 });
    assert.equal(result.panel.title, 'hello.wat');
    assert.equal(result.panel.stdout, 'hello, sandbox\n');
    assert.equal(result.panel.outcome, 'exited with code 0');
    assert.deepEqual(result.panel.hostCalls, { 'wasi_snapshot_preview1.fd_write': 1 });
  });

  it('gives the module the preopen from the policy next to it', async () => {
    const result = await vscode.commands.executeCommand<RunResult>(
      'wasmWarden.runInSandbox',
      workspaceFile('sandbox/readfile.wat'),
      { args: [] },
    );
    assert.deepEqual(result.report.outcome, { kind: 'exit', code: 0 });
    assert.equal(result.panel.stdout, 'hello from the preopen\n');
    assert.equal(result.report.hostCalls['wasi_snapshot_preview1.path_open'], 1);
  });

  it('invokes an exported function of a module without WASI', async () => {
    const result = await vscode.commands.executeCommand<RunResult>(
      'wasmWarden.runInSandbox',
      workspaceFile('sandbox/add.wat'),
      { invoke: { name: 'add', args: ['20', '22'] } },
    );
    assert.deepEqual(result.report.outcome, { kind: 'returned', values: ['42'] });
    assert.deepEqual(result.report.missingImports, ['env.log']);
    assert.equal(result.panel.title, 'add.wat — add(20, 22)');
  });
});
