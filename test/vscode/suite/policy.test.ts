/**
 * Policy files through the `vscode` API only: "Create Policy from Module" writes the least-privilege
 * policy next to a module and its findings go; a misspelt WASI name in the policy gets a diagnostic
 * at its exact range with "did you mean"; hover over a WASI name says what it grants.
 * Fixture: policy-files/app/tool.wat (two WASI imports) under policy-files/wasm-policy.json, which denies every import.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openFixture, waitFor, workspaceFile } from '../helpers';

const ours = (uri: vscode.Uri, code?: string) =>
  vscode.languages
    .getDiagnostics(uri)
    .filter(
      (d) =>
        d.source === 'wasm-warden' &&
        (code === undefined || d.code === code || (d.code as { value?: string })?.value === code),
    );

describe('policy files', function () {
  this.timeout(60_000);

  it('creates the least-privilege policy from a module, which then allows its imports', async () => {
    const editor = await openFixture('policy-files/app/tool.wat');
    const uri = editor.document.uri;
    await waitFor('both imports denied by the policy above', () =>
      ours(uri, 'disallowed-import').length === 2 ? true : undefined,
    );

    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'wasmWarden.createPolicy',
      uri,
    );
    assert.equal(written?.toString(), workspaceFile('policy-files/app/wasm-policy.json').toString());
    const text = (await vscode.workspace.openTextDocument(written)).getText();
    assert.match(text, /"wasi_snapshot_preview1\.fd_write", \/\/ io:/);
    assert.match(text, /"wasi_snapshot_preview1\.clock_time_get" \/\/ clock:/);
    assert.match(text, /"maxPages": 4,/);
    await waitFor('no disallowed imports under the generated policy', () =>
      ours(uri, 'disallowed-import').length === 0 ? true : undefined,
    );
  });

  it('marks a misspelt WASI name in the policy at its range, and explains WASI names on hover', async () => {
    const policyUri = workspaceFile('policy-files/app/wasm-policy.json');
    const policy = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(policyUri));
    const at = policy.document.getText().indexOf('fd_write');
    assert.ok(at > 0);
    const typo = new vscode.WorkspaceEdit();
    typo.replace(
      policyUri,
      new vscode.Range(policy.document.positionAt(at), policy.document.positionAt(at + 'fd_write'.length)),
      'fd_wrte',
    );
    assert.ok(await vscode.workspace.applyEdit(typo));
    const [problem] = await waitFor('the misspelt name marked', () => {
      const found = ours(policyUri).filter((d) => /fd_wrte/.test(d.message));
      return found.length ? found : undefined;
    });
    assert.equal(
      problem.message,
      'Unknown WASI function "fd_wrte" in wasi_snapshot_preview1. Did you mean "fd_write"?',
    );
    const start = policy.document.positionAt(at - '"wasi_snapshot_preview1.'.length);
    assert.deepEqual(
      [problem.range.start.line, problem.range.start.character],
      [start.line, start.character],
    );
    assert.equal(problem.range.end.character, start.character + '"wasi_snapshot_preview1.fd_wrte"'.length);
    const fixes = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      policyUri,
      problem.range,
    );
    const rename = fixes.find((f) => f.title === 'Change "fd_wrte" to "fd_write"');
    assert.ok(rename?.edit, fixes.map((f) => f.title).join(', '));
    assert.equal(rename.kind?.value, vscode.CodeActionKind.QuickFix.value);

    const clockAt = policy.document.positionAt(policy.document.getText().indexOf('clock_time_get'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      policyUri,
      clockAt,
    );
    const texts = hovers
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)))
      .join('\n');
    assert.match(texts, /capability `clock`/);

    await vscode.commands.executeCommand('undo');
    await waitFor('the problem to go after undo', () => (ours(policyUri).length === 0 ? true : undefined));
    await policy.document.save();
  });

  it('opens wasm-policy.json as JSON with comments: no "Comments are not permitted"', async () => {
    const policyUri = workspaceFile('policy-jsonc/wasm-policy.json');
    const text = [
      '{',
      '  // Comments explain a policy; VS Code must not flag them.',
      '  "imports": { "allow": [], "otherwise": "deny" }, /* trailing comma next */',
      '  "memroy": { "maxPages": 4 },',
      '}',
      '',
    ].join('\n');
    await vscode.workspace.fs.writeFile(policyUri, new TextEncoder().encode(text));
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(policyUri));
    assert.equal(editor.document.languageId, 'jsonc');
    // VS Code's JSON service publishes all its problems at once: once the schema's complaint about
    // "memroy" is there, a complaint about the comments would be too.
    const fromJson = await waitFor('the JSON schema problem on "memroy"', () => {
      const found = vscode.languages.getDiagnostics(policyUri).filter((d) => d.source !== 'wasm-warden');
      return found.some((d) => /memroy/.test(d.message)) ? found : undefined;
    });
    assert.deepEqual(
      fromJson.filter((d) => /[Cc]omments|[Tt]railing comma/.test(d.message)).map((d) => d.message),
      [],
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('merges into an existing policy: extends, deny, rules and comments kept, dangerous grants marked', async () => {
    const write = (file: string, text: string) =>
      vscode.workspace.fs.writeFile(workspaceFile(file), new TextEncoder().encode(text));
    const existing = [
      '{',
      '  // Reviewed by security: no sockets.',
      '  "extends": "../wasm-policy.json",',
      '  "imports": {',
      '    "allow": ["wasi_snapshot_preview1.fd_write"],',
      '    "deny": ["wasi_snapshot_preview1.sock_*"]',
      '  },',
      '  "rules": { "debug-info": "off" }',
      '}',
      '',
    ].join('\n');
    await write('policy-merge/wasm-policy.json', existing);
    await write(
      'policy-merge/net.wat',
      [
        '(module',
        '  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))',
        '  (import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))',
        '  (import "wasi_snapshot_preview1" "sock_send" (func (param i32 i32 i32 i32 i32) (result i32))))',
        '',
      ].join('\n'),
    );
    const module = await openFixture('policy-merge/net.wat');
    await waitFor('path_open and sock_send denied', () =>
      ours(module.document.uri, 'disallowed-import').length === 2 ? true : undefined,
    );

    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'wasmWarden.createPolicy',
      module.document.uri,
    );
    const policy = await vscode.workspace.openTextDocument(written!);
    assert.ok(policy.isDirty, 'the merge is an unsaved edit to review');
    const text = policy.getText();
    for (const kept of [
      '// Reviewed by security: no sockets.',
      '"extends": "../wasm-policy.json"',
      '"deny": ["wasi_snapshot_preview1.sock_*"]',
      '"rules": { "debug-info": "off" }',
    ])
      assert.ok(text.includes(kept), `kept ${kept}:\n${text}`);
    assert.match(text, /"wasi_snapshot_preview1\.path_open" \/\* DANGEROUS \(grants filesystem access\)/);
    assert.ok(!text.includes('sock_send'), 'a denied import is not granted');
    const [left] = await waitFor('only sock_send denied under the merged policy', () => {
      const found = ours(module.document.uri, 'disallowed-import');
      return found.length === 1 ? found : undefined;
    });
    assert.match(left.message, /sock_send/);
    await policy.save();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
