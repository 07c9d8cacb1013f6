/**
 * `Wasm Warden: Create Policy from Module`: asks the language server for the least-privilege
 * policy of the chosen modules (explorer selection, the argument, or the active editor) and writes
 * wasm-policy.json in their folder, asking before it replaces one. Returns the policy's URI (for
 * scripts and tests), or undefined when nothing was written.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CreatePolicyRequest, type CreatePolicyParams } from '../../../server/src/protocol/policy';

export const CREATE_POLICY = 'wasmWarden.createPolicy';

const isModule = (uri: vscode.Uri) => /\.(wasm|wat)$/i.test(uri.path);

/** A Uri, or a URI string (code actions from the server pass strings). */
function asUri(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (typeof value !== 'string') return undefined;
  try {
    return vscode.Uri.parse(value, true);
  } catch {
    return undefined;
  }
}

/** Explorer passes (clicked, selected[]); code actions pass a URI string; a keybinding passes nothing. */
function chosenModules(clicked?: unknown, selected?: unknown): vscode.Uri[] {
  const given = [
    ...(Array.isArray(selected) ? selected : []),
    ...(Array.isArray(clicked) ? clicked : [clicked]),
  ];
  const fromArgs = given.map(asUri).filter((u): u is vscode.Uri => u !== undefined && isModule(u));
  if (fromArgs.length) return [...new Map(fromArgs.map((u) => [u.toString(), u])).values()];
  const active = vscode.window.activeTextEditor?.document.uri ?? activeTabUri();
  return active && isModule(active) ? [active] : [];
}

/** `.wasm` files open in custom or binary editors have no text editor; their tab knows the URI. */
function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: unknown } | undefined;
  return input?.uri instanceof vscode.Uri ? input.uri : undefined;
}

async function createPolicy(
  client: LanguageClient,
  output: vscode.LogOutputChannel,
  clicked?: unknown,
  selected?: unknown,
) {
  const modules = chosenModules(clicked, selected);
  if (!modules.length) {
    void vscode.window.showErrorMessage(
      'Wasm Warden: open or select a .wasm or .wat module to create a policy for it.',
    );
    return undefined;
  }
  // The server reads modules from disk: save edited .wat files first so the policy matches them.
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty && modules.some((m) => m.toString() === doc.uri.toString())) await doc.save();
  }
  const params: CreatePolicyParams = { uris: modules.map((m) => m.toString()) };
  const result = await client.sendRequest(CreatePolicyRequest.type, params);
  if ('error' in result) {
    output.error(`Create Policy failed: ${result.error}`);
    void vscode.window.showErrorMessage(`Wasm Warden: could not create a policy. ${result.error}`);
    return undefined;
  }
  const policyUri = vscode.Uri.parse(result.policyUri);
  if (result.exists) {
    const replace = 'Replace';
    const answer = await vscode.window.showWarningMessage(
      `${vscode.workspace.asRelativePath(policyUri)} already exists. Replace it with the least-privilege policy for ${modules.length === 1 ? 'this module' : `these ${modules.length} modules`}?`,
      { modal: true },
      replace,
    );
    if (answer !== replace) return undefined;
  }
  await vscode.workspace.fs.writeFile(policyUri, new TextEncoder().encode(result.text));
  output.info(`Wrote ${policyUri.fsPath}`);
  await vscode.window.showTextDocument(policyUri);
  return policyUri;
}

export function registerPolicyCommands(
  context: vscode.ExtensionContext,
  client: LanguageClient,
  output: vscode.LogOutputChannel,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(CREATE_POLICY, (clicked?: unknown, selected?: unknown) =>
      createPolicy(client, output, clicked, selected),
    ),
  );
}
