/**
 * The VS Code side of Wasm Warden: starts the language server and registers the commands.
 * No analysis happens here; everything is asked of the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { registerSandboxCommand } from './sandbox/command';
import { SandboxPanel } from './sandbox/panel';
import { registerSigningCommands } from './commands/signing';
import { registerPolicyCommands } from './commands/policy';
import { registerApplyFixCommand } from './commands/applyFix';
import { registerTrustKeyCommand } from './commands/trustKey';
import { registerWasmView } from './wasmView';
import { registerStatusBar, type ModuleStatusBar } from './statusBar';

let client: LanguageClient | undefined;
/** Exposed to the in-editor tests through the extension's exports. */
let statusBar: ModuleStatusBar | undefined;

/** What the extension exports: read-only views for tests and other extensions. */
export interface WardenApi {
  /** What the status bar shows for the active module. */
  statusBar(): ModuleStatusBar['current'];
  /** What the report panel's serializer does after a window reload (for the in-editor test). */
  reviveSandboxPanel(panel: vscode.WebviewPanel, state: unknown): SandboxPanel['shown'];
}

export async function activate(context: vscode.ExtensionContext): Promise<WardenApi> {
  const output = vscode.window.createOutputChannel('Wasm Warden', { log: true });
  context.subscriptions.push(output);

  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6009'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'wat' },
      { scheme: 'untitled', language: 'wat' },
      { scheme: 'file', pattern: '**/wasm-policy.json' },
      // The .wasm text view: findings placed on its lines, hovers, quick fixes.
      { scheme: 'wasm-warden', language: 'wat' },
    ],
    synchronize: {
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/*.wasm'),
        vscode.workspace.createFileSystemWatcher('**/wasm-policy.json'),
        // Detached signatures and key files named by policies change verdicts too.
        vscode.workspace.createFileSystemWatcher('**/*.{sig,pub,pem,der,pk}'),
      ],
    },
    outputChannel: output,
    traceOutputChannel: output,
  };

  client = new LanguageClient('wasmWarden', 'Wasm Warden', serverOptions, clientOptions);

  context.subscriptions.push(
    vscode.commands.registerCommand('wasmWarden.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('wasmWarden.restartServer', async () => {
      output.info('Restarting the Wasm Warden language server.');
      await client?.restart();
    }),
  );

  await client.start();

  // Feature registrations (one line each): commands, views and panels that talk to the server.
  registerSandboxCommand(context, client, output);
  registerSigningCommands(context, client, output);
  registerPolicyCommands(context, client, output);
  registerApplyFixCommand(context, client);
  registerTrustKeyCommand(context);
  registerWasmView(context, client);
  statusBar = registerStatusBar(context, client);
  return {
    statusBar: () => statusBar?.current,
    reviveSandboxPanel: (panel, state) => SandboxPanel.revive(panel, state).shown,
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
