import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspTestClient, REPO_ROOT } from '../support/lspClient';

const isPolicyDiagnostic = (d: { source?: string; code?: string | number }) => d.code === 'policy-error';

describe('policy files over LSP', function () {
  let client: LspTestClient;
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-policy-lsp-'));
    client = new LspTestClient();
  });
  afterEach(() => {
    client.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes located problems in an open policy and clears them when fixed', async () => {
    await client.initialize(dir);
    const uri = pathToFileURL(path.join(dir, 'wasm-policy.json')).href;
    await client.open(
      uri,
      '{\n  "imports": { "allow": ["wasi_snapshot_preview1.fd_wrte"] },\n  "memroy": {}\n}\n',
      'json',
    );
    const broken = await client.waitForDiagnostics(
      uri,
      (d) => d.diagnostics.length === 2 && d.diagnostics.every(isPolicyDiagnostic),
    );
    const [fn, key] = broken.diagnostics;
    assert.equal(
      fn.message,
      'Unknown WASI function "fd_wrte" in wasi_snapshot_preview1. Did you mean "fd_write"?',
    );
    assert.deepEqual(fn.range, { start: { line: 1, character: 25 }, end: { line: 1, character: 57 } });
    assert.equal(fn.severity, 1);
    assert.equal(fn.source, 'wasm-warden');
    assert.match(key.message, /Unknown key "memroy" in a policy\. Did you mean "memory"\?/);
    assert.deepEqual(key.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 10 } });

    // Each "Did you mean" has its quick fix, replacing just the misspelt word.
    type Fix = {
      title: string;
      edit: { changes: Record<string, Array<{ range: unknown; newText: string }>> };
    };
    const fixesFor = (diagnostic: (typeof broken.diagnostics)[number]) =>
      client.connection.sendRequest<Fix[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: diagnostic.range,
        context: { diagnostics: [diagnostic] },
      });
    const [fnFix] = await fixesFor(fn);
    assert.equal(fnFix.title, 'Change "fd_wrte" to "fd_write"');
    assert.deepEqual(fnFix.edit.changes[uri], [
      { range: { start: { line: 1, character: 49 }, end: { line: 1, character: 56 } }, newText: 'fd_write' },
    ]);
    const [keyFix] = await fixesFor(key);
    assert.equal(keyFix.title, 'Change "memroy" to "memory"');
    assert.deepEqual(keyFix.edit.changes[uri], [
      { range: { start: { line: 2, character: 3 }, end: { line: 2, character: 9 } }, newText: 'memory' },
    ]);

    await client.change(
      uri,
      2,
      '{\n  "imports": { "allow": ["wasi_snapshot_preview1.fd_write"] },\n  "memory": {}\n}\n',
    );
    await client.waitForDiagnostics(uri, (d) => d.version === 2 && d.diagnostics.length === 0);
  });

  it('re-checks a policy when the policy it extends changes in the editor', async () => {
    await client.initialize(dir);
    fs.writeFileSync(path.join(dir, 'base.json'), '{}');
    const uri = pathToFileURL(path.join(dir, 'wasm-policy.json')).href;
    const baseUri = pathToFileURL(path.join(dir, 'base.json')).href;
    await client.open(uri, '{ "extends": "base.json" }', 'json');
    await client.open(baseUri, '{ "memory": { "maxPages": "lots" } }', 'json');
    const broken = await client.waitForDiagnostics(uri, (d) =>
      d.diagnostics.some((x) => /extends is broken/.test(x.message)),
    );
    assert.deepEqual(broken.diagnostics[0].range, {
      start: { line: 0, character: 13 },
      end: { line: 0, character: 24 },
    });
    await client.change(baseUri, 2, '{ "memory": { "maxPages": 4 } }');
    await client.waitForDiagnostics(uri, (d) => d.diagnostics.length === 0);
  });

  it('survives hostile policy text and keeps serving', async () => {
    await client.initialize(dir);
    const uri = pathToFileURL(path.join(dir, 'wasm-policy.json')).href;
    await client.open(uri, '['.repeat(100_000), 'json');
    const deep = await client.waitForDiagnostics(uri, (d) =>
      d.diagnostics.some((x) => /nests deeper/.test(x.message)),
    );
    assert.equal(deep.diagnostics.length, 1);
    await client.change(uri, 2, '[]');
    await client.waitForDiagnostics(uri, (d) =>
      d.diagnostics.some((x) => /this file is an array/.test(x.message)),
    );
  });

  it('editing a policy over LSP changes the diagnostics of a module it governs', async () => {
    fs.writeFileSync(path.join(dir, 'wasm-policy.json'), '{ "imports": { "allow": ["env.*"] } }');
    const moduleText =
      '(module\n  (import "env" "log" (func $log (param i32)))\n  (import "env" "now" (func $now (result i64))))\n';
    fs.writeFileSync(path.join(dir, 'm.wat'), moduleText);
    await client.initialize(dir);
    const moduleUri = pathToFileURL(path.join(dir, 'm.wat')).href;
    const policyUri = pathToFileURL(path.join(dir, 'wasm-policy.json')).href;
    await client.open(moduleUri, moduleText);
    await client.waitForDiagnostics(
      moduleUri,
      (d) => !d.diagnostics.some((x) => x.code === 'disallowed-import'),
    );

    await client.open(policyUri, '{ "imports": { "allow": ["env.*"] } }', 'json');
    await client.change(policyUri, 2, '{ "imports": { "allow": ["env.*"], "deny": ["env.now"] } }');
    const denied = await client.waitForDiagnostics(moduleUri, (d) =>
      d.diagnostics.some((x) => x.code === 'disallowed-import'),
    );
    const finding = denied.diagnostics.filter((x) => x.code === 'disallowed-import');
    assert.equal(finding.length, 1);
    assert.match(finding[0].message, /env\.now/);
    assert.equal(finding[0].range.start.line, 2);

    // A broken policy fails closed: both imports denied, plus one finding naming the policy.
    await client.change(policyUri, 3, '{ "imports": { "allow": ["env.*"], "otherwise": "nope" } }');
    const closed = await client.waitForDiagnostics(moduleUri, (d) =>
      d.diagnostics.some((x) => x.code === 'policy-error'),
    );
    assert.equal(closed.diagnostics.filter((x) => x.code === 'policy-error').length, 1);
    assert.equal(closed.diagnostics.filter((x) => x.code === 'disallowed-import').length, 2);

    await client.change(policyUri, 4, '{ "imports": { "allow": ["env.*"] } }');
    await client.waitForDiagnostics(
      moduleUri,
      (d) => !d.diagnostics.some((x) => x.code === 'disallowed-import' || x.code === 'policy-error'),
    );
  });

  const ALLOW_ENV = '{ "imports": { "allow": ["env.*"] } }\n';

  /** A policy file on disk and a `.wat` open under it, importing `env.log`, with no findings yet. */
  async function openUnderPolicyOnDisk(policy: string): Promise<{ policyFile: string; moduleUri: string }> {
    const policyFile = path.join(dir, 'wasm-policy.json');
    fs.writeFileSync(policyFile, policy);
    const moduleText = '(module (import "env" "log" (func (param i32))))\n';
    const moduleUri = pathToFileURL(path.join(dir, 'm.wat')).href;
    fs.writeFileSync(path.join(dir, 'm.wat'), moduleText);
    await client.initialize(dir);
    await client.open(moduleUri, moduleText);
    await client.waitForDiagnostics(moduleUri, (d) => d.diagnostics.length === 0);
    return { policyFile, moduleUri };
  }

  it('reads a policy written in two steps again, though the watcher reported only the first', async () => {
    const policy = ALLOW_ENV;
    const { policyFile, moduleUri } = await openUnderPolicyOnDisk(policy);

    // Half written, reported: the module fails closed.
    fs.writeFileSync(policyFile, policy.slice(0, 20));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: pathToFileURL(policyFile).href, type: 2 }],
    });
    await client.waitForDiagnostics(moduleUri, (d) => d.diagnostics.some((x) => x.code === 'policy-error'));
    // The rest arrives with no event of its own: the server looks again and recovers.
    fs.writeFileSync(policyFile, policy);
    await client.waitForDiagnostics(moduleUri, (d) => d.diagnostics.length === 0);
  });

  it('reads a policy changed on disk again though the client reports nothing (the server watches it)', async () => {
    const { policyFile, moduleUri } = await openUnderPolicyOnDisk(ALLOW_ENV);
    // Put back to deny, as after a quick fix is undone, and no didChangeWatchedFiles follows (a
    // client's watcher can drop or hold events on a busy machine): the import is denied again.
    fs.writeFileSync(policyFile, '{ "imports": { "allow": [], "otherwise": "deny" } }\n');
    const denied = await client.waitForDiagnostics(moduleUri, (d) =>
      d.diagnostics.some((x) => x.code === 'disallowed-import'),
    );
    assert.match(denied.diagnostics.find((x) => x.code === 'disallowed-import')!.message, /env\.log/);
  });

  for (const [kind, make] of [
    ['a FIFO', (file: string) => execFileSync('mkfifo', [file])],
    ['a folder', (file: string) => fs.mkdirSync(file)],
    ['a dangling symbolic link', (file: string) => fs.symlinkSync('nowhere.json', file)],
    ['a symbolic link loop', (file: string) => fs.symlinkSync(path.basename(file), file)],
  ] as const) {
    it(`fails closed for a module whose wasm-policy.json is ${kind}, and keeps answering`, async () => {
      make(path.join(dir, 'wasm-policy.json'));
      const moduleText = '(module (import "env" "log" (func (param i32))))\n';
      const moduleUri = pathToFileURL(path.join(dir, 'm.wat')).href;
      fs.writeFileSync(path.join(dir, 'm.wat'), moduleText);
      await client.initialize(dir);
      await client.open(moduleUri, moduleText);
      const closed = await client.waitForDiagnostics(moduleUri, (d) =>
        d.diagnostics.some((x) => x.code === 'policy-error'),
      );
      assert.match(closed.diagnostics.find((x) => x.code === 'policy-error')!.message, /cannot be read/);
      assert.equal(closed.diagnostics.filter((x) => x.code === 'disallowed-import').length, 1);
      const hover = await client.connection.sendRequest('textDocument/hover', {
        textDocument: { uri: moduleUri },
        position: { line: 0, character: 18 },
      });
      assert.ok(hover, 'the server still answers');
    });
  }

  it('explains WASI names and capabilities on hover', async () => {
    await client.initialize(dir);
    const uri = pathToFileURL(path.join(dir, 'wasm-policy.json')).href;
    await client.open(
      uri,
      '{ "imports": { "allow": ["wasi_snapshot_preview1.path_open"], "capabilities": ["network"] } }',
      'json',
    );
    const fn = await client.connection.sendRequest<{ contents: { value: string } } | null>(
      'textDocument/hover',
      {
        textDocument: { uri },
        position: { line: 0, character: 30 },
      },
    );
    assert.match(fn?.contents.value ?? '', /wasi_snapshot_preview1\.path_open.*capability `filesystem`/);
    assert.match(fn?.contents.value ?? '', /\(param i32 i32 i32 i32 i32 i64 i64 i32 i32\) \(result i32\)/);
    const cap = await client.connection.sendRequest<{ contents: { value: string } } | null>(
      'textDocument/hover',
      {
        textDocument: { uri },
        position: { line: 0, character: 80 },
      },
    );
    assert.match(cap?.contents.value ?? '', /Capability `network`.*sockets/);
    assert.match(cap?.contents.value ?? '', /sock_send/);
  });

  it('generates the least-privilege policy for modules on request', async () => {
    await client.initialize(dir);
    fs.copyFileSync(path.join(REPO_ROOT, 'test/fixtures/policy/hello-wasi.wat'), path.join(dir, 'hello.wat'));
    const result = await client.connection.sendRequest<{ policyUri: string; text: string; exists: boolean }>(
      'wasmWarden/policy/create',
      {
        uris: [pathToFileURL(path.join(dir, 'hello.wat')).href],
      },
    );
    assert.equal(result.policyUri, pathToFileURL(path.join(dir, 'wasm-policy.json')).href);
    assert.equal(result.exists, false);
    assert.match(result.text, /"wasi_snapshot_preview1\.random_get", \/\/ random:/);
    const failed = await client.connection.sendRequest<{ error: string }>('wasmWarden/policy/create', {
      uris: [pathToFileURL(path.join(dir, 'nope.wasm')).href],
    });
    assert.match(failed.error, /nope\.wasm/);
  });
});
