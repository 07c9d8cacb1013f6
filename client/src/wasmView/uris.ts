/**
 * The `.wasm` text view lives at `wasm-warden:/path/to/module.wasm.wat`: the `.wat` suffix makes VS
 * Code give it the `wat` language (highlighting, the language server's features by language id).
 */
import * as vscode from 'vscode';

export const WASM_VIEW_SCHEME = 'wasm-warden';

export function viewUriFor(file: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({ scheme: WASM_VIEW_SCHEME, path: `${file.path}.wat` });
}

export function fileUriFor(view: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({ scheme: 'file', path: view.path.replace(/\.wat$/, '') });
}
