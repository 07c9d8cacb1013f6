/**
 * Keeps diagnostics current for every module the editor knows: open `.wat` documents (on open and
 * after edits, debounced, stale results dropped) and every `.wasm` file in the workspace (scanned
 * at start with a progress indicator, then kept current through file events). One file's failure
 * never reaches the others.
 */
import { pathToFileURL } from 'node:url';
import type { Connection, Diagnostic, TextDocuments } from 'vscode-languageserver';
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { discoverModules } from '../core/discover';
import { DIAGNOSTIC_SOURCE, toDiagnostic } from '../lsp/convert';
import { lineForOffset, type WasmTextView } from '../core/disasm/disassemble';
import { isWasmUri } from './fileUris';
import type { ModuleAnalyzer, ModuleResult } from './moduleAnalysis';
import { fileUriOfView, isViewUri } from './viewUris';
import type { SettingsStore, WardenSettings } from './settings';

/**
 * Quiet time after the last change before a document is analysed again. Short: it only has to
 * merge changes a client sends back to back (VS Code sends a paste or a multi-cursor edit as one
 * change; some clients send several); keystrokes are tens of milliseconds apart anyway, and a
 * version edited again after its first publish skips validation.
 */
const DEBOUNCE_MS = 5;
/**
 * Below this size every finding is ready within a few tens of milliseconds, and an early partial
 * publish would only make wabt's and the body rules' findings blink out and back in.
 */
const EARLY_PUBLISH_MIN_CHARS = 256 * 1024;
/** After an edit, an older version's compile still running after this long is stopped. */
const STALE_COMPILE_MS = 1_000;
/** An analysis still running after this long shows progress. */
const PROGRESS_AFTER_MS = 500;
/** A file full of errors (say, binary garbage) would flood the Problems panel; past this we summarise. */
const MAX_DIAGNOSTICS = 200;

const ORIGIN = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function isTextModuleDocument(document: TextDocument): boolean {
  return !isViewUri(document.uri) && (document.languageId === 'wat' || /\.wa[st]t?$/i.test(document.uri));
}

