/**
 * A component in the `.wasm` view over LSP: the view is the component's text, findings sit on the
 * import lines, and hovering an import shows the interface (functions with WIT signatures, what it
 * does, its capability group, the policy's verdict down to single functions). The module summary
 * says which world the component fits.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModuleSummary } from '../../server/src/protocol/moduleSummary';
import { LspTestClient, REPO_ROOT } from '../support/lspClient';

const POLICY = `{
  "imports": {
    "capabilities": ["io", "environment", "process", "clock"],
    "allow": ["wasi:filesystem/*"],
    "deny": ["wasi:filesystem/types@0.2.*#[method]descriptor.append-via-stream"],
    "otherwise": "deny"
  }
}
`;

type Diagnostic = { code?: string | number; message: string; range: { start: { line: number } } };

describe('a component in the .wasm view over LSP', function () {
  this.timeout(60_000);
  let root: string;
  let client: LspTestClient;
  let wasmUri: string;

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-component-view-'));
    fs.writeFileSync(path.join(root, 'wasm-policy.json'), POLICY);
    fs.copyFileSync(
      path.join(REPO_ROOT, 'test', 'fixtures', 'components', 'hello.component.wasm'),
      path.join(root, 'hello.wasm'),
    );
    wasmUri = pathToFileURL(path.join(root, 'hello.wasm')).href;
    client = new LspTestClient();
    await client.initialize(root, { workspace: { configuration: true, workspaceFolders: true } });
  });
  afterEach(() => {
    client.kill();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('shows the component text with the finding on its import line, and hovers the import', async () => {
    const { text, kind } = await client.connection.sendRequest<{ text: string; kind: string }>(
      'wasmWarden/wasmText',
      { uri: wasmUri },
    );
    assert.equal(kind, 'component');
    const lines = text.split('\n');
    const typesLine = lines.findIndex((l) =>
      l.startsWith('  (import "wasi:filesystem/types@0.2.12" (instance'),
    );
    assert.ok(typesLine > 0, 'the import line is printed as wasm-tools prints it');
    const viewUri = `wasm-warden:${new URL(wasmUri).pathname}.wat`;
    await client.open(viewUri, text);
    const published = await client.waitForDiagnostics(viewUri, (d) =>
      d.diagnostics.some((x: Diagnostic) => x.code === 'disallowed-import'),
    );
    const denied = published.diagnostics.filter((x: Diagnostic) => x.code === 'disallowed-import');
    assert.deepEqual(
      denied.map((d: Diagnostic) => [d.range.start.line, /descriptor\.append-via-stream/.test(d.message)]),
      [[typesLine, true]],
    );

    const hover = await client.connection.sendRequest<{ contents: { value: string } } | null>(
      'textDocument/hover',
      { textDocument: { uri: viewUri }, position: { line: typesLine, character: 6 } },
    );
    const value = hover?.contents.value ?? '';
    assert.match(value, /\*\*import\*\* `wasi:filesystem\/types@0\.2\.12` \(instance\)/);
    assert.match(value, /WASI `wasi:filesystem\/types`: Opens, reads, writes/);
    assert.match(value, /Capability: `filesystem`/);
    assert.match(value, /Policy: ✅ allowed by/);
    assert.match(value, /- `\[method\]descriptor\.append-via-stream`: ⛔ denied by/);
    assert.match(
      value,
      /\n\[method\]descriptor\.write-via-stream: func\(self: borrow<descriptor>, offset: filesize\) -> result<output-stream, error-code>\n/,
    );
    assert.match(value, /- `\[method\]descriptor\.get-type`: Tells whether the descriptor is a file/);

    const summary = await client.connection.sendRequest<ModuleSummary | null>('wasmWarden/moduleSummary', {
      uri: wasmUri,
    });
    assert.equal(summary?.world, 'component, world wasi:cli/command@0.2.12');
    assert.match(summary?.text ?? '', /^component, world wasi:cli\/command@0\.2\.12 · /);
  });
});
