/**
 * A large `.wat` in a real VS Code (issue: a 14 MB text sat at 100% CPU for 18 minutes and held up
 * every other file): its analysis runs beside the editor, a small file opened meanwhile gets its
 * diagnostics, and the large one gets its complete findings, validation included, although its
 * flat nesting is past what wabt's parser copes with.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { errorsFrom, waitFor, workspaceFile } from '../helpers';

/**
 * About 14 MB of text: `functions` functions of 50 lines each, one with flat blocks nested 300
 * deep (as SQLite's VDBE switch in sql.js's `wasm2wat` print), and a last one with a type error.
 */
function largeWat(functions: number): string {
  const parts = [
    '(module\n  (import "env" "system" (func $system (param i32) (result i32)))\n  (memory 1)\n',
  ];
  let body = '';
  for (let k = 0; k < 12; k++)
    body += `    local.get 0\n    i32.const ${k * 7919}\n    i32.add\n    local.set 0\n`;
  for (let i = 0; i < functions; i++)
    parts.push(`  (func $f${i} (param i32) (result i32)\n${body}    local.get 0\n  )\n`);
  parts.push(`  (func $deep\n${'    block\n'.repeat(300)}${'    end\n'.repeat(300)}  )\n`);
  parts.push('  (func $bad (result i32)\n    i64.const 1\n  )\n)\n');
  return parts.join('');
}

function codeOf(diagnostic: vscode.Diagnostic): string | number | undefined {
  return typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
}

describe('large text', function () {
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('checks a 14 MB .wat completely while a small .wat opened after it gets its diagnostics', async () => {
    await vscode.workspace.fs.createDirectory(workspaceFile('large'));
    const big = workspaceFile('large/big.wat');
    const text = largeWat(17_000);
    await vscode.workspace.fs.writeFile(big, new TextEncoder().encode(text));
    const started = Date.now();
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(big));
    const bigShown = Date.now();

    const small = workspaceFile('large/small.wat');
    await vscode.workspace.fs.writeFile(
      small,
      new TextEncoder().encode('(module (func (result i32) (i64.const 1)))\n'),
    );
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(small), { preview: false });
    const smallShown = Date.now();
    const smallErrors = await waitFor('diagnostics on small.wat', () => {
      const errors = errorsFrom(small);
      return errors.length > 0 ? errors : undefined;
    });
    const smallAt = Date.now() - smallShown;
    assert.ok(
      smallErrors.some((d) => codeOf(d) === 'invalid-module'),
      JSON.stringify(smallErrors),
    );

    // The complete publish: validation found the type error in the last function.
    const bigErrors = await waitFor(
      'the complete diagnostics of big.wat',
      () => {
        const errors = errorsFrom(big);
        return errors.some((d) => codeOf(d) === 'invalid-module') ? errors : undefined;
      },
      180_000,
    );
    const bigAt = Date.now() - bigShown;
    const invalid = bigErrors.find((d) => codeOf(d) === 'invalid-module')!;
    assert.match(invalid.message, /bad|expected i32/);
    // The reader's findings came too: the shell import is located on its line.
    const all = vscode.languages.getDiagnostics(big).filter((d) => d.source === 'wasm-warden');
    const shell = all.find((d) => /env\.system/.test(d.message));
    assert.ok(shell, JSON.stringify(all.map((d) => d.message)));
    assert.equal(shell.range.start.line, 1);
    // For BENCHMARKS.md ("Large files in the editor"): not asserted, timings are the machine's.
    console.log(
      `      big.wat (${(text.length / 1048576).toFixed(1)} MiB): shown after ${bigShown - started} ms, its complete diagnostics ${bigAt} ms later; small.wat's diagnostics ${smallAt} ms after it was shown`,
    );
  });
});
