/**
 * `Wasm Warden: Create Policy from Module`: asks the language server for the least-privilege
 * policy of the chosen modules (explorer selection, the argument, or the active editor) and writes
 * wasm-policy.json in their folder. A policy already there is never replaced: the imports it does not
 * yet allow are merged into it as an undoable, unsaved edit (extends, deny, rules and comments kept;
 * dangerous grants marked), for the user to review and save. Returns the policy's URI (for scripts
 * and tests), or undefined when nothing was written.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  CreatePolicyRequest,
  type CreatePolicyParams,
  type CreatePolicyResult,
} from '../../../server/src/protocol/policy';

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
  if (result.exists && result.merged) return mergeIntoExisting(policyUri, result.merged, output);
  await vscode.workspace.fs.writeFile(policyUri, new TextEncoder().encode(result.text));
  output.info(`Wrote ${policyUri.fsPath}`);
  await vscode.window.showTextDocument(policyUri);
  return policyUri;
}

type Merge = NonNullable<Extract<CreatePolicyResult, { exists: boolean }>['merged']>;

/** Applies the merge as one edit the user can review, undo or save, and says what it granted. */
async function mergeIntoExisting(policyUri: vscode.Uri, merged: Merge, output: vscode.LogOutputChannel) {
  const name = vscode.workspace.asRelativePath(policyUri);
  const document = await vscode.workspace.openTextDocument(policyUri);
  const denied = merged.keptDenied.map((d) => `${d.pattern} (${d.reason})`);
  if (merged.added.length === 0) {
    await vscode.window.showTextDocument(document);
    void vscode.window.showInformationMessage(
      `Wasm Warden: ${name} already allows every import this needs.${denied.length ? ` Still denied, as the policy says: ${denied.join(', ')}.` : ''}`,
    );
    return policyUri;
  }
  const edit = new vscode.WorkspaceEdit();
  edit.replace(policyUri, new vscode.Range(0, 0, document.lineCount, 0), merged.text);
  if (!(await vscode.workspace.applyEdit(edit))) return undefined;
  await vscode.window.showTextDocument(document);
  output.info(`Merged into ${policyUri.fsPath} (unsaved): ${merged.added.join(', ')}`);
  const parts = [
    `Added ${merged.added.length} import${merged.added.length === 1 ? '' : 's'} to ${name}, unsaved: review, then save or undo.`,
  ];
  if (merged.dangerous.length) parts.push(`⚠ Dangerous, marked in comments: ${merged.dangerous.join(', ')}.`);
  if (denied.length) parts.push(`Still denied, as the policy says: ${denied.join(', ')}.`);
  const show = merged.dangerous.length
    ? vscode.window.showWarningMessage
    : vscode.window.showInformationMessage;
  void show(`Wasm Warden: ${parts.join(' ')}`);
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
