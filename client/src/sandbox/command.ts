/**
 * `Wasm Warden: Run in Sandbox`. Asks the language server to run a module in its sandbox process
 * (module code never runs in the extension host), shows the run in the report panel and the
 * Output channel, and returns the report (for scripts and tests). Needs a trusted workspace.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { formatReportText, type SandboxReport } from '../../../server/src/core/sandbox/report';
import {
  SandboxCancelNotification,
  SandboxEntryPointsRequest,
  SandboxProgressNotification,
  SandboxRunRequest,
  type SandboxEntryPointsResult,
  type SandboxProgress,
  type SandboxRunParams,
} from '../../../server/src/protocol/sandbox';
import { SANDBOX_VIEW_TYPE, SandboxPanel } from './panel';

export const RUN_IN_SANDBOX = 'wasmWarden.runInSandbox';

/** Arguments for running without prompts (scripts, keybindings, tests). */
export interface RunInSandboxOptions {
  invoke?: { name: string; args: string[] };
  args?: string[];
  timeoutMs?: number;
  writeBack?: boolean;
  /** Components: requests for a wasi:http handler; outgoing requests to allowed endpoints may go out. */
  httpRequests?: { method: string; path: string; headers: Record<string, string>; body: string }[];
  networkConfirmed?: boolean;
}

export interface RunInSandboxResult {
  report: SandboxReport;
  /** What the panel shows: its title, output and the counts it was given. */
  panel: SandboxPanel['shown'];
}

let runCounter = 0;

function moduleUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && /\.(wat|wasm)$/i.test(doc.uri.path)) return doc.uri;
  // A .wasm may be open in a custom editor (no text editor): take the active tab's file.
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: unknown } | undefined;
  if (input?.uri instanceof vscode.Uri && /\.(wat|wasm)$/i.test(input.uri.path)) return input.uri;
  return undefined;
}

function splitArgs(text: string): string[] {
  return text.trim() ? text.trim().split(/\s+/) : [];
}

/** Quick pick of what to run, then an input box for its arguments. Undefined = the user gave up. */
async function askWhatToRun(entries: SandboxEntryPointsResult): Promise<RunInSandboxOptions | undefined> {
  type Pick = vscode.QuickPickItem & { fn?: SandboxEntryPointsResult['functions'][number] };
  const items: Pick[] = [];
  if (entries.wasiStart)
    items.push({
      label: '_start',
      description: 'WASI command',
      detail: 'Runs the module as a program with the policy’s preopens, environment and arguments',
    });
  for (const fn of entries.functions.filter((f) => f.name !== '_start')) {
    items.push({
      label: fn.name,
      description: `(${fn.params.join(', ')}) → ${fn.results.join(', ') || 'nothing'}`,
      fn,
    });
  }
  if (!items.length) {
    void vscode.window.showErrorMessage(
      'Wasm Warden: this module exports nothing that can be run (no _start and no functions).',
    );
    return undefined;
  }
  const picked =
    items.length === 1 && entries.wasiStart
      ? items[0]
      : await vscode.window.showQuickPick(items, { title: 'Run in Sandbox', placeHolder: 'What to run' });
  if (!picked) return undefined;
  if (!picked.fn) {
    const text = await vscode.window.showInputBox({
      title: 'Run in Sandbox: arguments',
      prompt: 'Arguments for the module, separated by spaces (after the policy’s sandbox.args)',
      value: '',
    });
    return text === undefined ? undefined : { args: splitArgs(text) };
  }
  const fn = picked.fn;
  if (!fn.params.length) return { invoke: { name: fn.name, args: [] } };
  const text = await vscode.window.showInputBox({
    title: `Run in Sandbox: ${fn.name}`,
    prompt: `Arguments: ${fn.params.join(', ')} (separated by spaces)`,
    validateInput: (v) =>
      splitArgs(v).length === fn.params.length
        ? undefined
        : `${fn.name} takes ${fn.params.length} argument${fn.params.length === 1 ? '' : 's'}`,
  });
  return text === undefined ? undefined : { invoke: { name: fn.name, args: splitArgs(text) } };
}

/**
 * A component: the HTTP request for a handler (blank keeps the policy's sandbox.http.requests, or
 * GET /), and whether its requests and sockets may reach the endpoints the policy allows.
 */
async function askComponentRun(allow: string[]): Promise<RunInSandboxOptions | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'Run in Sandbox: HTTP request (wasi:http handlers only)',
    prompt: 'METHOD /path [body] — leave empty for the policy’s sandbox.http.requests (or GET /)',
    value: '',
  });
  if (text === undefined) return undefined;
  const options: RunInSandboxOptions = {};
  const match = /^\s*([A-Za-z]+)\s+(\S+)(?:\s+([\s\S]*))?$/.exec(text);
  if (match)
    options.httpRequests = [
      { method: match[1].toUpperCase(), path: match[2], headers: {}, body: match[3] ?? '' },
    ];
  if (allow.length) {
    const deny = { label: 'No network', description: 'default: mocked URLs only', allow: false };
    const go = { label: 'Allow network access', description: allow.join(', '), allow: true };
    const picked = await vscode.window.showQuickPick([deny, go], {
      title: 'Run in Sandbox: the policy allows network endpoints',
      placeHolder:
        'HTTP requests, connections and name lookups to these endpoints reach the network only if you allow it',
    });
    if (!picked) return undefined;
    options.networkConfirmed = picked.allow;
  }
  return options;
}