/** The text views the server has printed, to place binary findings on their lines. */
export interface WasmViews {
  viewFor(fileUri: string): WasmTextView | undefined;
  /** Whether a view of the module is being disassembled now (its text, and its lines, are to come). */
  isPrinting(fileUri: string): boolean;
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

function internalError(error: unknown): Diagnostic {
  return {
    range: ORIGIN,
    severity: DiagnosticSeverity.Error,
    source: DIAGNOSTIC_SOURCE,
    code: 'internal-error',
    message: `Wasm Warden could not analyse this file: ${(error as Error)?.message ?? String(error)}. Other files are unaffected; see the Wasm Warden output for details.`,
  };
}

/** Findings of one result as LSP diagnostics; `placeBinary` maps byte offsets to lines where a text view exists. */
export function diagnosticsOf(
  result: ModuleResult,
  placeBinary?: (offset: number) => Diagnostic['range'] | undefined,
): Diagnostic[] {
  if (result.tooLarge) {
    return [
      {
        range: ORIGIN,
        severity: DiagnosticSeverity.Information,
        source: DIAGNOSTIC_SOURCE,
        code: 'file-too-large',
        message: `Not analysed: this file is ${formatSize(result.tooLarge.size)}, above the limit of ${formatSize(result.tooLarge.limit)} set by "wasmWarden.maxFileSize".`,
      },
    ];
  }
  const findings = result.findings;
  const diagnostics = findings
    .slice(0, MAX_DIAGNOSTICS)
    .map((f) => toDiagnostic(f, f.location.kind === 'binary' ? placeBinary?.(f.location.offset) : undefined));
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

export class DiagnosticsFeature {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Bumped by every scan; a scan that sees a newer generation stops. */
  private scanGeneration = 0;
  private roots: string[] = [];
  private readonly listeners: Array<(uri: string) => void> = [];
  /** What each open `.wasm` text view lists, as published (its fixes are offered as CodeLenses). */
  private readonly shownInViews = new Map<string, Diagnostic[]>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly settings: SettingsStore,
    private readonly analyzer: ModuleAnalyzer,
    private readonly views: WasmViews,
  ) {
    documents.onDidOpen((e) => this.scheduleText(e.document, 0));
    documents.onDidChangeContent((e) => this.scheduleText(e.document, DEBOUNCE_MS));
    // A view's text changes when its .wasm changed on disk: place the findings anew.
    documents.onDidChangeContent((e) => void this.publishView(e.document.uri));
    documents.onDidClose((e) => {
      if (isViewUri(e.document.uri)) return void this.viewClosed(e.document.uri);
      if (!isTextModuleDocument(e.document)) return;
      this.cancel(e.document.uri);
      this.analyzer.cancelCompiles(e.document.uri);
      this.analyzer.forget(e.document.uri);
      void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    });
  }

  /** Called after each analysis that changed a module's result (status bar, CodeLens refresh). */
  onDidAnalyze(listener: (uri: string) => void): void {
    this.listeners.push(listener);
  }

  /** Re-checks every open document and every known `.wasm` (after a settings or policy change). */
  revalidateAll(): void {
    for (const document of this.documents.all()) this.scheduleText(document, 0);
    void this.scanWorkspace(this.roots);
  }

  /** Finds and checks every `.wasm` under the workspace folders, with progress. */
  async scanWorkspace(roots: string[]): Promise<void> {
    this.roots = roots;
    const generation = ++this.scanGeneration;
    if (roots.length === 0) return;
    const settings = await this.settings.get(pathToFileURL(roots[0]).href);
    // Build outputs are often git-ignored, yet they are the modules that ship: scan them too.
    const files = roots
      .flatMap((root) => discoverModules([root], root, { respectGitignore: false }).files)
      .filter((f) => /\.wasm$/i.test(f));
    const known = new Set(files.map((f) => pathToFileURL(f).href));
    for (const uri of this.analyzer.uris()) {
      if (isWasmUri(uri) && !known.has(uri)) this.clear(uri);
    }
    if (files.length === 0) return;

    const progress = await this.connection.window.createWorkDoneProgress().catch(() => undefined);
    progress?.begin('Wasm Warden: checking modules', 0, `0 of ${files.length}`, true);
    let next = 0;
    let done = 0;
    // Several files in flight keep every analysis worker busy while this thread reads the next.
    const checkNext = async (): Promise<void> => {
      while (next < files.length) {
        if (generation !== this.scanGeneration || progress?.token.isCancellationRequested) return;
        await this.checkWasm(pathToFileURL(files[next++]).href, settings);
        done++;
        progress?.report(Math.round((done * 100) / files.length), `${done} of ${files.length}`);
        // Let hovers and edits in between: a scan must never make typing wait.
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    try {
      await Promise.all(Array.from({ length: this.analyzer.parallelism + 1 }, checkNext));
    } finally {
      progress?.done();
    }
  }

  /** A `.wasm` was created or changed on disk. */
  async wasmChanged(uri: string): Promise<void> {
    await this.checkWasm(uri, await this.settings.get(uri));
  }

  /** A `.wasm` was deleted. */
  wasmDeleted(uri: string): void {
    this.clear(uri);
  }

  private clear(uri: string): void {
    this.analyzer.forget(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    for (const listener of this.listeners) listener(uri);
  }

  private async checkWasm(uri: string, settings: WardenSettings): Promise<void> {
    let diagnostics: Diagnostic[];
    try {
      if (!settings.enable) {
        this.clear(uri);
        return;
      }
      // Full facts only for modules shown in a text view (hovers there need them), and only once
      // its text is printed: full facts are read on this thread, and while a large view prints
      // they would hold up its first lines (the file's watcher event comes with a new view).
      // publishView brings them when the text arrives.
      const shown = this.openViewsOf(uri).length > 0 && !this.views.isPrinting(uri);
      const result = await this.analyzer.analyzeFile(uri, settings, shown);
      if (!result) {
        this.clear(uri);
        return;
      }
      diagnostics = diagnosticsOf(result);
    } catch (error) {
      this.connection.console.error(`Analysis of ${uri} failed: ${(error as Error)?.stack ?? String(error)}`);
      diagnostics = [internalError(error)];
    }
    const views = this.openViewsOf(uri);
    // One list per finding: while a text view shows the module, its findings live there, on their
    // lines (once its text is printed: until then they stay on the file, see publishView).
    const inView = views.length > 0 && this.canPlaceIn(uri);
    await this.connection.sendDiagnostics({ uri, diagnostics: inView ? [] : diagnostics });
    for (const listener of this.listeners) listener(uri);
    for (const view of views) await this.publishView(view);
  }

  /** The open text views of the `.wasm` at `fileUri`. */
  private openViewsOf(fileUri: string): string[] {
    return this.documents
      .all()
      .map((d) => d.uri)
      .filter((uri) => fileUriOfView(uri) === fileUri);
  }

  /** The diagnostics last published on an open `.wasm` text view. */
  diagnosticsOfView(viewUri: string): Diagnostic[] {
    return this.shownInViews.get(viewUri) ?? [];
  }

  /** A view closed: its findings go back to the `.wasm` file, so nothing stays listed under the view. */
  private async viewClosed(viewUri: string): Promise<void> {
    this.shownInViews.delete(viewUri);
    await this.connection.sendDiagnostics({ uri: viewUri, diagnostics: [] });
    const fileUri = fileUriOfView(viewUri);
    if (!fileUri || this.openViewsOf(fileUri).length) return;
    const current = this.analyzer.get(fileUri);
    if (current) await this.connection.sendDiagnostics({ uri: fileUri, diagnostics: diagnosticsOf(current) });
    else await this.wasmChanged(fileUri);
  }

  /** Whether a view of the `.wasm` can show its findings now: its lines are printed (or none are coming). */
  private canPlaceIn(fileUri: string): boolean {
    return this.views.viewFor(fileUri) !== undefined || !this.views.isPrinting(fileUri);
  }

  /** Shows a `.wasm`'s findings in its open text view, each on the line printed from its bytes. */
  private async publishView(viewUri: string): Promise<void> {
    const fileUri = fileUriOfView(viewUri);
    if (!fileUri) return;
    // The lines are not printed yet. Analysing now would hold this thread while the first screen
    // of a large module waits to be forwarded (esbuild-wasm: 2.2 s instead of 0.6 s); the text
    // arriving (a didChange) brings this back, and meanwhile the `.wasm` keeps its findings.
    if (!this.canPlaceIn(fileUri)) return;
    const current = this.analyzer.get(fileUri);
    const result =
      // A view shows the whole module: bring back full facts if only slim ones were kept.
      (current && !current.slim ? current : undefined) ??
      (await this.analyzer.analyzeFile(fileUri, await this.settings.get(fileUri)));
    const view = this.views.viewFor(fileUri);
    if (!result || !this.documents.get(viewUri)) return;
    const place = (offset: number) => {
      if (!view) return undefined;
      const line = lineForOffset(view, offset);
      const text = view.text.split('\n', line + 1)[line] ?? '';
      const indent = text.length - text.trimStart().length;
      return { start: { line, character: indent }, end: { line, character: text.length } };
    };
    const diagnostics = diagnosticsOf(result, place);
    this.shownInViews.set(viewUri, diagnostics);
    await this.connection.sendDiagnostics({ uri: viewUri, diagnostics });
    // The `.wasm` file's own entry would list each finding a second time.
    await this.connection.sendDiagnostics({ uri: fileUri, diagnostics: [] });
  }

  /**
   * A progress indicator (LSP work-done progress) for an analysis still running after a moment,
   * so a large file says it is being checked instead of sitting without diagnostics.
   */
  private progressAfterAMoment(uri: string): { done(): void } {
    let finished = false;
    let shown: { done(): void } | undefined;
    const timer = setTimeout(async () => {
      const progress = await this.connection.window.createWorkDoneProgress().catch(() => undefined);
      if (!progress) return;
      if (finished) return progress.done();
      progress.begin(
        `Wasm Warden: checking ${uri.slice(uri.lastIndexOf('/') + 1)}`,
        undefined,
        undefined,
        false,
      );
      shown = progress;
    }, PROGRESS_AFTER_MS);
    return {
      done: () => {
        finished = true;
        clearTimeout(timer);
        shown?.done();
      },
    };
  }

  private cancel(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    this.timers.delete(uri);
  }

  private scheduleText(document: TextDocument, delay: number): void {
    if (!isTextModuleDocument(document)) return;
    this.cancel(document.uri);
    // The compiles of an older version are not wanted any more: stop them (their workers too).
    this.analyzer.cancelCompiles(document.uri, STALE_COMPILE_MS);
    this.timers.set(
      document.uri,
      setTimeout(() => {
        this.timers.delete(document.uri);
        void this.validateText(document);
      }, delay),
    );
  }

  private async validateText(document: TextDocument): Promise<void> {
    const uri = document.uri;
    const version = document.version;
    // Results for a version that has since been edited or closed are dropped: the newer run publishes.
    const isCurrent = () => this.documents.get(uri)?.version === version;
    const text = document.getText();
    // On a big file the reader's findings go out before wabt validates; the second publish carries
    // every finding of the version. A newer edit that arrives in between skips validation of this one.
    const early = async (first: ModuleResult): Promise<boolean> => {
      if (!isCurrent()) return false;
      if (text.length < EARLY_PUBLISH_MIN_CHARS) return true;
      await this.connection.sendDiagnostics({ uri, version, diagnostics: diagnosticsOf(first) });
      await new Promise((resolve) => setImmediate(resolve));
      return isCurrent();
    };
    let diagnostics: Diagnostic[];
    const progress = this.progressAfterAMoment(uri);
    try {
      const settings = await this.settings.get(uri);
      if (!settings.enable) diagnostics = [];
      else {
        const result = await this.analyzer.analyzeText(uri, text, version, settings, early);
        if (!result) return;
        diagnostics = diagnosticsOf(result);
      }
    } catch (error) {
      this.connection.console.error(`Analysis of ${uri} failed: ${(error as Error)?.stack ?? String(error)}`);
      diagnostics = [internalError(error)];
    } finally {
      progress.done();
    }
    if (!isCurrent()) return;
    await this.connection.sendDiagnostics({ uri, version, diagnostics });
    for (const listener of this.listeners) listener(uri);
  }
}
