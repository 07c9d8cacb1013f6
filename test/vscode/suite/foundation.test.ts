/**
 * The foundation, seen from inside a real VS Code through the `vscode` API only: the extension
 * activates on a .wat file, syntax errors show up at the right place and clear when fixed, the
 * `wat` language covers .wat and .wast, and the server restarts.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { errorsFrom, openFixture, waitFor, workspaceFile } from '../helpers';

describe('foundation', function () {
  afterEach(async () => {
    // Undo edits first: closing a modified editor would ask whether to save.
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('reports an unbalanced parenthesis once, at the open paren, and clears it when fixed', async () => {
    const editor = await openFixture('broken.wat');
    const uri = editor.document.uri;

    const errors = await waitFor('one wasm-warden error on broken.wat', () => {
      const found = errorsFrom(uri);
      return found.length > 0 ? found : undefined;
    });
    assert.equal(errors.length, 1, JSON.stringify(errors));
    const [error] = errors;
    assert.equal(error.source, 'wasm-warden');
    assert.equal(error.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual(
      [error.range.start.line, error.range.start.character, error.range.end.line, error.range.end.character],
      [1, 0, 1, 1],
    );
    assert.match(error.message, /never closed/);
    const code = typeof error.code === 'object' ? error.code.value : error.code;
    assert.equal(code, 'syntax-error');

    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    assert.ok(await editor.edit((edit) => edit.insert(end, ')')), 'the edit was applied');
    await waitFor('diagnostics of broken.wat to clear', () =>
      errorsFrom(uri).length === 0 ? true : undefined,
    );
  });

  it('reports an unterminated string', async () => {
    const editor = await openFixture('unterminated.wat');
    const errors = await waitFor('an error on unterminated.wat', () => {
      const found = errorsFrom(editor.document.uri);
      return found.length > 0 ? found : undefined;
    });
    assert.ok(
      errors.some((e) => /string/i.test(e.message) && e.range.start.line === 1),
      JSON.stringify(errors.map((e) => [e.message, e.range.start.line])),
    );
  });

  it('gives no diagnostics for a valid module', async () => {
    const valid = await openFixture('add.wat');
    // A broken file opened after the valid one proves the server has looked at both.
    const broken = await openFixture('broken.wat');
    await waitFor('diagnostics of broken.wat', () =>
      errorsFrom(broken.document.uri).length > 0 ? true : undefined,
    );
    assert.deepEqual(
      vscode.languages.getDiagnostics(valid.document.uri).filter((d) => d.source === 'wasm-warden'),
      [],
    );
  });

  it('assigns the wat language to .wat and .wast files', async () => {
    const wat = await vscode.workspace.openTextDocument(workspaceFile('add.wat'));
    const wast = await vscode.workspace.openTextDocument(workspaceFile('script.wast'));
    assert.equal(wat.languageId, 'wat');
    assert.equal(wast.languageId, 'wat');
  });

  it('activates the extension and registers its commands', async () => {
    await openFixture('add.wat');
    const extension = vscode.extensions.all.find((e) => e.packageJSON?.name === 'wasm-warden');
    assert.ok(extension, 'the Wasm Warden extension is installed');
    await waitFor('the extension to activate', () => (extension.isActive ? true : undefined));
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('wasmWarden.showOutput'), 'wasmWarden.showOutput is registered');
    assert.ok(commands.includes('wasmWarden.restartServer'), 'wasmWarden.restartServer is registered');
    await vscode.commands.executeCommand('wasmWarden.showOutput');
  });

  it('restarts the server, which then serves diagnostics again', async () => {
    const broken = await openFixture('broken.wat');
    await waitFor('diagnostics before the restart', () =>
      errorsFrom(broken.document.uri).length > 0 ? true : undefined,
    );

    await vscode.commands.executeCommand('wasmWarden.restartServer');

    // A file opened after the restart: only a running new server can report on it.
    const fresh = await openFixture('unterminated.wat');
    await waitFor('diagnostics from the restarted server', () =>
      errorsFrom(fresh.document.uri).length > 0 ? true : undefined,
    );
    await waitFor('broken.wat diagnostics after the restart', () =>
      errorsFrom(broken.document.uri).length > 0 ? true : undefined,
    );
  });
});
