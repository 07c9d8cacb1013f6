/**
 * The status bar item for the active module: `capabilities · signature · policy`, from the
 * server's module summary. Clicking it opens the policy in force (or offers to create one).
 * Also registers `wasmWarden.openPolicy`, which CodeLens uses the same way.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ModuleSummaryRequest, type ModuleSummary } from '../../server/src/protocol/moduleSummary';

export const OPEN_POLICY_COMMAND = 'wasmWarden.openPolicy';

/** The module shown in the active editor: a `.wat` document, a `.wasm` text view, or a `.wasm` tab. */
function activeModuleUri(): vscode.Uri | undefined {
  const document = vscode.window.activeTextEditor?.document;
  if (document && (document.languageId === 'wat' || document.uri.scheme === 'wasm-warden'))
    return document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: unknown } | undefined;
  return input?.uri instanceof vscode.Uri && /\.wasm$/i.test(input.uri.path) ? input.uri : undefined;
}

export class ModuleStatusBar implements vscode.Disposable {
  /** What the item shows, for tests and for the command. */
  current: { uri: string; summary: ModuleSummary } | undefined;
  private readonly item = vscode.window.createStatusBarItem(
    'wasmWarden.module',
    vscode.StatusBarAlignment.Left,
    50,
  );
  private readonly disposables: vscode.Disposable[] = [];
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly client: LanguageClient) {
    this.item.name = 'Wasm Warden';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      vscode.window.tabGroups.onDidChangeTabs(() => this.schedule()),
      // Findings change when a module or its policy changes: the summary follows.
      vscode.languages.onDidChangeDiagnostics(() => this.schedule()),
    );
    this.schedule();
  }

  private schedule(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = setTimeout(() => void this.update(), 150);
  }

  async update(): Promise<void> {
    const uri = activeModuleUri();
    if (!uri) {
      this.current = undefined;
      this.item.hide();
      return;
    }
    let summary: ModuleSummary | null = null;
    try {
      summary = await this.client.sendRequest(ModuleSummaryRequest.type, {
        uri: uri.toString(),
      });
    } catch {
      summary = null;
    }
    if (!summary) {
      this.current = undefined;
      this.item.hide();
      return;
    }
    this.current = { uri: uri.toString(), summary };
    // Codicons that exist (test/unit/codicons.test.ts checks every name).
    const icon = summary.errors > 0 ? '$(error)' : summary.warnings > 0 ? '$(warning)' : '$(pass)';
    this.item.text = `${icon} ${summary.text}`;
    this.item.tooltip = new vscode.MarkdownString(
      [
        '**Wasm Warden**',
        '',
        `- Capabilities: ${summary.capabilities.join(', ') || 'none'}`,
        `- Signature: ${signatureWords(summary.signature.status)}`,
        `- Policy: ${summary.policy.path ?? (summary.policy.kind === 'default' ? 'none (built-in default)' : summary.policy.kind)}`,
        `- ${count(summary.errors, 'error')}, ${count(summary.warnings, 'warning')}`,
        '',
        summary.policy.path ? 'Click to open the policy.' : 'Click to create a policy from this module.',
      ].join('\n'),
    );
    this.item.command = {
      title: 'Open Policy',
      command: OPEN_POLICY_COMMAND,
      arguments: [{ uri: uri.toString(), policy: summary.policy.path ?? null }],
    };
    this.item.show();
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    for (const d of this.disposables) d.dispose();
  }
}

/** Opens the policy that governs a module; with none, offers to create one from the module. */
async function openPolicy(arg?: { uri?: string; policy?: string | null }): Promise<void> {
  if (arg?.policy) {
    await vscode.window.showTextDocument(vscode.Uri.file(arg.policy));
    return;
  }
  const create = 'Create Policy from Module';
  const choice = await vscode.window.showInformationMessage(
    'No wasm-policy.json governs this module: the built-in default policy applies.',
    create,
  );
  if (choice === create && arg?.uri)
    await vscode.commands.executeCommand('wasmWarden.createPolicy', vscode.Uri.parse(arg.uri));
}

export function registerStatusBar(context: vscode.ExtensionContext, client: LanguageClient): ModuleStatusBar {
  const bar = new ModuleStatusBar(client);
  context.subscriptions.push(bar, vscode.commands.registerCommand(OPEN_POLICY_COMMAND, openPolicy));
  return bar;
}

/** "1 error", "2 errors". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A signature status as a user reads it. */
function signatureWords(status: string): string {
  return status === 'not-applicable' ? 'none (text source: sign the compiled .wasm)' : status;
}
