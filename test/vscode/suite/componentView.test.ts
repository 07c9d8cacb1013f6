/**
 * A component in the `.wasm` view, through the `vscode` API only: the view prints the component
 * (its imports as `wasm-tools print` writes them), the policy's finding sits on the import line,
 * hovering the import shows the interface's functions and the verdict, and "Show Component World
 * (WIT)" opens the world as a read-only WIT document.
 *
 * Fixture (test/vscode/workspace/component/): hello.wasm is test/fixtures/components/
 * hello.component.wasm (a C command built with wasi-sdk and the preview1 adapter), with a policy
 * that denies one function of wasi:filesystem/types.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { hoverText, waitFor, workspaceFile } from '../helpers';

function viewUri(file: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({ scheme: 'wasm-warden', path: `${file.path}.wat` });
}

describe('a component in the .wasm view', function () {
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('prints the component, places the finding on its import, hovers the import, shows the WIT', async () => {
    const file = workspaceFile('component/hello.wasm');
    const view = viewUri(file);
    const document = await vscode.workspace.openTextDocument(view);
    await vscode.window.showTextDocument(document);
    const text = await waitFor('the component text of hello.wasm', () => {
      const current = document.getText();
      return current.startsWith('(component') ? current : undefined;
    });
    const lines = text.split('\n');
    const line = lines.findIndex((l) =>
      l.startsWith('  (import "wasi:filesystem/types@0.2.12" (instance (;'),
    );
    assert.ok(line > 0, 'the import of wasi:filesystem/types is printed as wasm-tools prints it');
    assert.ok(
      lines.some((l) => /^ {2}\(core module \(;0;\)$/.test(l)),
      'the core modules inside are printed',
    );

    const finding = await waitFor('the denied function on the import line', () =>
      vscode.languages
        .getDiagnostics(view)
        .find((d) => d.code !== undefined && /descriptor\.append-via-stream/.test(d.message)),
    );
    assert.equal(finding.range.start.line, line);
    assert.equal(finding.severity, vscode.DiagnosticSeverity.Error);

    const hover = await waitFor('the hover of the import', async () => {
      const value = await hoverText(view, new vscode.Position(line, 6));
      return value.includes('**import**') ? value : undefined;
    });
    assert.match(hover, /Capability: `filesystem`/);
    assert.match(hover, /`\[method\]descriptor\.append-via-stream`: ⛔ denied/);
    assert.match(
      hover,
      /\[method\]descriptor\.write-via-stream: func\(self: borrow<descriptor>, offset: filesize\)/,
    );

    const wit = await vscode.commands.executeCommand<vscode.TextDocument | undefined>(
      'wasmWarden.showComponentWit',
      view,
    );
    assert.ok(wit, 'the command returns the WIT document');
    assert.equal(wit.languageId, 'wit');
    assert.equal(wit.uri.scheme, 'wasm-warden-wit');
    assert.match(wit.getText(), /^\/\/ The world of hello\.wasm, decoded by Wasm Warden \(read-only\)\./);
    assert.match(wit.getText(), /world root \{\n\s+import wasi:cli\/environment@0\.2\.12;/);
    assert.match(wit.getText(), /export wasi:cli\/run@0\.2\.12;/);
  });
});
