/**
 * Navigation in a real VS Code, through the `vscode` API only: Go to Definition on a call, the
 * references of an import (its call sites), and the Outline (document symbols) of a `.wat`.
 *
 * Fixture: test/vscode/workspace/navigation/calls.wat (handle → $parse → $log → fd_write).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openFixture, waitFor } from '../helpers';

/** Where `needle` starts on the first line that holds it (plus `offset` characters). */
function positionOf(document: vscode.TextDocument, needle: string, offset = 1): vscode.Position {
  const at = document.getText().indexOf(needle);
  assert.ok(at >= 0, `${needle} is in the fixture`);
  return document.positionAt(at + offset);
}

describe('navigation', function () {
  afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('goes to the definition of a called function', async () => {
    const { document } = await openFixture('navigation/calls.wat');
    const call = positionOf(document, '(call $parse', 8);
    const locations = await waitFor('a definition of $parse', async () => {
      const found = await vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink>>(
        'vscode.executeDefinitionProvider',
        document.uri,
        call,
      );
      return found?.length ? found : undefined;
    });
    const [first] = locations;
    const range = 'targetRange' in first ? first.targetRange : first.range;
    assert.equal(range.start.line, document.positionAt(document.getText().indexOf('(func $parse')).line);
  });

  it('lists the call sites of an import as its references', async () => {
    const { document } = await openFixture('navigation/calls.wat');
    const declared = positionOf(document, '$fd_write', 2);
    const references = await waitFor('references of $fd_write', async () => {
      const found = await vscode.commands.executeCommand<vscode.Location[]>(
        'vscode.executeReferenceProvider',
        document.uri,
        declared,
      );
      return found?.length ? found : undefined;
    });
    const callLine = document.positionAt(document.getText().indexOf('(call $fd_write')).line;
    assert.ok(
      references.some((r) => r.range.start.line === callLine),
      `a reference on line ${callLine}: ${JSON.stringify(references.map((r) => r.range.start.line))}`,
    );
  });

  it('shows imports, memory and functions in the Outline', async () => {
    const { document } = await openFixture('navigation/calls.wat');
    const symbols = await waitFor('document symbols', async () => {
      const found = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>(
        'vscode.executeDocumentSymbolProvider',
        document.uri,
      );
      return found?.length ? found : undefined;
    });
    const names = (list: vscode.DocumentSymbol[]): string[] =>
      list.flatMap((s) => [`${s.name} ${s.detail}`, ...names(s.children ?? [])]);
    const all = names(symbols).join('\n');
    for (const expected of ['$fd_write', '$log', '$parse', 'handle'])
      assert.ok(all.includes(expected), `${expected} in the Outline:\n${all}`);
  });
});
