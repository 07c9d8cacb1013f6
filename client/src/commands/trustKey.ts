/**
 * `wasmWarden.trustKey`: after Generate Signing Key Pair, trust the new public key in a policy.
 * The public key is copied beside the policy (`keys/<name>`) when it lives elsewhere (public keys
 * belong in the repository; the secret key stays outside it), and its path relative to the policy
 * is appended to `signature.trustedKeys` with jsonc-parser `modify`, as an undoable edit that keeps
 * the policy's comments.
 */
import * as path from 'node:path';
import { modify } from 'jsonc-parser';
import * as vscode from 'vscode';

export const TRUST_KEY = 'wasmWarden.trustKey';

export interface TrustKeyOptions {
  publicKeyPath: string;
  /** The policy to edit; without it, the workspace's wasm-policy.json (asked when there are several). */
  policy?: vscode.Uri;
}

async function choosePolicy(): Promise<vscode.Uri | undefined> {
  const found = await vscode.workspace.findFiles('**/wasm-policy.json', '**/node_modules/**', 50);
  if (found.length <= 1) return found[0];
  const picked = await vscode.window.showQuickPick(
    found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title: 'Trust the key in which policy?' },
  );
  return picked?.uri;
}

export async function trustKey(options: TrustKeyOptions): Promise<vscode.Uri | undefined> {
  const policy = options.policy ?? (await choosePolicy());
  if (!policy) {
    void vscode.window.showErrorMessage(
      'Wasm Warden: no wasm-policy.json to trust the key in; create one with "Create Policy from Module" first.',
    );
    return undefined;
  }
  const policyFolder = path.dirname(policy.fsPath);
  let keyPath = options.publicKeyPath;
  if (
    path.relative(policyFolder, keyPath).startsWith('..') ||
    path.isAbsolute(path.relative(policyFolder, keyPath))
  ) {
    const copy = vscode.Uri.file(path.join(policyFolder, 'keys', path.basename(keyPath)));
    await vscode.workspace.fs.copy(vscode.Uri.file(keyPath), copy, { overwrite: false });
    keyPath = copy.fsPath;
  }
  const relative = path.relative(policyFolder, keyPath).split(path.sep).join('/');
  const document = await vscode.workspace.openTextDocument(policy);
  const text = document.getText();
  const edits = modify(text, ['signature', 'trustedKeys', -1], relative, {
    formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' },
  });
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits)
    edit.replace(
      policy,
      new vscode.Range(document.positionAt(e.offset), document.positionAt(e.offset + e.length)),
      e.content,
    );
  if (!(await vscode.workspace.applyEdit(edit))) return undefined;
  await vscode.window.showTextDocument(document);
  return policy;
}

export function registerTrustKeyCommand(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(TRUST_KEY, (options: TrustKeyOptions) => trustKey(options)),
  );
}
