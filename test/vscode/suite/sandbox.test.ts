/**
 * Run in Sandbox, from inside VS Code through the `vscode` API only: the command runs a module
 * non-interactively (arguments given), the panel shows its output, and the report's counts are
 * the module's exact host calls. (Here VS Code's server runs on plain Node, not Electron.)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { openProfiledFunction } from '../../../client/src/sandbox/openFunction';
import type { RenderedPanel } from '../../../client/src/sandbox/panel';
import { waitFor, workspaceFile } from '../helpers';

interface RunResult {
  report: {
    outcome: { kind: string; code?: number; values?: string[]; message?: string };
    stdout: { text: string };
    hostCalls: Record<string, number>;
    violations: unknown[];
    missingImports: string[];
    component?: { world: string };
    http?: { direction: string; method: string; url: string; response?: { status: number; body: string } }[];
  };
  panel: {
    title: string;
    stdout: string;
    outcome?: string;
    hostCalls?: Record<string, number>;
    loads: number;
    rendered?: RenderedPanel;
  };
}

/** The report's profile, as far as its function links need it. */
interface Profile {
  functions: { index: number; name: string; core?: number }[];
}

/** The report panel's tab and the group it is in. */
function panelTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .find(
      (tab) =>
        tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('wasmWarden.sandboxRun'),
    );
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

  it('keeps the finished report when its tab is hidden and shown again', async () => {
    const result = await vscode.commands.executeCommand<RunResult>(
      'wasmWarden.runInSandbox',
      workspaceFile('sandbox/hello.wat'),
      { args: [] },
    );
    const panel = result.panel; // live: the panel updates it as its page reports back
    const finished = () => {
      const r = panel.rendered;
      return r && r.status === 'exited with code 0' ? r : undefined;
    };
    const before = await waitFor('the page to draw the finished run', finished);
    assert.equal(before.stopVisible, false, 'no Stop button once the run is over');
    assert.equal(before.violations, 'none');
    assert.notEqual(before.violationsColour, before.errorColour, '"none" is not shown as an error');
    assert.ok(!before.summary.some((row) => /exited with code/.test(row)), 'the outcome is said once');
    // The fuel the run used, as the CLI's report says it (fuel is counted on every run, bound
    // counting by default).
    assert.ok(
      before.summary.some((row) => /^Fuel\d+ units \(bound counting\)$/.test(row)),
      before.summary.join(' | '),
    );
    assert.ok(before.axes.includes('0 ms') && before.axes.some((t) => /^\d+ ms$/.test(t) && t !== '0 ms'));
    // Profiled by default: one bar for `_start`, its own fuel and with callees, one call.
    assert.equal(before.profile.length, 1, JSON.stringify(before.profile));
    assert.match(before.profile[0], /^_start \| \d+ \(100\.0%\) \| \d+ \(100\.0%\) \| 1$/);

    // Hide the panel behind an editor in its own group, then show it again.
    const tab = panelTab();
    assert.ok(tab, 'the report panel has a tab');
    const column = tab.group.viewColumn;
    const loads = panel.loads;
    const other = await vscode.workspace.openTextDocument(workspaceFile('sandbox/add.wat'));
    await vscode.window.showTextDocument(other, { viewColumn: column, preview: false });
    await waitFor('the panel to be hidden', () => (panelTab()?.isActive ? undefined : true));
    const cover = vscode.window.tabGroups.all
      .find((group) => group.viewColumn === column)
      ?.tabs.find(
        (t) => t.input instanceof vscode.TabInputText && t.input.uri.path.endsWith('sandbox/add.wat'),
      );
    assert.ok(cover, 'add.wat covers the panel in its group');
    await vscode.window.tabGroups.close(cover);
    await waitFor('the panel to be shown again', () => (panelTab()?.isActive ? true : undefined));
    await waitFor('the page to load again', () => (panel.loads > loads ? true : undefined));
    const after = await waitFor('the page to draw the finished run again', finished);
    assert.deepEqual(after, before);
  });

  it('restores the finished report after a window reload (the state its page stored, through the serializer)', async () => {
    const result = await vscode.commands.executeCommand<RunResult>(
      'wasmWarden.runInSandbox',
      workspaceFile('sandbox/hello.wat'),
      { args: [] },
    );
    const live = result.panel as RunResult['panel'] & { persisted?: unknown };
    const finishedIn = (panel: RunResult['panel']) => () => {
      const r = panel.rendered;
      return r && r.status === 'exited with code 0' ? r : undefined;
    };
    const before = await waitFor('the page to draw the finished run', finishedIn(live));
    // What the page stored with VS Code, read back from it (VS Code keeps it over a reload).
    const stored = await waitFor('the page to store the finished run', () => {
      const state = live.persisted as { report?: unknown } | undefined;
      return state?.report ? state : undefined;
    });
    // A reload disposes of the page and the extension host; VS Code then opens a panel of the same
    // type and gives it to the serializer with the stored state. The test cannot reload its own
    // host, so it does those two steps itself.
    const tab = panelTab();
    assert.ok(tab);
    await vscode.window.tabGroups.close(tab);
    await waitFor('the panel to close', () => (panelTab() ? undefined : true));
    const reopened = vscode.window.createWebviewPanel('wasmWarden.sandboxRun', 'Sandbox Run', {
      viewColumn: vscode.ViewColumn.Beside,
      preserveFocus: true,
    });
    const api = vscode.extensions.getExtension<{
      reviveSandboxPanel(panel: vscode.WebviewPanel, state: unknown): RunResult['panel'];
    }>('wasm-warden.wasm-warden')?.exports;
    assert.ok(api, 'the extension exports its API');
    const revived = api.reviveSandboxPanel(reopened, JSON.parse(JSON.stringify(stored)));
    assert.equal(revived.title, 'hello.wat');
    const after = await waitFor('the revived page to draw the finished run', finishedIn(revived));
    assert.deepEqual(after, { ...before, run: after.run });
    assert.equal(reopened.title, 'Sandbox: hello.wat');
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

  it("opens a profiled function at its place: in the .wat, and in the .wasm's text view", async () => {
    // What the report's link runs when a function's bar is clicked (panel.ts: `openFunction`).
    const selectedLine = () => {
      const editor = vscode.window.activeTextEditor!;
      return { uri: editor.document.uri, text: editor.document.lineAt(editor.selection.active.line).text };
    };

    const wat = await vscode.commands.executeCommand<
      RunResult & { report: { file: string; profile?: Profile } }
    >('wasmWarden.runInSandbox', workspaceFile('sandbox/add.wat'), {
      invoke: { name: 'add', args: ['1', '2'] },
    });
    const inWat = wat.report.profile?.functions.find((f) => f.name === 'add');
    assert.ok(inWat, JSON.stringify(wat.report.profile));
    await openProfiledFunction(wat.report.file, inWat);
    const atWat = await waitFor('add.wat to open at add', () => {
      const shown = selectedLine();
      return shown.uri.path.endsWith('sandbox/add.wat') ? shown : undefined;
    });
    assert.match(atWat.text, /^\s*\(func \(export "add"\)/);

    const binary = workspaceFile('sandbox/profiled.wasm');
    await vscode.workspace.fs.writeFile(
      binary,
      await vscode.workspace.fs.readFile(workspaceFile('add.wasm')),
    );
    try {
      const wasm = await vscode.commands.executeCommand<
        RunResult & { report: { file: string; profile?: Profile } }
      >('wasmWarden.runInSandbox', binary, { invoke: { name: 'add', args: ['1', '2'] } });
      assert.deepEqual(wasm.report.outcome, { kind: 'returned', values: ['3'] });
      const inWasm = wasm.report.profile?.functions.find((f) => f.index === 0);
      assert.ok(inWasm, JSON.stringify(wasm.report.profile));
      await openProfiledFunction(wasm.report.file, inWasm);
      const atView = await waitFor('the view of profiled.wasm to open at function 0', () => {
        const shown = selectedLine();
        return shown.uri.scheme === 'wasm-warden' && /\(func\b/.test(shown.text) ? shown : undefined;
      });
      assert.ok(atView.uri.path.endsWith('sandbox/profiled.wasm.wat'), atView.uri.toString());
      assert.match(atView.text, /^\s*\(func \$(add|func0)\b/);
    } finally {
      await vscode.workspace.fs.delete(binary);
    }
  });

  /**
   * Runs a component fixture built from C (test/fixtures/components), copied into the workspace,
   * and waits until the panel's page has drawn the finished run.
   */
  async function runComponentFixture(
    name: string,
    options: object,
  ): Promise<{ result: RunResult; rendered: RenderedPanel }> {
    const fixture = path.resolve(__dirname, `../../../../test/fixtures/components/${name}.component.wasm`);
    const target = workspaceFile(`sandbox/${name}.component.wasm`);
    await vscode.workspace.fs.writeFile(target, fs.readFileSync(fixture));
    try {
      const result = await vscode.commands.executeCommand<RunResult>(
        'wasmWarden.runInSandbox',
        target,
        options,
      );
      assert.deepEqual(result.report.outcome, { kind: 'exit', code: 0 });
      const panel = result.panel;
      const rendered = await waitFor('the page to draw the component run', () =>
        panel.rendered?.status === 'exited with code 0' ? panel.rendered : undefined,
      );
      return { result, rendered };
    } finally {
      await vscode.workspace.fs.delete(target);
    }
  }

  it('runs a wasi:http component: the report and the panel show each exchange', async function () {
    // The first run of a component transpiles it (seconds on a loaded machine; cached after).
    this.timeout(180_000);
    const { result, rendered } = await runComponentFixture('handler', {
      httpRequests: [
        { method: 'GET', path: '/', headers: {}, body: '' },
        { method: 'POST', path: '/echo', headers: {}, body: 'from the editor' },
      ],
    });
    assert.equal(result.report.component?.world, 'http-proxy');
    assert.deepEqual(
      result.report.http?.map((x) => [x.direction, x.method, x.url, x.response?.status, x.response?.body]),
      [
        ['incoming', 'GET', '/', 200, 'hello from the handler\n'],
        ['incoming', 'POST', '/echo', 200, 'from the editor'],
      ],
    );
    assert.equal(rendered.http.length, 2);
    assert.match(rendered.http[0], /^→ GET \/ — 200, \d+ ms$/);
    assert.match(rendered.http[1], /^→ POST \/echo — 200, \d+ ms$/);
    assert.ok(
      rendered.summary.some((row) => /^Componenthttp-proxy/.test(row)),
      rendered.summary.join(' | '),
    );
  });

  it('runs a WASI 0.2 command component: the panel shows its output', async function () {
    this.timeout(180_000);
    const { result, rendered } = await runComponentFixture('hello', { args: ['from', 'the editor'] });
    assert.equal(result.report.component?.world, 'command');
    // Only the policy's environment (none here): no host variable reaches the component.
    assert.equal(result.report.stdout.text, 'hello from the editor\n');
    assert.equal(rendered.stdout, 'hello from the editor\n');
    assert.deepEqual(rendered.http, []);
    assert.ok(result.report.hostCalls['wasi:cli/environment#get-arguments'] >= 1);
  });
});
