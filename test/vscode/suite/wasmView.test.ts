/**
 * The `.wasm` text view, through the `vscode` API only: opening a `.wasm` the way a double click
 * does lands on its read-only WAT text, the text follows the file on disk, and a file that is not
 * WebAssembly gets a message instead of text.
 *
 * Fixtures (test/vscode/workspace/view/), built with `wat2wasm --debug-names`:
 *   add.wasm: (module (func $add (export "add") (param $a i32) (param $b i32) (result i32)
 *               local.get $a local.get $b i32.add))
 *   mul.wasm: the same with $mul, "mul" and i32.mul.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor, workspaceFile } from '../helpers';

/** The view's address: the contract between client/src/wasmView/uris.ts and this test. */
function viewUri(file: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({ scheme: 'wasm-warden', path: `${file.path}.wat` });
}

function viewDocument(file: vscode.Uri): vscode.TextDocument | undefined {
  const wanted = viewUri(file).toString();
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === wanted);
}

describe('.wasm text view', function () {
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens a .wasm, as a double click does, on its WAT text', async () => {
    const file = workspaceFile('view/add.wasm');
    // `vscode.open` uses the default editor for the file, as the explorer does.
    await vscode.commands.executeCommand('vscode.open', file);
    const editor = await waitFor('the text view of add.wasm to become the active editor', () => {
      const active = vscode.window.activeTextEditor;
      return active?.document.uri.scheme === 'wasm-warden' ? active : undefined;
    });
    assert.equal(editor.document.uri.toString(), viewUri(file).toString());
    assert.equal(editor.document.languageId, 'wat');
    const text = await waitFor('the disassembly of add.wasm', () => {
      const current = editor.document.getText();
      return current.startsWith('(module') ? current : undefined;
    });
    assert.equal(
      text,
      [
        '(module',
        '  (type $type0 (func (param i32 i32) (result i32)))',
        '  (export "add" (func $add))',
        '  (func $add (;0;) (param $a (;0;) i32) (param $b (;1;) i32) (result i32)',
        '    local.get $a',
        '    local.get $b',
        '    i32.add',
        '  )',
        '  ;; custom section "name" at 0x29, 26 bytes',
        ')',
        '',
      ].join('\n'),
    );
    // The custom editor that opened the view closes itself: no tab is left on the binary.
    const customTabs = () =>
      vscode.window.tabGroups.all
        .flatMap((group) => group.tabs)
        .filter((tab) => tab.input instanceof vscode.TabInputCustom);
    await waitFor('the custom editor tab of add.wasm to close', () =>
      customTabs().length === 0 ? true : undefined,
    );
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), viewUri(file).toString());
  });

  it('follows the file when it changes on disk', async () => {
    const add = await vscode.workspace.fs.readFile(workspaceFile('view/add.wasm'));
    const mul = await vscode.workspace.fs.readFile(workspaceFile('view/mul.wasm'));
    const file = workspaceFile('view/changing.wasm');
    await vscode.workspace.fs.writeFile(file, add);
    const document = await vscode.workspace.openTextDocument(viewUri(file));
    await vscode.window.showTextDocument(document);
    assert.ok(document.getText().includes('    i32.add\n'), document.getText());

    await vscode.workspace.fs.writeFile(file, mul);
    await waitFor('the view of changing.wasm to show i32.mul', () =>
      viewDocument(file)?.getText().includes('    i32.mul\n') ? true : undefined,
    );
    assert.ok(!viewDocument(file)!.getText().includes('i32.add'));
  });

  it('shows a message for a file that is not WebAssembly', async () => {
    const file = workspaceFile('view/not-wasm.wasm');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode('<html>not a module</html>'));
    const document = await vscode.workspace.openTextDocument(viewUri(file));
    assert.match(
      document.getText(),
      /^;; Not a WebAssembly module or component: the file does not start with the WebAssembly magic bytes/,
    );
  });
});
