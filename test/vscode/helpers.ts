/**
 * Helpers for in-editor suites (`suite/*.test.ts`): open workspace fixtures and wait for what
 * the language server publishes. Uses only the `vscode` API.
 */
import * as vscode from 'vscode';

/** How long a wait may take before the test fails with a description of what never happened. */
export const WAIT_LIMIT_MS = 20_000;

/** A file in the test workspace (a temporary copy of test/vscode/workspace). */
export function workspaceFile(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('The in-editor tests need a workspace folder; the launcher opens one.');
  return vscode.Uri.joinPath(folder.uri, ...relativePath.split('/'));
}

/** Opens a workspace file in an editor and makes it active. */
export async function openFixture(relativePath: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(relativePath));
  return vscode.window.showTextDocument(document);
}

/** Wasm Warden's errors on a document. */
export function errorsFrom(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'wasm-warden' && d.severity === vscode.DiagnosticSeverity.Error);
}

/**
 * Polls `probe` until it returns a value other than `undefined`, and returns that value.
 * Fails naming `what` when it does not happen within the limit.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  limitMs = WAIT_LIMIT_MS,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${limitMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The text of every hover the providers give at a position, joined. */
export async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
    'vscode.executeHoverProvider',
    uri,
    position,
  );
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

/**
 * Puts `bytes` back into a workspace file, through its document when VS Code has one: the language
 * server reads an open document before the disk, and a document changed by an edit stays open in
 * VS Code after its tab closes. A write to the disk alone can leave that document with the edited
 * text (seen in CI: a policy edited by a quick fix outlived its restore, and the next tests saw
 * the edited policy). Waits until the document, if any, shows the restored text.
 */
export async function restoreFile(uri: vscode.Uri, bytes: Uint8Array): Promise<void> {
  const text = new TextDecoder().decode(bytes);
  const documentOf = () =>
    vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString() && !d.isClosed);
  const open = documentOf();
  if (open && open.getText() !== text) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(open.positionAt(0), open.positionAt(open.getText().length)), text);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Could not edit ${uri.toString()} back.`);
  }
  if (open?.isDirty) await open.save();
  await vscode.workspace.fs.writeFile(uri, bytes);
  await waitFor(`${uri.path} to show its restored text`, () => {
    const document = documentOf();
    return !document || (document.getText() === text && !document.isDirty) ? true : undefined;
  });
}
