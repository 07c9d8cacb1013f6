import * as assert from 'node:assert/strict';
import { LspTestClient } from '../support/lspClient';

describe('language server over stdio', function () {
  let client: LspTestClient;

  beforeEach(() => {
    client = new LspTestClient();
  });
  afterEach(() => client.kill());

  it('answers initialize, publishes syntax errors, clears them when fixed, and shuts down', async () => {
    const init = await client.initialize();
    assert.equal(init.serverInfo?.name, 'wasm-warden');
    assert.ok(init.capabilities.textDocumentSync);

    const uri = 'file:///tmp/broken.wat';
    await client.open(uri, '(module\n  (func $f (result i32)\n    i32.const 1)\n');
    const broken = await client.waitForDiagnostics(uri, (d) => d.diagnostics.length > 0);
    assert.equal(broken.diagnostics.length, 1);
    assert.equal(broken.diagnostics[0].source, 'wasm-warden');
    assert.equal(broken.diagnostics[0].code, 'syntax-error');
    assert.deepEqual(broken.diagnostics[0].range, {
      start: { line: 0, character: 0 },
      end: { line: 0, character: 1 },
    });
    assert.match(broken.diagnostics[0].message, /never closed/);

    await client.change(uri, 2, '(module\n  (func $f (result i32)\n    i32.const 1))\n');
    const fixed = await client.waitForDiagnostics(uri, (d) => d.version === 2);
    assert.deepEqual(fixed.diagnostics, []);

    assert.equal(await client.shutdown(), 0);
  });

  it('survives binary garbage, invalid UTF-8 and 100,000 nested parentheses, and keeps serving', async () => {
    await client.initialize();
    const garbage = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 256)).toString('utf8');
    await client.open('file:///tmp/garbage.wat', garbage);
    const g = await client.waitForDiagnostics('file:///tmp/garbage.wat');
    assert.ok(g.diagnostics.length > 0 && g.diagnostics.length <= 201, `got ${g.diagnostics.length}`);

    const deep = '('.repeat(100_000) + ')'.repeat(100_000);
    await client.open('file:///tmp/deep.wat', deep);
    const d = await client.waitForDiagnostics('file:///tmp/deep.wat');
    assert.equal(d.diagnostics.length, 1);
    assert.match(d.diagnostics[0].message, /Expected a keyword/);

    await client.open('file:///tmp/ok.wat', '(module)');
    const ok = await client.waitForDiagnostics('file:///tmp/ok.wat');
    assert.deepEqual(ok.diagnostics, []);
  });

  it('says a file is too large to analyse, naming the setting', async () => {
    client.configuration = { wasmWarden: { maxFileSize: 1000 } };
    await client.initialize();
    await client.open('file:///tmp/big.wat', '(module)' + ' '.repeat(2000));
    const big = await client.waitForDiagnostics('file:///tmp/big.wat');
    assert.equal(big.diagnostics.length, 1);
    assert.equal(big.diagnostics[0].code, 'file-too-large');
    assert.match(big.diagnostics[0].message, /wasmWarden\.maxFileSize/);
  });

  it('declines a 50 MB file under the default limit and keeps serving others', async () => {
    await client.initialize();
    const huge = '(module ' + '(func (result i32) i32.const 1) '.repeat(1_600_000) + ')';
    await client.open('file:///tmp/huge.wat', huge);
    const published = await client.waitForDiagnostics('file:///tmp/huge.wat');
    assert.deepEqual(
      published.diagnostics.map((d) => d.code),
      ['file-too-large'],
    );
    assert.match(published.diagnostics[0].message, /48\.8 MiB, above the limit of 32\.0 MiB/);
    await client.open('file:///tmp/after.wat', '(module (memory 1))');
    const after = await client.waitForDiagnostics('file:///tmp/after.wat');
    assert.ok(after.diagnostics.some((d) => d.code === 'memory-limit'));
  });
});
