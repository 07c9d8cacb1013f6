import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModuleSummary } from '../../server/src/protocol/moduleSummary';
import { LspTestClient, REPO_ROOT } from '../support/lspClient';

describe('module summary over LSP (status bar, CodeLens, module hover)', function () {
  this.timeout(60_000);
  const folder = path.join(REPO_ROOT, 'examples', 'signed');
  let client: LspTestClient;
  beforeEach(() => (client = new LspTestClient()));
  afterEach(() => client.kill());

  const summaryOf = async (file: string) => {
    const uri = pathToFileURL(path.join(folder, file)).href;
    await client.waitForDiagnostics(uri);
    return client.connection.sendRequest<ModuleSummary | null>('wasmWarden/moduleSummary', { uri });
  };

  it('names the signer, whether its key is trusted, and what it covers', async () => {
    await client.initialize(folder);
    const signed = await summaryOf('hello.wasm');
    assert.equal(signed?.signature.status, 'valid');
    assert.deepEqual(
      signed?.signature.signers.map((s) => [s.keyId, s.trusted, /^the whole module/.test(s.covers)]),
      [['demo-release', true, true]],
    );
    assert.deepEqual(signed?.capabilities, ['io']);
    assert.equal(signed?.policy.path, path.join(folder, 'wasm-policy.json'));
    assert.match(signed?.text ?? '', /^io · valid \(demo-rel ✓\) · signed\/wasm-policy\.json$/);

    const unsigned = await summaryOf('unsigned.wasm');
    assert.equal(unsigned?.signature.status, 'unsigned');
    assert.equal(unsigned?.errors, 1);
  });
});
