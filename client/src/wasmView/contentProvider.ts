/**
 * Supplies the text of `wasm-warden:` documents by asking the language server to disassemble the
 * `.wasm` on disk, and tells VS Code to ask again when the file changes. Documents of a custom
 * scheme are read-only in VS Code, which is what this view should be.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  WasmTextProgressNotification,
  WasmTextRequest,
  type WasmTextParams,
  type WasmTextProgressParams,
} from '../../../server/src/protocol/wasmView';
import { fileUriFor, viewUriFor, WASM_VIEW_SCHEME } from './uris';

/** Modules above this size show a "disassembling…" state and their first lines before the whole text. */
const LARGE_MODULE_BYTES = 1024 * 1024;

interface LargeView {
  /** What the view shows while the server disassembles. */
  partial: string;
  /** The whole text, once it arrived (shown on the next read). */
  whole?: string;
}

async function isLarge(file: vscode.Uri): Promise<boolean> {
  try {
    return (await vscode.workspace.fs.stat(file)).size > LARGE_MODULE_BYTES;
  } catch {
    return false;
  }
}

function disassembling(file: vscode.Uri, firstLines: string): string {
  const name = file.path.slice(file.path.lastIndexOf('/') + 1);
  return `;; Wasm Warden: disassembling ${name}… (the rest of the text follows when it is ready)\n${firstLines}`;
}

export class WasmTextProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly large = new Map<string, LargeView>();
  readonly onDidChange = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;

  constructor(private readonly client: LanguageClient) {
    client.onNotification(WasmTextProgressNotification.type, (params: WasmTextProgressParams) =>
      this.showFirstLines(params),
    );
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*.wasm', true, false, false);
    this.watcher.onDidChange((file) => this.refresh(file));
    this.watcher.onDidDelete((file) => this.refresh(file));
  }

  async provideTextDocumentContent(view: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const file = fileUriFor(view);
    const key = file.toString();
    const shown = this.large.get(key);
    if (shown) {
      // A large module: its first lines while the rest is printed, then the whole text once.
      if (shown.whole === undefined) return shown.partial;
      this.large.delete(key);
      return shown.whole;
    }
    if (!(await isLarge(file))) return this.request(key, token);
    const state: LargeView = { partial: disassembling(file, '') };
    this.large.set(key, state);
    void this.request(key).then((whole) => {
      if (this.large.get(key) !== state) return;
      state.whole = whole;
      this.changed.fire(view);
    });
    return state.partial;
  }

  /** First lines of a large module's view, pushed by the server while it disassembles. */
  showFirstLines(params: WasmTextProgressParams): void {
    const state = this.large.get(params.uri);
    if (!state || state.whole !== undefined) return;
    const file = vscode.Uri.parse(params.uri);
    state.partial = disassembling(file, params.firstLines);
    this.changed.fire(viewUriFor(file));
  }

  private async request(uri: string, token?: vscode.CancellationToken): Promise<string> {
    const params: WasmTextParams = { uri };
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
    this.large.delete(file.toString());
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
