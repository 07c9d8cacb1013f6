// The signing requests as an LSP client sees them: the bundled server (dist/server.js, built by
// `npm run build`) answers sign / verify / generate-key-pair over stdio.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspTestClient } from '../support/lspClient';
import {
  GenerateKeyPairRequest,
  SignModuleRequest,
  VerifySignatureRequest,
  type GenerateKeyPairResult,
  type SignModuleResult,
  type VerifySignatureResult,
} from '../../server/src/protocol/signing';
import { SIGNING_VECTORS } from './signingVectors';

describe('signing: requests to the bundled language server', function () {
  let client: LspTestClient;
  let dir: string;
  beforeEach(() => {
    client = new LspTestClient();
    dir = mkdtempSync(path.join(tmpdir(), 'warden-lsp-sign-'));
    copyFileSync(path.join(SIGNING_VECTORS, 'modules', '00_unsigned.wasm'), path.join(dir, 'm.wasm'));
  });
  afterEach(() => {
    client.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates a key pair, signs, verifies, and answers bad requests with error values', async () => {
    await client.initialize(dir);
    const at = (name: string) => path.join(dir, name);
    const uri = pathToFileURL(at('m.wasm')).href;
    const keys = await client.connection.sendRequest<GenerateKeyPairResult>(GenerateKeyPairRequest.method, {
      secretKeyPath: at('k.key.pem'),
      publicKeyPath: at('k.pub.pem'),
      format: 'pem',
      passphrase: 'secret words',
    });
    assert.equal(keys.ok, true);
    const noPassphrase = await client.connection.sendRequest<SignModuleResult>(SignModuleRequest.method, {
      uri,
      secretKeyPaths: [at('k.key.pem')],
      mode: 'embedded',
    });
    assert.equal(!noPassphrase.ok && noPassphrase.needsPassphrase, true);
    const signed = await client.connection.sendRequest<SignModuleResult>(SignModuleRequest.method, {
      uri,
      secretKeyPaths: [at('k.key.pem')],
      passphrase: 'secret words',
      mode: 'embedded',
      keyId: 'release-2026',
    });
    assert.equal(signed.ok, true);
    const verified = await client.connection.sendRequest<VerifySignatureResult>(
      VerifySignatureRequest.method,
      {
        uri,
        publicKeyPaths: [at('k.pub.pem')],
      },
    );
    assert.ok(verified.ok);
    assert.equal(verified.report.status, 'valid');
    assert.equal(verified.report.signatures[0].keyIdText, 'release-2026');
    const broken = await client.connection.sendRequest<SignModuleResult>(SignModuleRequest.method, { uri });
    assert.equal(broken.ok, false);
  });
});
