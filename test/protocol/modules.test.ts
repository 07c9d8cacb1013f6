import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileWat } from '../../server/src/core/wat/compile';
import { LspTestClient } from '../support/lspClient';

const POLICY = `{
  // protocol test policy
  "imports": {
    "allow": ["wasi_snapshot_preview1.fd_write"],
    "otherwise": "deny"
  },
  "memory": { "maxPages": 16, "requireMaximum": true }
}
`;

const MODULE = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory 1 64)
  (func $main (export "_start")))
`;

type Diagnostic = {
  code?: string | number;
  message: string;
  range: { start: { line: number; character: number } };
  data?: unknown;
};
type CodeAction = {
  title: string;
  edit?: { changes: Record<string, Array<{ range: unknown; newText: string }>> };
  command?: { command: string; arguments?: unknown[] };
};

describe('module analysis over LSP', function () {
  this.timeout(60_000);
  let root: string;
  let client: LspTestClient;
  let watUri: string;
  let policyUri: string;

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-lsp-'));
    fs.writeFileSync(path.join(root, 'wasm-policy.json'), POLICY);
    fs.writeFileSync(path.join(root, 'plugin.wat'), MODULE);
    const compiled = await compileWat(MODULE);
    assert.ok(compiled.bytes);
    fs.mkdirSync(path.join(root, 'build'));
    fs.writeFileSync(path.join(root, 'build', 'plugin.wasm'), compiled.bytes);
    watUri = pathToFileURL(path.join(root, 'plugin.wat')).href;
    policyUri = pathToFileURL(path.join(root, 'wasm-policy.json')).href;
    client = new LspTestClient();
    await client.initialize(root, { workspace: { configuration: true, workspaceFolders: true } });
  });
  /**
   * A barrier instead of a sleep: edits a document to its next version and waits for that
   * version's publish. The server handles a document's versions in order, so whatever it was
   * going to publish for the earlier ones has been sent (and read, one pipe) by then.
   */
  async function nextVersionPublished(uri: string, version: number, text: string): Promise<void> {
    await client.change(uri, version, text);
    await client.waitForDiagnostics(uri, (d) => d.version === version);
  }

  afterEach(() => {
    client.kill();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const codes = (d: { diagnostics: Diagnostic[] }) => d.diagnostics.map((x) => x.code).sort();

  it('checks a .wat against the policy next to it, with the import located', async () => {
    await client.open(watUri, MODULE);
    const published = await client.waitForDiagnostics(watUri, (d) =>
      d.diagnostics.some((x) => x.code === 'disallowed-import'),
    );
    const denied = published.diagnostics.filter((d) => d.code === 'disallowed-import');
    assert.equal(denied.length, 1);
    assert.match(denied[0].message, /path_open/);
    assert.equal(denied[0].range.start.line, 2);
    assert.ok(!published.diagnostics.some((d) => d.code === 'syntax-error'));
  });

  it('finds and checks every .wasm in the workspace, git-ignored build folders included', async () => {
    fs.writeFileSync(path.join(root, '.gitignore'), 'build/\n');
    const wasmUri = pathToFileURL(path.join(root, 'build', 'plugin.wasm')).href;
    const published = await client.waitForDiagnostics(wasmUri, (d) => d.diagnostics.length > 0);
    const denied = published.diagnostics.filter((d) => d.code === 'disallowed-import');
    assert.equal(denied.length, 1);
    assert.match(denied[0].message, /path_open.*\(at byte 0x[0-9a-f]+\)$/);
  });

  it('scans the rootUri of a client that has no workspace folders', async () => {
    const bare = new LspTestClient();
    try {
      await bare.connection.sendRequest('initialize', {
        processId: process.pid,
        rootUri: pathToFileURL(root).href,
        capabilities: {},
      });
      await bare.connection.sendNotification('initialized', {});
      const wasmUri = pathToFileURL(path.join(root, 'build', 'plugin.wasm')).href;
      const published = await bare.waitForDiagnostics(wasmUri, (d) => d.diagnostics.length > 0);
      assert.ok(published.diagnostics.some((d) => d.code === 'disallowed-import'));
    } finally {
      bare.kill();
    }
  });

  it('checks many distinct .wasm files on worker threads under the policy as edited, unsaved', async () => {
    // Distinct bytes (a custom section each), so no result is reused from the content cache.
    const original = fs.readFileSync(path.join(root, 'build', 'plugin.wasm'));
    const uris = Array.from({ length: 12 }, (_, i) => {
      const name = Buffer.from(`\u0004copy${i}`, 'latin1');
      const file = path.join(root, 'build', `copy${i}.wasm`);
      fs.writeFileSync(file, Buffer.concat([original, Buffer.from([0, name.length]), name]));
      return pathToFileURL(file).href;
    });
    const scanned = new LspTestClient();
    const deniedIn = (d: { diagnostics: Diagnostic[] }) =>
      d.diagnostics.filter((x) => x.code === 'disallowed-import').length;
    try {
      await scanned.initialize(root, { workspace: { configuration: true, workspaceFolders: true } });
      for (const uri of uris) await scanned.waitForDiagnostics(uri, (d) => deniedIn(d) === 1);
      await scanned.open(policyUri, POLICY, 'jsonc');
      await scanned.change(policyUri, 2, POLICY.replace('"otherwise": "deny"', '"otherwise": "allow"'));
      for (const uri of uris) await scanned.waitForDiagnostics(uri, (d) => deniedIn(d) === 0);
      await scanned.change(policyUri, 3, '{ "imports": { "allow": [ }');
      for (const uri of uris) {
        const broken = await scanned.waitForDiagnostics(uri, (d) =>
          d.diagnostics.some((x) => x.code === 'policy-error'),
        );
        assert.equal(deniedIn(broken), 2, 'the strict fallback denies both imports');
      }
    } finally {
      scanned.kill();
    }
  });

  it('re-checks governed modules when the policy is edited over LSP', async () => {
    await client.open(watUri, MODULE);
    await client.waitForDiagnostics(watUri, (d) => d.diagnostics.some((x) => x.code === 'disallowed-import'));
    await client.open(policyUri, POLICY, 'jsonc');
    await client.change(
      policyUri,
      2,
      POLICY.replace('"wasi_snapshot_preview1.fd_write"', '"wasi_snapshot_preview1.*"'),
    );
    await client.waitForDiagnostics(
      watUri,
      (d) => !d.diagnostics.some((x) => x.code === 'disallowed-import'),
    );
    await client.change(policyUri, 3, '{ "imports": { "allow": [ }');
    const broken = await client.waitForDiagnostics(watUri, (d) =>
      d.diagnostics.some((x) => x.code === 'policy-error'),
    );
    // Failing closed: the strict policy denies both imports.
    assert.equal(broken.diagnostics.filter((x) => x.code === 'disallowed-import').length, 2);
  });

  it('publishes exactly the diagnostics of the last version after 200 rapid edits', async () => {
    await client.open(watUri, MODULE);
    for (let version = 2; version <= 201; version++) {
      // Odd versions are broken, even ones fine; the last (201) is broken.
      const text = version % 2 === 1 ? MODULE.replace('(memory 1 64)', '(memory 1 64') : MODULE;
      await client.change(watUri, version, text);
    }
    const last = await client.waitForDiagnostics(watUri, (d) => d.version === 201);
    assert.ok(last.diagnostics.some((d) => d.code === 'syntax-error'));
    await nextVersionPublished(watUri, 202, MODULE);
    // Nothing older came after version 201 (stale work published late would override it).
    const history = client.publishHistory.filter((p) => p.uri === watUri);
    const first201 = history.findIndex((p) => p.version === 201);
    assert.deepEqual(
      history.slice(first201).filter((p) => (p.version ?? 0) < 201),
      [],
      'no stale publish after the last version',
    );
  });

  it('ends each version with one publish that holds the rules and wabt findings together', async () => {
    // The reader's and body-free rules' findings are published before wabt validates; the last
    // publish of the version must still carry them next to wabt's.
    const invalid = MODULE.replace(
      '(func $main (export "_start"))',
      '(func $main (export "_start") i64.const 1)',
    );
    await client.open(watUri, MODULE);
    await client.change(watUri, 2, invalid);
    const last = await client.waitForDiagnostics(
      watUri,
      (d) => d.version === 2 && d.diagnostics.some((x) => x.code === 'invalid-module'),
    );
    assert.ok(last.diagnostics.some((x) => x.code === 'disallowed-import'));
    assert.ok(last.diagnostics.some((x) => x.code === 'memory-limit'));
    await nextVersionPublished(watUri, 3, MODULE);
    const ofVersion2 = client.publishHistory.filter((p) => p.uri === watUri && p.version === 2);
    assert.equal(ofVersion2.at(-1), last, 'nothing was published for version 2 after its complete publish');
  });

  it('publishes a small .wat once per version, a big one first without wabt, then complete', async () => {
    const invalid = (text: string) =>
      text.replace('(func $main (export "_start"))', '(func $main (export "_start") i64.const 1)');
    const versionsOf = (uri: string, version: number) =>
      client.publishHistory.filter((p) => p.uri === uri && p.version === version);
    await client.open(watUri, MODULE);
    await client.change(watUri, 2, invalid(MODULE));
    await client.waitForDiagnostics(watUri, (d) => d.version === 2 && d.diagnostics.length > 0);
    await nextVersionPublished(watUri, 3, MODULE);
    assert.equal(versionsOf(watUri, 2).length, 1, 'a small file: one publish, so nothing blinks');

    // Past 256 KB the reader's findings go out before wabt's validation.
    const padding = `;; ${'x'.repeat(1000)}\n`.repeat(300);
    const big = MODULE + padding;
    const bigUri = pathToFileURL(path.join(root, 'big.wat')).href;
    await client.open(bigUri, big);
    await client.change(bigUri, 2, invalid(big));
    const last = await client.waitForDiagnostics(
      bigUri,
      (d) => d.version === 2 && d.diagnostics.some((x) => x.code === 'invalid-module'),
    );
    const publishes = versionsOf(bigUri, 2);
    assert.equal(publishes.length, 2);
    assert.ok(!publishes[0].diagnostics.some((x) => x.code === 'invalid-module'));
    assert.ok(publishes[0].diagnostics.some((x) => x.code === 'disallowed-import'));
    assert.deepEqual(publishes[1], last);
  });

  it('answers hovers on imports, memories and the module keyword', async () => {
    await client.open(watUri, MODULE);
    await client.waitForDiagnostics(watUri, (d) => d.diagnostics.length > 0);
    const hover = (line: number, character: number) =>
      client.connection.sendRequest<{ contents: { value: string } } | null>('textDocument/hover', {
        textDocument: { uri: watUri },
        position: { line, character },
      });
    const fdWrite = await hover(1, 5);
    assert.match(fdWrite?.contents.value ?? '', /fd_write/);
    assert.match(fdWrite?.contents.value ?? '', /Capability: `io`/);
    assert.match(fdWrite?.contents.value ?? '', /✅ allowed/);
    assert.match(fdWrite?.contents.value ?? '', /wasm-policy\.json:4\]\(file:\/\/.*#L4\)/);
    const pathOpen = await hover(2, 5);
    assert.match(pathOpen?.contents.value ?? '', /⛔ denied/);
    assert.match(pathOpen?.contents.value ?? '', /Capability: `filesystem`/);
    const memory = await hover(3, 4);
    assert.match(memory?.contents.value ?? '', /maximum: 64 pages \(4 MiB\)/);
    assert.match(memory?.contents.value ?? '', /at most 16 pages \(1 MiB\)/);
    const module = await hover(0, 3);
    assert.match(module?.contents.value ?? '', /Capabilities used: `io`, `filesystem`/);
    assert.match(module?.contents.value ?? '', /Policy: \[wasm-policy\.json\]/);
  });

  it('offers quick fixes that edit the policy and the memory maximum', async () => {
    await client.open(watUri, MODULE);
    const published = await client.waitForDiagnostics(watUri, (d) =>
      codes(d as { diagnostics: Diagnostic[] }).includes('memory-limit'),
    );
    const actions = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: watUri },
      range: { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } },
      context: { diagnostics: published.diagnostics },
    });
    const titles = actions.map((a) => a.title);
    const allow = actions.find(
      (a) => a.title === 'Allow wasi_snapshot_preview1.path_open in wasm-policy.json',
    );
    assert.ok(allow, titles.join('\n'));
    const [edit] = allow.edit?.changes[policyUri] ?? [];
    assert.match(edit.newText, /"wasi_snapshot_preview1\.path_open"/);
    const lower = actions.find((a) => a.title.startsWith('Lower the maximum of memory 0 to 16 pages'));
    assert.ok(lower, titles.join('\n'));
    assert.deepEqual(lower.edit?.changes[watUri], [
      { range: { start: { line: 3, character: 12 }, end: { line: 3, character: 14 } }, newText: '16' },
    ]);
    assert.ok(
      titles.some((t) => t === 'Turn off memory-limit for plugin.wat in wasm-policy.json'),
      titles.join('\n'),
    );
  });

  it('applies the allow-import fix and the diagnostic goes', async () => {
    await client.open(watUri, MODULE);
    const published = await client.waitForDiagnostics(watUri, (d) =>
      codes(d as { diagnostics: Diagnostic[] }).includes('disallowed-import'),
    );
    const actions = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: watUri },
      range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } },
      context: { diagnostics: published.diagnostics.filter((d) => d.code === 'disallowed-import') },
    });
    const allow = actions.find((a) => a.title.startsWith('Allow '));
    assert.ok(allow?.edit);
    // Apply the edit as a client would, to the open policy document.
    const { TextDocument } = await import('vscode-languageserver-textdocument');
    const policyDoc = TextDocument.create(policyUri, 'jsonc', 1, POLICY);
    const edited = TextDocument.applyEdits(policyDoc, allow.edit.changes[policyUri] as never);
    assert.match(edited, /\/\/ protocol test policy/); // comments survive
    await client.open(policyUri, edited, 'jsonc');
    await client.waitForDiagnostics(
      watUri,
      (d) => !d.diagnostics.some((x) => x.code === 'disallowed-import'),
    );
  });

  it('lists each .wasm finding once: under the open text view, and back under the file when it closes', async () => {
    const wasmUri = pathToFileURL(path.join(root, 'build', 'plugin.wasm')).href;
    const viewUri = `wasm-warden:${new URL(wasmUri).pathname}.wat`;
    const denied = (d: { diagnostics: Diagnostic[] }) =>
      d.diagnostics.filter((x) => x.code === 'disallowed-import').length;
    await client.waitForDiagnostics(wasmUri, (d) => denied(d) === 1);
    const { text } = await client.connection.sendRequest<{ text: string }>('wasmWarden/wasmText', {
      uri: wasmUri,
    });
    await client.open(viewUri, text);
    const inView = await client.waitForDiagnostics(viewUri, (d) => denied(d) === 1);
    assert.match(inView.diagnostics.find((x) => x.code === 'disallowed-import')!.message, /path_open/);
    await client.waitForDiagnostics(wasmUri, (d) => d.diagnostics.length === 0);

    // A policy change while the view is open reaches the view, and the file stays empty.
    fs.writeFileSync(
      path.join(root, 'wasm-policy.json'),
      POLICY.replace('"otherwise": "deny"', '"otherwise": "allow"'),
    );
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: policyUri, type: 2 }],
    });
    await client.waitForDiagnostics(viewUri, (d) => denied(d) === 0);
    assert.equal(client.published.get(wasmUri)?.diagnostics.length, 0);

    // Closed: nothing stays under the view; the findings are listed under the file again.
    fs.writeFileSync(path.join(root, 'wasm-policy.json'), POLICY);
    await client.close(viewUri);
    await client.waitForDiagnostics(viewUri, (d) => d.diagnostics.length === 0);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: policyUri, type: 2 }],
    });
    await client.waitForDiagnostics(wasmUri, (d) => denied(d) === 1);
    assert.equal(client.published.get(viewUri)?.diagnostics.length, 0);
  });

  it('hovers precisely: nothing over comments, type lines and data; the callee over a call', async () => {
    const text = [
      '(module',
      '  ;; a comment about the module',
      '  (type $t (func))',
      '  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))',
      '  (memory 1 1)',
      '  (data (i32.const 0) "some data string")',
      '  (func $helper (result i32) i32.const 7)',
      '  (func $main (export "_start")',
      '    (drop (call $helper))))',
      '',
    ].join('\n');
    const uri = pathToFileURL(path.join(root, 'precise.wat')).href;
    await client.open(uri, text);
    await client.waitForDiagnostics(uri, (d) => d.diagnostics.some((x) => x.code === 'disallowed-import'));
    const hover = async (line: number, needle: string) => {
      const character = text.split('\n')[line].indexOf(needle) + 1;
      const answer = await client.connection.sendRequest<{ contents: { value: string } } | null>(
        'textDocument/hover',
        { textDocument: { uri }, position: { line, character } },
      );
      return answer?.contents.value;
    };
    assert.equal(await hover(1, 'comment'), undefined);
    assert.equal(await hover(2, 'type'), undefined);
    assert.equal(await hover(5, 'data string'), undefined);
    assert.match((await hover(0, 'module')) ?? '', /Capabilities used/);
    const callee = (await hover(8, '$helper')) ?? '';
    assert.match(callee, /^`func \$helper \(result i32\)`/);
    const denied = (await hover(3, 'path_open')) ?? '';
    assert.match(denied, /Policy: ⛔ denied: matched by no pattern or capability/);
    assert.equal(denied.match(/wasm-policy\.json:\d+/g)?.length, 1, denied);
    assert.doesNotMatch(denied, /denied — denied/);
  });
});
