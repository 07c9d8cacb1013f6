/**
 * Supplies the text of `wasm-warden:` documents by asking the language server to disassemble the
 * `.wasm` on disk, and tells VS Code to ask again when the file changes. Documents of a custom
 * scheme are read-only in VS Code, which is what this view should be.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { WasmTextRequest, type WasmTextParams } from '../../../server/src/protocol/wasmView';
import { fileUriFor, viewUriFor, WASM_VIEW_SCHEME } from './uris';

export class WasmTextProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;

  constructor(private readonly client: LanguageClient) {
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*.wasm', true, false, false);
    this.watcher.onDidChange((file) => this.refresh(file));
    this.watcher.onDidDelete((file) => this.refresh(file));
  }

  async provideTextDocumentContent(view: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const params: WasmTextParams = { uri: fileUriFor(view).toString() };
    try {
      const result = await this.client.sendRequest(WasmTextRequest.type, params, token);
      return result.text;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return `;; Wasm Warden could not show this module as text: ${reason}\n`;
    }
  }

  /** Re-reads the view of `file` if it is open (VS Code asks the provider again). */
  refresh(file: vscode.Uri): void {
    const view = viewUriFor(file);
    if (
      vscode.workspace.textDocuments.some(
        (d) => d.uri.scheme === WASM_VIEW_SCHEME && d.uri.path === view.path,
      )
    )
      this.changed.fire(view);
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}
