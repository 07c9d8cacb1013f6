/**
 * Answers `wasmWarden/wasmText`: reads a `.wasm` file and disassembles it on the disassembly worker
 * (bounded in time and memory; a cancelled request stops the work). The latest views are kept so
 * that findings located at byte offsets can be placed on their lines: `viewFor(uri)` with
 * `lineForOffset` from core/disasm/disassemble.
 */
import { readFile, stat } from 'node:fs/promises';
import type { CancellationToken, Connection } from 'vscode-languageserver';
import { disassembleAsync, type WasmTextView } from '../core/disasm/disassemble';
import {
  WasmTextProgressNotification,
  WasmTextRequest,
  type WasmTextParams,
  type WasmTextProgressParams,
  type WasmTextResult,
} from '../protocol/wasmView';
import type { DisassemblyProgress } from './disasm/protocol';
import type { DisassemblyThread } from './disasm/thread';
import { uriToPath } from './fileUris';
import type { SettingsStore } from './settings';

/**
 * Views are kept for placing findings on their lines, newest first, up to this many characters of
 * text in all (the newest is always kept): tens of small modules, or one or two very large ones.
 */
const KEPT_TEXT_CHARS = 64 * 1024 * 1024;

interface KeptView {
  mtimeMs: number;
  size: number;
  view: WasmTextView;
}

export class WasmViewFeature {
  private readonly kept = new Map<string, KeptView>();
  private readonly listeners: Array<(uri: string) => void> = [];
  /** Disassemblies under way, per `.wasm` URI. */
  private readonly printing = new Map<string, number>();

  private requests = 0;

  constructor(
    private readonly connection: Connection,
    private readonly settings: SettingsStore,
    /** Where the disassembler runs; on this thread (a chunk at a time) only in unbundled tests. */
    private readonly thread?: DisassemblyThread,
  ) {
    connection.onRequest(WasmTextRequest.type, (params: WasmTextParams, token: CancellationToken) =>
      this.wasmText(params, token),
    );
  }

  /** Called with the `.wasm` file's URI each time its view is computed anew (opened or changed). */
  onDidUpdateView(listener: (uri: string) => void): void {
    this.listeners.push(listener);
  }

  /** Whether the view of `uri` (the `.wasm` file's URI) is being disassembled now. */
  isPrinting(uri: string): boolean {
    return (this.printing.get(uri) ?? 0) > 0;
  }

  /** The view last shown for `uri` (the `.wasm` file's URI), if it is still kept. */
  viewFor(uri: string): WasmTextView | undefined {
    return this.kept.get(uri)?.view;
  }

  async wasmText(params: WasmTextParams, token?: CancellationToken): Promise<WasmTextResult> {
    // Counted from the request's arrival: the view's didOpen follows it at once (diagnostics.ts).
    this.printing.set(params.uri, (this.printing.get(params.uri) ?? 0) + 1);
    try {
      return await this.printView(params, token);
    } finally {
      const left = (this.printing.get(params.uri) ?? 1) - 1;
      if (left > 0) this.printing.set(params.uri, left);
      else this.printing.delete(params.uri);
    }
  }

  private async printView(params: WasmTextParams, token?: CancellationToken): Promise<WasmTextResult> {
    const file = uriToPath(params.uri);
    if (!file) return message('unreadable', `Only files on disk can be shown as text (${params.uri}).`);
    let info;
    try {
      info = await stat(file);
    } catch (error) {
      return message('unreadable', `Cannot read ${file}: ${reason(error)}.`);
    }
    const { maxFileSize } = await this.settings.get(params.uri);
    if (info.size > maxFileSize) {
      return message(
        'too-large',
        `This file is ${megabytes(info.size)}, larger than the limit of ${megabytes(maxFileSize)} set by wasmWarden.maxFileSize; it is not shown.`,
      );
    }
    const kept = this.kept.get(params.uri);
    if (kept && kept.mtimeMs === info.mtimeMs && kept.size === info.size) return result(kept.view);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (error) {
      return message('unreadable', `Cannot read ${file}: ${reason(error)}.`);
    }
    const view = await this.disassemble(params.uri, bytes, token);
    if (!view) return message('unreadable', 'The request was cancelled.');
    this.keep(params.uri, { mtimeMs: info.mtimeMs, size: info.size, view });
    for (const listener of this.listeners) listener(params.uri);
    return result(view);
  }

  /** On the disassembly worker when there is one (always, in the bundled server). */
  private async disassemble(
    uri: string,
    bytes: Uint8Array,
    token?: CancellationToken,
  ): Promise<WasmTextView | null> {
    if (!this.thread)
      return disassembleAsync(bytes, undefined, () => token?.isCancellationRequested ?? false);
    const thread = this.thread;
    const key = `${uri}#${++this.requests}`;
    const listener = token?.onCancellationRequested(() => thread.cancel(key));
    const sendFirstLines = (progress: DisassemblyProgress) => {
      if (!progress.firstLines) return;
      const params: WasmTextProgressParams = { uri, firstLines: progress.firstLines };
      void this.connection.sendNotification(WasmTextProgressNotification.type, params);
    };
    try {
      return await thread.disassemble(bytes, key, sendFirstLines);
    } finally {
      listener?.dispose();
    }
  }

  private keep(uri: string, view: KeptView): void {
    this.kept.delete(uri);
    this.kept.set(uri, view);
    let chars = 0;
    for (const kept of this.kept.values()) chars += kept.view.text.length;
    for (const [oldest, kept] of this.kept) {
      if (chars <= KEPT_TEXT_CHARS || this.kept.size === 1) break;
      chars -= kept.view.text.length;
      this.kept.delete(oldest);
    }
  }
}

function result(view: WasmTextView): WasmTextResult {
  const answer: WasmTextResult = { kind: view.kind, text: view.text, omittedLines: view.omittedLines };
  if (view.error) answer.error = `${view.error.message} (at byte 0x${view.error.offset.toString(16)})`;
  return answer;
}

function message(kind: WasmTextResult['kind'], text: string): WasmTextResult {
  return { kind, text: `;; ${text}\n`, error: text, omittedLines: 0 };
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
