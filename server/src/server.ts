/**
 * Wasm Warden's language server. Any LSP client can run it: `node dist/server.js --stdio`.
 * This file only wires features together; the analysis lives in `core/`.
 */
import {
  createConnection,
  DidChangeConfigurationNotification,
  FileChangeType,
  CodeActionKind,
  CodeLensRefreshRequest,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CodeActionsFeature } from './features/codeActions';
import { provideCodeLenses } from './features/codeLens';
import { CommittedChanges } from './features/committedChange';
import { DiagnosticsFeature } from './features/diagnostics';
import { moduleHover } from './features/hover';
import { foldingRanges } from './core/wat/folding';
import { fileUriOfView } from './features/viewUris';
import { summarize } from './features/moduleSummary';
import { ModuleSummaryRequest, type ModuleSummaryParams } from './protocol/moduleSummary';
import { isWasmUri, uriToPath } from './features/fileUris';
import { ModuleAnalyzer } from './features/moduleAnalysis';
import { ScanPool } from './features/scan/pool';
import { WatCompileThread } from './workers/watCompile/thread';
import { TextAnalysisThread } from './workers/textAnalysis/thread';
import { SettingsStore } from './features/settings';
import { registerSandboxFeature } from './features/sandbox';
import { PolicyFilesFeature } from './features/policyFiles';
import { registerSigningFeature } from './features/signing';
import { NAVIGATION_CAPABILITIES, registerNavigationFeature } from './features/navigation';
import { registerComponentWit } from './features/componentWit';
import { WasmViewFeature } from './features/wasmView';
import { DisassemblyThread } from './features/disasm/thread';
import { policyQuickFixes } from './features/policyQuickFixes';
import { viewFixLenses } from './features/viewFixLenses';
import { isViewUri } from './features/viewUris';
import { VERSION } from './version';

if (process.argv.includes('--version')) {
  process.stdout.write(`wasm-warden-server ${VERSION}\n`);
  process.exit(0);
}
if (process.argv.includes('--help')) {
  process.stdout.write(
    'Usage: wasm-warden-server --stdio\n\nThe Wasm Warden language server. Speaks LSP over stdio (or --node-ipc, --socket=PORT).\n',
  );
  process.exit(0);
}
if (
  !process.argv.some(
    (a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'),
  )
) {
  process.argv.push('--stdio');
}

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let clientHasConfiguration = false;
let clientRefreshesCodeLens = false;
let initialRoots: string[] = [];
const settings = new SettingsStore(connection, () => clientHasConfiguration);

connection.onInitialize((params): InitializeResult => {
  clientHasConfiguration = !!params.capabilities.workspace?.configuration;
  clientRefreshesCodeLens = !!params.capabilities.workspace?.codeLens?.refreshSupport;
  const rootUris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  initialRoots = rootUris.flatMap((uri) => uriToPath(uri) ?? []);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.Source] },
      codeLensProvider: { resolveProvider: false },
      foldingRangeProvider: true,
      ...NAVIGATION_CAPABILITIES,
    },
    serverInfo: { name: 'wasm-warden', version: VERSION },
  };
});

const policyFiles = new PolicyFilesFeature(connection, documents);
const analyzer = new ModuleAnalyzer(
  policyFiles.resolver,
  ScanPool.create(),
  WatCompileThread.create(),
  TextAnalysisThread.create(),
);
const wasmView = new WasmViewFeature(connection, settings, DisassemblyThread.create());
const diagnostics = new DiagnosticsFeature(connection, documents, settings, analyzer, wasmView);
registerSandboxFeature(connection, documents, policyFiles.resolver);
registerSigningFeature(connection, policyFiles.resolver);
registerNavigationFeature(connection, documents);
// A component's world as WIT, for the read-only WIT document beside the .wasm view.
registerComponentWit(connection, settings, (uri) => analyzer.get(uri));

/** The analysis behind a document: its own, or for a `.wasm` text view, the file's. */
function resultFor(uri: string) {
  return analyzer.get(fileUriOfView(uri) ?? uri);
}

/**
 * Workspace folders as paths: they bound policy discovery and the `.wasm` scan. Clients without
 * workspace folder support give only the `initialize` roots.
 */
async function workspaceRoots(): Promise<string[]> {
  const folders = await connection.workspace.getWorkspaceFolders().catch(() => null);
  return folders ? folders.flatMap((f) => uriToPath(f.uri) ?? []) : initialRoots;
}

