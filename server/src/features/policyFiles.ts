/**
 * Policy files in the language server: diagnostics with exact ranges for open wasm-policy.json
 * documents (and for every open policy when one it extends changes), hover over WASI names and
 * capabilities, the "create a policy from these modules" request, and the one PolicyResolver the
 * server shares, reading open editor documents before the disk so unsaved edits count.
 *
 * Integration points for the rest of the server:
 * - `resolver` resolves a module's EffectivePolicy (`resolver.resolve(modulePath)`).
 * - `onDidChangePolicy(listener)` fires after any policy text changes (edit, open, close, or
 *   `fileChanged` for disk events): re-check the modules it may govern.
 * - `fileChanged(path)` is for the server's workspace/didChangeWatchedFiles handler.
 * - `provideHover(params)` answers hovers in policy documents (null elsewhere).
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findNodeAtOffset, getNodePath, type Node } from 'jsonc-parser';
import type { Connection, Diagnostic, Hover, HoverParams, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { readPolicyDocument } from '../core/policy/document';
import { nodeFileSystem, type PolicyFileSystem } from '../core/policy/fileSystem';
import { generatePolicy } from '../core/policy/generate';
import { mergeIntoPolicy } from '../core/policy/merge';
import { readPolicyInputs } from '../core/policy/moduleInputs';
import { POLICY_FILE_NAME, PolicyResolver } from '../core/policy/resolver';
import { ruleIds } from '../core/rules/registry';
import { describeCapability, describeImportPattern } from '../core/policy/describe';
import { toDiagnostic, toRange } from '../lsp/convert';
import { CreatePolicyRequest, type CreatePolicyParams, type CreatePolicyResult } from '../protocol/policy';
import { uriToPath } from './fileUris';
import { PolicyWatch } from './policyWatch';

/** Quiet time after an edit before the policy is checked again. */
const DEBOUNCE_MS = 50;
/** When to look again at a policy changed on disk, in case it was still being written (see diskChanged). */
const SETTLE_CHECKS_MS = [250, 500, 1000, 2000];
const POLICY_DOCS_URL = 'https://github.com/wasm-warden/wasm-warden/blob/main/docs/policy.md';

export function isPolicyDocument(uri: string): boolean {
  return path.basename(uriToPath(uri) ?? uri) === POLICY_FILE_NAME;
}

