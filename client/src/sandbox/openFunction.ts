/**
 * Opens a function from the sandbox report's profile at its place: in the `.wasm` view for a
 * binary, in the file itself for a `.wat`. A large module's view shows its first lines while the
 * server disassembles; the line is looked for again as the text arrives.
 */
import * as vscode from 'vscode';
import { viewUriFor } from '../wasmView/uris';
import { functionLine, profileLinkKind, type ProfiledFunction } from './profileLinks';

/** How long to wait for a large module's full disassembly before opening it at the top. */
const WAIT_FOR_TEXT_MS = 60_000;

export async function openProfiledFunction(file: string, fn: ProfiledFunction): Promise<void> {
  const kind = profileLinkKind(file);
  const uri = kind === 'wasm-view' ? viewUriFor(vscode.Uri.file(file)) : vscode.Uri.file(file);
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document, {
    viewColumn: vscode.ViewColumn.One,
    preview: false,
  });
  const line = functionLine(document.getText(), fn, kind) ?? (await lineOnceShown(document, fn, kind));
  if (line === undefined) {
    void vscode.window.showInformationMessage(
      `Wasm Warden: ${fn.name} (function ${fn.index}) is not in ${vscode.workspace.asRelativePath(uri)}.`,
    );
    return;
  }
  const at = new vscode.Position(line, 0);
  editor.selection = new vscode.Selection(at, at);
  editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenter);
}

function lineOnceShown(
  document: vscode.TextDocument,
  fn: ProfiledFunction,
  kind: 'wasm-view' | 'source',
): Promise<number | undefined> {
  if (kind !== 'wasm-view') return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const done = (line: number | undefined): void => {
      clearTimeout(timer);
      listener.dispose();
      resolve(line);
    };
    const timer = setTimeout(() => done(undefined), WAIT_FOR_TEXT_MS);
    const listener = vscode.workspace.onDidChangeTextDocument((change) => {
      if (change.document.uri.toString() !== document.uri.toString()) return;
      const line = functionLine(change.document.getText(), fn, kind);
      if (line !== undefined) done(line);
    });
  });
}
