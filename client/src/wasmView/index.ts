/**
 * The `.wasm` text view: a read-only `wasm-warden:` document holding the module's disassembly,
 * refreshed when the file changes, and the default editor for `*.wasm` that opens it.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { WasmTextProvider } from './contentProvider';
import { WASM_OPENER_VIEW_TYPE, WasmOpener } from './opener';
import { WASM_VIEW_SCHEME } from './uris';
import { registerWitDocument } from './witDocument';

export { viewUriFor, fileUriFor, WASM_VIEW_SCHEME } from './uris';

export function registerWasmView(context: vscode.ExtensionContext, client: LanguageClient): void {
  const provider = new WasmTextProvider(client);
  context.subscriptions.push(
    provider,
    vscode.workspace.registerTextDocumentContentProvider(WASM_VIEW_SCHEME, provider),
    vscode.window.registerCustomEditorProvider(WASM_OPENER_VIEW_TYPE, new WasmOpener(), {
      supportsMultipleEditorsPerDocument: true,
    }),
  );
  registerWitDocument(context, client);
}