export class PolicyFilesFeature {
  readonly resolver: PolicyResolver;
  private readonly listeners: Array<(policyPath: string) => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly settling = new Map<string, NodeJS.Timeout>();
  private configured: Promise<void> | undefined;
  /** Every policy read from the disk, watched by the server itself (see policyWatch.ts). */
  private readonly watched = new PolicyWatch((file) => this.diskChanged(file));

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
  ) {
    this.resolver = new PolicyResolver(this.overlayFileSystem(), { knownRules: ruleIds() });
    documents.onDidOpen((e) => this.changed(e.document.uri));
    documents.onDidChangeContent((e) => this.changed(e.document.uri));
    documents.onDidClose((e) => {
      if (!this.isPolicy(e.document.uri)) return;
      void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
      this.changed(e.document.uri);
    });
    connection.onRequest(CreatePolicyRequest.type, (params: CreatePolicyParams) => this.createPolicy(params));
    connection.onHover((params) => this.provideHover(params));
  }

  /**
   * Workspace roots bound discovery; a forced path (`wasmWarden.policyPath`, relative to the first
   * root) overrides it. Call again when folders or settings change.
   */
  configure(roots: string[], forcedPath?: string): void {
    const forced = forcedPath ? path.resolve(roots[0] ?? '', forcedPath) : undefined;
    this.configured = Promise.resolve();
    this.resolver.configure({ roots, forcedPath: forced, knownRules: ruleIds() });
    this.schedule();
  }

  /** Asks the client once for its folders and `wasmWarden.policyPath` (clients without them: none). */
  ready(): Promise<void> {
    const ask = async <T>(request: () => Promise<T>): Promise<T | null> => {
      try {
        return await request();
      } catch {
        return null;
      }
    };
    this.configured ??= (async () => {
      const folders = await ask(() => this.connection.workspace.getWorkspaceFolders());
      const roots = (folders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
      const section = await ask(() => this.connection.workspace.getConfiguration('wasmWarden'));
      const forced = typeof section?.policyPath === 'string' ? section.policyPath : undefined;
      this.configure(roots, forced);
    })();
    return this.configured;
  }

  onDidChangePolicy(listener: (policyPath: string) => void): void {
    this.listeners.push(listener);
  }

  /**
   * A policy changed on disk. Tools write files in steps and a watcher may report only the first:
   * a read in between fails closed (strict fallback) and nothing would read the file again. So
   * look again a few times over the next two seconds and re-check if the text moved meanwhile.
   */
  diskChanged(file: string): void {
    this.fileChanged(file);
    clearTimeout(this.settling.get(file));
    let seen = nodeFileSystem.readFile(file);
    const check = (step: number) => {
      const timer = setTimeout(
        () => {
          const now = nodeFileSystem.readFile(file);
          if (now !== seen) {
            seen = now;
            this.fileChanged(file);
          }
          if (step + 1 < SETTLE_CHECKS_MS.length) check(step + 1);
          else this.settling.delete(file);
        },
        SETTLE_CHECKS_MS[step] - (SETTLE_CHECKS_MS[step - 1] ?? 0),
      );
      timer.unref();
      this.settling.set(file, timer);
    };
    check(0);
  }

  /** A file changed on disk or in an editor (created, changed, deleted): forget it and re-check. */
  fileChanged(file: string): void {
    this.resolver.invalidate(file);
    this.schedule();
    for (const listener of this.listeners) listener(file);
  }

  /** Open documents first (unsaved edits count), then the disk. */
  private overlayFileSystem(): PolicyFileSystem {
    const open = (file: string) => this.documents.get(pathToFileURL(file).href);
    const fromDisk = (file: string) => {
      this.watched.add(file);
      return nodeFileSystem.readFile(file);
    };
    return {
      readFile: (file) => open(file)?.getText() ?? fromDisk(file),
      stat: (file) => (open(file) ? 'file' : nodeFileSystem.stat(file)),
      whyUnreadable: (file) => nodeFileSystem.whyUnreadable!(file),
    };
  }

  /** A wasm-policy.json, or a file some policy extends (any name). */
  isPolicy(uri: string): boolean {
    const file = uriToPath(uri);
    return !!file && (isPolicyDocument(uri) || this.resolver.isKnownPolicy(file));
  }

  private changed(uri: string): void {
    const file = uriToPath(uri);
    if (file && this.isPolicy(uri)) this.fileChanged(file);
  }

  /** Re-checks every open policy document: one may extend the one that changed. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.ready().then(() => {
        // wasm-policy.json files first: checking them reads the files they extend, which come next.
        const open = this.documents.all();
        for (const document of open) if (isPolicyDocument(document.uri)) void this.publish(document);
        for (const document of open)
          if (!isPolicyDocument(document.uri) && this.isPolicy(document.uri)) void this.publish(document);
      });
    }, DEBOUNCE_MS);
  }

  private async publish(document: TextDocument): Promise<void> {
    const file = uriToPath(document.uri);
    if (!file) return;
    let diagnostics: Diagnostic[];
    try {
      diagnostics = this.resolver.problemsOf(file).map((finding) => {
        const diagnostic = toDiagnostic(finding);
        diagnostic.codeDescription = { href: POLICY_DOCS_URL };
        return diagnostic;
      });
    } catch (error) {
      this.connection.console.error(`Checking ${file} failed: ${(error as Error)?.stack ?? String(error)}`);
      diagnostics = [
        {
          range: toRange({ kind: 'text', start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }),
          message: `Wasm Warden could not check this policy: ${(error as Error)?.message ?? String(error)}. Modules it governs are checked against the strict built-in policy.`,
          severity: 1,
          source: 'wasm-warden',
          code: 'policy-error',
        },
      ];
    }
    await this.connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics });
  }

  /** Hover over a pattern in imports.allow/deny or a name in imports.capabilities. */
  provideHover(params: HoverParams): Hover | null {
    const document = this.documents.get(params.textDocument.uri);
    if (!document || !isPolicyDocument(document.uri)) return null;
    const doc = readPolicyDocument(uriToPath(document.uri) ?? document.uri, document.getText());
    if (!doc.root) return null;
    const node: Node | undefined = findNodeAtOffset(doc.root, document.offsetAt(params.position));
    if (!node || node.type !== 'string' || node.parent?.type !== 'array') return null;
    const jsonPath = getNodePath(node);
    const list = jsonPath[jsonPath.length - 2];
    const section = jsonPath[jsonPath.length - 3];
    if (section !== 'imports') return null;
    const value = String(node.value);
    const markdown =
      list === 'capabilities'
        ? describeCapability(value)
        : list === 'allow' || list === 'deny'
          ? describeImportPattern(value)
          : undefined;
    if (!markdown) return null;
    return {
      contents: { kind: 'markdown', value: markdown },
      range: toRange(doc.lines.span(node.offset, node.offset + node.length)),
    };
  }

  private async createPolicy(params: CreatePolicyParams): Promise<CreatePolicyResult> {
    const files = (params?.uris ?? []).map((uri) => uriToPath(uri));
    if (files.length === 0 || files.some((f) => f === undefined))
      return { error: 'Choose one or more .wasm or .wat files on disk.' };
    const read = await readPolicyInputs(files as string[]);
    if ('error' in read) return read;
    const policyUri = pathToFileURL(read.policyPath).href;
    const text = generatePolicy(read.inputs);
    // Unsaved edits count: merge into what the user sees.
    const existing = this.documents.get(policyUri)?.getText() ?? nodeFileSystem.readFile(read.policyPath);
    if (existing === undefined) return { policyUri, text, exists: false };
    try {
      const checkImport = this.resolver.resolve(files[0] as string).checkImport;
      return { policyUri, text, exists: true, merged: mergeIntoPolicy(existing, read.inputs, checkImport) };
    } catch (error) {
      return { error: `${read.policyPath}: ${(error as Error).message}` };
    }
  }
}
