/**
 * The WIT document of a component: a read-only `wasm-warden-wit:/path/to/x.wasm.wit` document (the
 * `.wit` suffix gives it the WIT language and its highlighting) holding the world the component
 * imports and exports, as the server decodes it. Opened beside the `.wasm` view by the
 * "Show Component World (WIT)" command, from the view's title bar or the explorer.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ComponentWitRequest } from '../../../server/src/protocol/componentWit';
import { fileUriFor, WASM_VIEW_SCHEME } from './uris';

export const WIT_SCHEME = 'wasm-warden-wit';
export const SHOW_COMPONENT_WIT = 'wasmWarden.showComponentWit';

export function witUriFor(file: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({ scheme: WIT_SCHEME, path: `${file.path}.wit` });
}

function fileOfWit(wit: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({ scheme: 'file', path: wit.path.replace(/\.wit$/, '') });
}

class WitProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/*.wasm', true, false, true);

  constructor(private readonly client: LanguageClient) {
    // The world follows the file: a rebuilt component shows its new world.
    this.watcher.onDidChange((file) => this.changed.fire(witUriFor(file)));
  }

  async provideTextDocumentContent(wit: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const file = fileOfWit(wit);
    try {
      const answer = await this.client.sendRequest(ComponentWitRequest.type, { uri: file.toString() }, token);
      return answer.kind === 'component' ? answer.wit : `// ${answer.message}\n`;
    } catch (error) {
      return `// The language server could not decode ${file.fsPath}: ${error instanceof Error ? error.message : String(error)}\n`;
    }
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}

/** The `.wasm` a command was given (explorer, view title) or, else, the one in the active editor. */
function targetFile(arg: unknown): vscode.Uri | undefined {
  const given = arg instanceof vscode.Uri ? arg : undefined;
  const active = vscode.window.activeTextEditor?.document.uri;
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const tabUri =
    tab && typeof tab === 'object' && 'uri' in tab && tab.uri instanceof vscode.Uri ? tab.uri : undefined;
  const uri = given ?? active ?? tabUri;
  if (!uri) return undefined;
  if (uri.scheme === WASM_VIEW_SCHEME) return fileUriFor(uri);
  if (uri.scheme === WIT_SCHEME) return fileOfWit(uri);
  return /\.wasm$/i.test(uri.path) ? uri : undefined;
}

/** Opens the WIT document beside the current editor; returns it (for tests), or undefined. */
async function showComponentWit(arg: unknown): Promise<vscode.TextDocument | undefined> {
  const file = targetFile(arg);
  if (!file) {
    void vscode.window.showInformationMessage(
      'Wasm Warden: open or select a .wasm component to show its world.',
    );
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(witUriFor(file));
  const shown =
    document.languageId === 'wit'
      ? document
      : await vscode.languages.setTextDocumentLanguage(document, 'wit');
  await vscode.window.showTextDocument(shown, { preview: false, viewColumn: vscode.ViewColumn.Beside });
  return shown;
}

export function registerWitDocument(context: vscode.ExtensionContext, client: LanguageClient): void {
  const provider = new WitProvider(client);
  context.subscriptions.push(
    provider,
    vscode.workspace.registerTextDocumentContentProvider(WIT_SCHEME, provider),
    vscode.commands.registerCommand(SHOW_COMPONENT_WIT, showComponentWit),
  );
}
