/**
 * Wasm Warden's language server. Any LSP client can run it: `node dist/server.js --stdio`.
 * This file only wires features together; the analysis lives in `core/`.
 */
import {
  createConnection,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticsFeature } from './features/diagnostics';
import { SettingsStore } from './features/settings';
import { registerSandboxFeature } from './features/sandbox';
import { PolicyFilesFeature } from './features/policyFiles';
import { registerSigningFeature } from './features/signing';
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
if (!process.argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'))) {
  process.argv.push('--stdio');
}

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let clientHasConfiguration = false;
const settings = new SettingsStore(connection, () => clientHasConfiguration);

connection.onInitialize((params): InitializeResult => {
  clientHasConfiguration = !!params.capabilities.workspace?.configuration;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
    },
    serverInfo: { name: 'wasm-warden', version: VERSION },
  };
});

const diagnostics = new DiagnosticsFeature(connection, documents, settings);
registerSandboxFeature(connection, documents);
new PolicyFilesFeature(connection, documents);
registerSigningFeature(connection);

connection.onInitialized(() => {
  if (clientHasConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'wasmWarden' });
  }
});

connection.onDidChangeConfiguration(() => {
  settings.clear();
  diagnostics.revalidateAll();
});

// The server must outlive any one bad file: log what escaped and keep serving.
process.on('uncaughtException', (error) => connection.console.error(`Uncaught: ${error.stack ?? error}`));
process.on('unhandledRejection', (error) => connection.console.error(`Unhandled rejection: ${String(error)}`));

documents.listen(connection);
connection.listen();
