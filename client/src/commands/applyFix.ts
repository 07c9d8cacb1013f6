/**
 * `wasmWarden.applyFix`: applies one of the server's code actions handed over as a CodeLens
 * argument (the `.wasm` text view is read-only, so VS Code shows it no light bulb).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { CodeAction } from 'vscode-languageclient';

export function registerApplyFixCommand(context: vscode.ExtensionContext, client: LanguageClient): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('wasmWarden.applyFix', async (action: CodeAction): Promise<boolean> => {
      if (action.edit) {
        const edit = await client.protocol2CodeConverter.asWorkspaceEdit(action.edit);
        if (!(await vscode.workspace.applyEdit(edit))) return false;
      }
      if (action.command)
        await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
      return true;
    }),
  );
}
