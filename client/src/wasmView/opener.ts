/**
 * The default editor for `*.wasm` (package.json `customEditors`). Opening a `.wasm` (a double click
 * in the explorer, Quick Open, a link) would otherwise land on VS Code's "binary file" notice; this
 * editor opens the text view in the same column instead and closes itself. "Reopen Editor With…"
 * still offers VS Code's own editors.
 */
import * as vscode from 'vscode';
import { viewUriFor } from './uris';

export const WASM_OPENER_VIEW_TYPE = 'wasmWarden.wasmView';

export class WasmOpener implements vscode.CustomReadonlyEditorProvider {
  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.html = '<!DOCTYPE html><html><body><p>Opening the WebAssembly text view…</p></body></html>';
    try {
      const view = await vscode.workspace.openTextDocument(viewUriFor(document.uri));
      await vscode.window.showTextDocument(view, {
        viewColumn: panel.viewColumn ?? vscode.ViewColumn.Active,
        preview: false,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(
        `Wasm Warden could not open ${document.uri.fsPath} as text: ${reason}`,
      );
    } finally {
      panel.dispose();
    }
  }
}
