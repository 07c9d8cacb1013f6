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
 * A valid module of `functions` functions of type [] -> [], each `i32.const k drop` 20 times
 * (about 63 bytes of code and 20 printed lines per function), and `segments` active data segments
 * of 1,000 ASCII letters each (one printed line per segment), as a Go module's many segments are.
 */
function largeModule(functions: number, segments = 0): Uint8Array {
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
  // Each segment: flags 0, offset `i32.const 0 end`, 1,000 bytes (LEB 0xe8 0x07) of letters.
  const segment = Uint8Array.from([
    0,
    0x41,
    0,
    0x0b,
    0xe8,
    0x07,
    ...Array.from({ length: 1000 }, (_, i) => 97 + (i % 26)),
  ]);
  const data = new Uint8Array(leb(segments).length + segments * segment.length);
  data.set(leb(segments));
  for (let i = 0; i < segments; i++) data.set(segment, leb(segments).length + i * segment.length);
  const parts = [
    Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    section(1, [1, 0x60, 0, 0]),
    section(3, [...leb(functions), ...new Array<number>(functions).fill(0)]),
    ...(segments > 0 ? [section(5, [1, 0, 1])] : []), // one memory of one page
    section(10, code),
    ...(segments > 0 ? [section(11, data)] : []),
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

  it('shows a 14 MB module at once as "disassembling…", then its first lines and its text, while another file gets its diagnostics', async () => {
    const file = workspaceFile('view/large.wasm');
    // 14 MB: 20,000 functions (1.3 MB of code, 400,000 lines) and 12,700 data segments (12.7 MB).
    const module = largeModule(20_000, 12_700);
    await vscode.workspace.fs.writeFile(file, module);
    const view = viewUri(file);
    // The first lines (under the "disassembling…" line) are timed as they arrive, apart from the waits below.
    let firstLinesAt: number | undefined;
    const started = Date.now();
    const watching = vscode.workspace.onDidChangeTextDocument((change) => {
      if (
        firstLinesAt === undefined &&
        change.document.uri.toString() === view.toString() &&
        /^;; Wasm Warden: disassembling[^\n]*\n\(module/.test(change.document.getText())
      )
        firstLinesAt = Date.now() - started;
    });
    try {
      const document = await vscode.workspace.openTextDocument(view);
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
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(small), {
        preview: false,
      });
      const smallErrors = await waitFor('diagnostics on meanwhile.wat', () => {
        const errors = errorsFrom(small);
        return errors.length > 0 ? errors : undefined;
      });
      const smallAt = Date.now() - started;
      assert.ok(
        smallErrors.some((d) => (typeof d.code === 'object' ? d.code.value : d.code) === 'invalid-module'),
        JSON.stringify(smallErrors),
      );

      const whole = await waitFor(
        'the whole text of large.wasm',
        () => {
          const text = document.getText();
          return text.startsWith('(module') ? text : undefined;
        },
        180_000,
      );
      const wholeAt = Date.now() - started;
      assert.match(whole, /^ {2}\(func \$func19999$/m);
      assert.match(whole, /^ {2}\(data \(i32\.const 0\) "abcdefghijklmnopqrstuvwxyzabcd/m);
      assert.equal(whole.match(/^ {2}\(data /gm)?.length, 12_700);
      assert.ok(firstLinesAt !== undefined, 'the first lines were shown before the whole text');
      // For BENCHMARKS.md ("Large files in the editor"): not asserted, timings are the machine's.
      console.log(
        `      large.wasm (${(module.length / 1048576).toFixed(1)} MiB): view open ${opened} ms, first lines ${firstLinesAt} ms, other file's diagnostics ${smallAt} ms, whole text ${wholeAt} ms`,
      );
    } finally {
      watching.dispose();
    }
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
