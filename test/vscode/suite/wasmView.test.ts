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
import { leb } from '../../support/wasmBytes';
import { errorsFrom, waitFor, workspaceFile } from '../helpers';

/** A section: its id, its size and its contents. */
function section(id: number, contents: number[] | Uint8Array): Uint8Array {
  return Uint8Array.from([id, ...leb(contents.length), ...contents]);
}

/**
 * A valid module of `functions` functions of type [] -> [], each `i32.const k drop` 20 times:
 * about 63 bytes of code and 20 printed lines per function.
 */
function largeModule(functions: number): Uint8Array {
  const body: number[] = [0]; // no locals
  for (let k = 0; k < 20; k++) body.push(0x41, k, 0x1a); // i32.const k; drop
  body.push(0x0b);
  const code = new Uint8Array(leb(functions).length + functions * (1 + body.length));
  code.set(leb(functions));
  let at = leb(functions).length;
  for (let i = 0; i < functions; i++) {
    code[at++] = body.length;
    code.set(body, at);
    at += body.length;
  }
  const parts = [
    Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    section(1, [1, 0x60, 0, 0]),
    section(3, [...leb(functions), ...new Array<number>(functions).fill(0)]),
    section(10, code),
  ];
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

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

  it('shows a large module at once as "disassembling…", then its text, while another file gets its diagnostics', async () => {
    const file = workspaceFile('view/large.wasm');
    const module = largeModule(60_000); // 3.8 MB, 1.2 million lines of bodies
    await vscode.workspace.fs.writeFile(file, module);
    const started = Date.now();
    const document = await vscode.workspace.openTextDocument(viewUri(file));
    await vscode.window.showTextDocument(document);
    const opened = Date.now() - started;
    // The first screen says what is happening instead of staying blank.
    assert.match(document.getText(), /^;; Wasm Warden: disassembling large\.wasm…/);

    // A small file opened meanwhile gets its diagnostics: the large module holds nothing up.
    const small = workspaceFile('view/meanwhile.wat');
    await vscode.workspace.fs.writeFile(
      small,
      new TextEncoder().encode('(module (func (result i32) (i64.const 1)))\n'),
    );
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(small), { preview: false });
    const smallErrors = await waitFor('diagnostics on meanwhile.wat', () => {
      const errors = errorsFrom(small);
      return errors.length > 0 ? errors : undefined;
    });
    const smallAt = Date.now() - started;
    assert.ok(
      smallErrors.some((d) => (typeof d.code === 'object' ? d.code.value : d.code) === 'invalid-module'),
      JSON.stringify(smallErrors),
    );

    let firstLinesAt: number | undefined;
    const whole = await waitFor(
      'the whole text of large.wasm',
      () => {
        const text = document.getText();
        if (firstLinesAt === undefined && text.includes('(module')) firstLinesAt = Date.now() - started;
        return text.startsWith('(module') ? text : undefined;
      },
      180_000,
    );
    const wholeAt = Date.now() - started;
    assert.match(whole, /^ {2}\(func \$func59999$/m);
    // For BENCHMARKS.md ("The .wasm view in the editor"): not asserted, timings are the machine's.
    console.log(
      `      large.wasm (${(module.length / 1048576).toFixed(1)} MiB): view open ${opened} ms, first lines ${firstLinesAt ?? '-'} ms, other file's diagnostics ${smallAt} ms, whole text ${wholeAt} ms`,
    );
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
