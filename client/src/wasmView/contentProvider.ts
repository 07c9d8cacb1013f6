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
  /** Cancels the server's disassembly when the view is closed before it ends. */
  cancel: vscode.CancellationTokenSource;
  /** The file as it was when the view asked for its text. */
  stat: vscode.FileStat;
}

async function statOf(file: vscode.Uri): Promise<vscode.FileStat | undefined> {
  try {
    return await vscode.workspace.fs.stat(file);
  } catch {
    return undefined;
  }
}

/** Same size and modification time: a watcher event about a write the view already shows. */
function sameFile(a: vscode.FileStat, b: vscode.FileStat | undefined): boolean {
  return b !== undefined && a.size === b.size && a.mtime === b.mtime;
}

/** Whether a tab in any group still shows `view`. */
function isShown(view: vscode.Uri): boolean {
  return vscode.window.tabGroups.all.some((group) =>
    group.tabs.some(
      (tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === view.toString(),
    ),
  );
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
  private readonly closed: vscode.Disposable;

  constructor(private readonly client: LanguageClient) {
    client.onNotification(WasmTextProgressNotification.type, (params: WasmTextProgressParams) =>
      this.showFirstLines(params),
    );
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*.wasm', true, false, false);
    this.watcher.onDidChange((file) => void this.changedOnDisk(file));
    this.watcher.onDidDelete((file) => this.refresh(file));
    // A document outlives its tab (VS Code disposes it later, or never while referenced), so a
    // large view's work stops when its last tab closes, or its document, whichever comes first.
    this.closed = vscode.Disposable.from(
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.scheme === WASM_VIEW_SCHEME) this.forget(fileUriFor(document.uri).toString());
      }),
      vscode.window.tabGroups.onDidChangeTabs((change) => {
        for (const tab of change.closed) {
          const view = tab.input instanceof vscode.TabInputText ? tab.input.uri : undefined;
          if (view?.scheme === WASM_VIEW_SCHEME && !isShown(view)) this.forget(fileUriFor(view).toString());
        }
      }),
    );
  }

  async provideTextDocumentContent(view: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const file = fileUriFor(view);
    const key = file.toString();
    const shown = this.large.get(key);
    if (shown) {
      // A large module: its first lines while the rest is printed, then the whole text once.
      if (shown.whole === undefined) return shown.partial;
      this.forget(key);
      return shown.whole;
    }
    const stat = await statOf(file);
    if (!stat || stat.size <= LARGE_MODULE_BYTES) return this.request(key, token);
    const state: LargeView = {
      partial: disassembling(file, ''),
      cancel: new vscode.CancellationTokenSource(),
      stat,
    };
    this.large.set(key, state);
    void this.request(key, state.cancel.token).then((whole) => {
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

  /**
   * A large view whose disassembly is under way restarts only if the file really changed: the
   * event of the write that made the file often arrives after its view asked for the text, and
   * restarting then would print 14 MB twice.
   */
  private async changedOnDisk(file: vscode.Uri): Promise<void> {
    const state = this.large.get(file.toString());
    if (state && state.whole === undefined && sameFile(state.stat, await statOf(file))) return;
    this.refresh(file);
  }

  /** Re-reads the view of `file` if it is open (VS Code asks the provider again). */
  refresh(file: vscode.Uri): void {
    this.forget(file.toString());
    const view = viewUriFor(file);
    if (
      vscode.workspace.textDocuments.some(
        (d) => d.uri.scheme === WASM_VIEW_SCHEME && d.uri.path === view.path,
      )
    )
      this.changed.fire(view);
  }

  /**
   * Drops a large view's state; a disassembly still under way is cancelled (its view was closed or
   * is read anew), so a closed 14 MB view does not keep the server printing for a minute.
   */
  private forget(key: string): void {
    const state = this.large.get(key);
    if (!state) return;
    this.large.delete(key);
    if (state.whole === undefined) state.cancel.cancel();
    state.cancel.dispose();
  }

  dispose(): void {
    for (const key of [...this.large.keys()]) this.forget(key);
    this.closed.dispose();
    this.watcher.dispose();
    this.changed.dispose();
  }
}