/** Policies and settings decide every finding: after either changes, check everything again. */
let recheckTimer: NodeJS.Timeout | undefined;
function recheckEverything(): void {
  if (recheckTimer) clearTimeout(recheckTimer);
  recheckTimer = setTimeout(() => diagnostics.revalidateAll(), 100);
}
policyFiles.onDidChangePolicy(recheckEverything);

// One hover handler for the server: policy documents answer first, then modules.
connection.onHover((params) => {
  const policyHover = policyFiles.provideHover(params);
  if (policyHover) return policyHover;
  const result = resultFor(params.textDocument.uri);
  const uri = params.textDocument.uri;
  const line = params.position.line;
  const lineText = documents
    .get(uri)
    ?.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  const markdown =
    result && moduleHover(result, uri, params.position, wasmView, lineText, committedChanges.hoverNote(uri));
  return markdown ? { contents: { kind: 'markdown', value: markdown } } : null;
});

connection.onFoldingRanges((params) => {
  const document = documents.get(params.textDocument.uri);
  return document && document.languageId === 'wat' ? foldingRanges(document.getText()) : null;
});

const codeActions = new CodeActionsFeature(documents, resultFor);
// What a .wasm gained or lost since git HEAD: a lens on its text view and a line in its hover.
const committedChanges = new CommittedChanges(() => refreshLenses());
connection.onCodeAction((params) => {
  const policy = documents.get(params.textDocument.uri);
  if (policy && policyFiles.isPolicy(policy.uri)) return policyQuickFixes(policy, params);
  return codeActions.provide(params);
});
connection.onCodeLens((params) => {
  const uri = params.textDocument.uri;
  if (!isViewUri(uri)) return provideCodeLenses(analyzer, params);
  const fixes = viewFixLenses(uri, diagnostics.diagnosticsOfView(uri), (view, diagnostic) =>
    codeActions.provide({
      textDocument: { uri: view },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    }),
  );
  return [...fixes, ...committedChanges.provideCodeLenses(params)];
});
connection.onRequest(ModuleSummaryRequest.type, (params: ModuleSummaryParams) => {
  const result = resultFor(params.uri);
  return result ? summarize(result) : null;
});
// CodeLens and the status bar follow the findings: ask the client to refresh after each analysis.
let lensRefresh: NodeJS.Timeout | undefined;
function refreshLenses(): void {
  if (!clientRefreshesCodeLens || lensRefresh) return;
  lensRefresh = setTimeout(() => {
    lensRefresh = undefined;
    void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  }, 300);
}
diagnostics.onDidAnalyze(refreshLenses);

connection.onInitialized(async () => {
  if (clientHasConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'wasmWarden' });
  }
  await policyFiles.ready();
  await diagnostics.scanWorkspace(await workspaceRoots());
});

connection.onDidChangeConfiguration(async () => {
  settings.clear();
  const roots = await workspaceRoots();
  const configured = await settings.get(roots[0] ? pathToFileURL(roots[0]).href : '');
  policyFiles.configure(roots, configured.policyPath || undefined);
  recheckEverything();
});

connection.onDidChangeWatchedFiles((params) => {
  for (const change of params.changes) {
    const file = uriToPath(change.uri);
    if (!file) continue;
    if (/wasm-policy\.json$/i.test(file) || /\.(pub|pem|der|pk)$/i.test(file)) policyFiles.diskChanged(file);
    else if (isWasmUri(change.uri)) {
      if (change.type === FileChangeType.Deleted) committedChanges.fileDeleted(file);
      else committedChanges.fileChanged(file);
      if (change.type === FileChangeType.Deleted) diagnostics.wasmDeleted(change.uri);
      else void diagnostics.wasmChanged(change.uri);
    } else if (/\.wasm\.sig$/i.test(file)) void diagnostics.wasmChanged(change.uri.replace(/\.sig$/i, ''));
  }
});

// The server must outlive any one bad file: log what escaped and keep serving.
process.on('uncaughtException', (error) => connection.console.error(`Uncaught: ${error.stack ?? error}`));
process.on('unhandledRejection', (error) =>
  connection.console.error(`Unhandled rejection: ${String(error)}`),
);

documents.listen(connection);
connection.listen();
