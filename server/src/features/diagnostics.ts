/**
 * Keeps the diagnostics of open `.wat` documents current: analyses on open and after edits
 * (debounced, stale results dropped), and never lets one file's failure reach the others.
 */
import type { Connection, Diagnostic, TextDocuments } from 'vscode-languageserver';
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeText } from '../core/analyze';
import { DIAGNOSTIC_SOURCE, toDiagnostic } from '../lsp/convert';
import type { SettingsStore } from './settings';

/** Quiet time after the last keystroke before a document is analysed again. */
const DEBOUNCE_MS = 40;
/** A file full of errors (say, binary garbage) would flood the Problems panel; past this we summarise. */
const MAX_DIAGNOSTICS = 200;

export class DiagnosticsFeature {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly settings: SettingsStore,
  ) {
    documents.onDidOpen((e) => this.schedule(e.document, 0));
    documents.onDidChangeContent((e) => this.schedule(e.document, DEBOUNCE_MS));
    documents.onDidClose((e) => {
      this.cancel(e.document.uri);
      void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    });
  }

  /** Re-checks every open document (after a settings or policy change). */
  revalidateAll(): void {
    for (const document of this.documents.all()) this.schedule(document, 0);
  }

  private cancel(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    this.timers.delete(uri);
  }

  private schedule(document: TextDocument, delay: number): void {
    this.cancel(document.uri);
    this.timers.set(
      document.uri,
      setTimeout(() => {
        this.timers.delete(document.uri);
        void this.validate(document);
      }, delay),
    );
  }

  private async validate(document: TextDocument): Promise<void> {
    const uri = document.uri;
    const version = document.version;
    let diagnostics: Diagnostic[];
    try {
      diagnostics = await this.diagnose(document);
    } catch (error) {
      this.connection.console.error(`Analysis of ${uri} failed: ${(error as Error)?.stack ?? String(error)}`);
      diagnostics = [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: DiagnosticSeverity.Error,
          source: DIAGNOSTIC_SOURCE,
          code: 'internal-error',
          message: `Wasm Warden could not analyse this file: ${(error as Error)?.message ?? String(error)}. Other files are unaffected; see the Wasm Warden output for details.`,
        },
      ];
    }
    // Drop results for a version that has since been edited or closed: the newer run will publish.
    const current = this.documents.get(uri);
    if (!current || current.version !== version) return;
    await this.connection.sendDiagnostics({ uri, version, diagnostics });
  }

  private async diagnose(document: TextDocument): Promise<Diagnostic[]> {
    const settings = await this.settings.get(document.uri);
    if (!settings.enable) return [];
    const text = document.getText();
    if (text.length > settings.maxFileSize) {
      return [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: DiagnosticSeverity.Information,
          source: DIAGNOSTIC_SOURCE,
          code: 'file-too-large',
          message: `Not analysed: this file is ${formatSize(text.length)}, above the limit of ${formatSize(settings.maxFileSize)} set by "wasmWarden.maxFileSize".`,
        },
      ];
    }
    const { findings } = analyzeText({ fileName: document.uri, text });
    const diagnostics = findings.slice(0, MAX_DIAGNOSTICS).map(toDiagnostic);
    if (findings.length > MAX_DIAGNOSTICS) {
      diagnostics.push({
        range: diagnostics[MAX_DIAGNOSTICS - 1].range,
        severity: DiagnosticSeverity.Information,
        source: DIAGNOSTIC_SOURCE,
        code: 'too-many-problems',
        message: `${findings.length - MAX_DIAGNOSTICS} more problems not shown; fix the ones above first. Is this really a WebAssembly text file?`,
      });
    }
    return diagnostics;
  }
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