/** rw preopens: writes stay in the sandbox's copy unless the user says to write them to disk. */
async function askWriteBack(folders: string[]): Promise<boolean | undefined> {
  const keep = { label: 'Keep changes in the sandbox', description: 'default', writeBack: false };
  const write = { label: 'Write changes back to disk', description: folders.join(', '), writeBack: true };
  const picked = await vscode.window.showQuickPick([keep, write], {
    title: 'Run in Sandbox: the policy preopens folders read-write',
    placeHolder: 'Files the module writes there are kept in memory unless you choose to write them back',
  });
  return picked?.writeBack;
}

async function explainRestrictedMode(): Promise<void> {
  const choice = await vscode.window.showWarningMessage(
    'Wasm Warden: Run in Sandbox is disabled in Restricted Mode. Running a module executes code from this workspace (even inside the sandbox), so it needs the workspace to be trusted.',
    'Manage Workspace Trust',
  );
  if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
}

export function registerSandboxCommand(
  context: vscode.ExtensionContext,
  client: LanguageClient,
  output: vscode.LogOutputChannel,
): void {
  const listeners = new Map<string, (p: SandboxProgress) => void>();
  context.subscriptions.push(
    // After a window reload VS Code hands back the report panel with the state its page stored.
    vscode.window.registerWebviewPanelSerializer(SANDBOX_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => void SandboxPanel.revive(panel, state),
    }),
    client.onNotification(SandboxProgressNotification.type, (p: SandboxProgress) =>
      listeners.get(p.runId)?.(p),
    ),
    vscode.commands.registerCommand(
      RUN_IN_SANDBOX,
      async (uriArg?: unknown, options?: RunInSandboxOptions): Promise<RunInSandboxResult | undefined> => {
        if (!vscode.workspace.isTrusted) {
          await explainRestrictedMode();
          return undefined;
        }
        let uri = moduleUri(uriArg);
        if (!uri) {
          const chosen = await vscode.window.showOpenDialog({
            title: 'Run in Sandbox',
            filters: { WebAssembly: ['wasm', 'wat'] },
            canSelectMany: false,
          });
          uri = chosen?.[0];
        }
        if (!uri) return undefined;
        if (uri.scheme !== 'file') {
          void vscode.window.showErrorMessage('Wasm Warden: only files on disk can run in the sandbox.');
          return undefined;
        }
        let what = options;
        if (!what) {
          const entries = await client.sendRequest(SandboxEntryPointsRequest.type, {
            uri: uri.toString(),
          });
          if (entries.problem && !entries.functions.length) {
            void vscode.window.showErrorMessage(
              `Wasm Warden: cannot run ${path.basename(uri.fsPath)}: ${entries.problem}`,
            );
            return undefined;
          }
          what = await askWhatToRun(entries);
          if (!what) return undefined;
          if (entries.component) {
            const component = await askComponentRun(entries.networkAllow ?? []);
            if (!component) return undefined;
            Object.assign(what, component);
          }
          if (entries.rwPreopens.length) {
            const writeBack = await askWriteBack(entries.rwPreopens);
            if (writeBack === undefined) return undefined;
            what.writeBack = writeBack;
          }
        }
        const runId = `run-${++runCounter}`;
        const title = `${path.basename(uri.fsPath)}${what.invoke ? ` — ${what.invoke.name}(${what.invoke.args.join(', ')})` : ''}`;
        const panel = SandboxPanel.show();
        panel.start(title, () => void client.sendNotification(SandboxCancelNotification.type, { runId }));
        listeners.set(runId, (p) => panel.progress(p));
        output.info(`Running ${uri.fsPath} in the sandbox${what.invoke ? ` (${what.invoke.name})` : ''}.`);
        try {
          const params: SandboxRunParams = {
            uri: uri.toString(),
            runId,
            profile: vscode.workspace.getConfiguration('wasmWarden').get<boolean>('sandbox.profile', true),
            ...what,
          };
          let report: SandboxReport;
          try {
            report = await client.sendRequest(SandboxRunRequest.type, params);
          } catch (error) {
            panel.fail(error instanceof Error ? error.message : String(error));
            throw error;
          }
          panel.finish(report);
          output.info(formatReportText(report).trimEnd());
          return { report, panel: panel.shown };
        } finally {
          listeners.delete(runId);
        }
      },
    ),
  );
}
