import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { handleGenerateKeyPair, handleSign, handleVerify } from '../../server/src/features/signing';
import { SIGNING_VECTORS } from './signingVectors';

const VECTORS = SIGNING_VECTORS;

describe('signing: language server requests', () => {
  let dir: string;
  const uri = (name: string) => pathToFileURL(path.join(dir, name)).toString();
  const at = (name: string) => path.join(dir, name);
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'warden-feature-'));
    copyFileSync(path.join(VECTORS, 'modules', '00_unsigned.wasm'), at('m.wasm'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates keys, signs embedded, verifies with given keys; results carry no key material', async () => {
    const keys = await handleGenerateKeyPair({
      secretKeyPath: at('k.sk'),
      publicKeyPath: at('k.pk'),
      format: 'compact',
    });
    assert.equal(keys.ok, true);
    const signed = await handleSign({
      uri: uri('m.wasm'),
      secretKeyPaths: [at('k.sk')],
      mode: 'embedded',
      keyId: 'default',
    });
    assert.equal(signed.ok, true);
    const secretHex = readFileSync(at('k.sk')).subarray(1, 33).toString('hex');
    assert.ok(!JSON.stringify(signed).includes(secretHex));
    const verified = await handleVerify({ uri: uri('m.wasm'), publicKeyPaths: [at('k.pk')] });
    assert.ok(verified.ok);
    assert.equal(verified.report.status, 'valid');
    assert.equal(verified.keysFrom, 'request');
    assert.match(verified.text, /VALID/);
    assert.ok(!JSON.stringify(verified).includes(secretHex));
  });

  it('detached: writes <module>.sig and picks it up when verifying', async () => {
    await handleGenerateKeyPair({ secretKeyPath: at('k.sk'), publicKeyPath: at('k.pk'), format: 'pem' });
    const signed = await handleSign({ uri: uri('m.wasm'), secretKeyPaths: [at('k.sk')], mode: 'detached' });
    assert.ok(signed.ok);
    assert.equal(signed.signatureWritten, at('m.wasm.sig'));
    assert.equal(signed.moduleWritten, null);
    const verified = await handleVerify({ uri: uri('m.wasm'), publicKeyPaths: [at('k.pk')] });
    assert.ok(verified.ok);
    assert.equal(verified.report.source, 'detached');
    assert.equal(verified.report.valid, true);
  });

  it('uses the policy trusted keys when the client names none', async () => {
    await handleGenerateKeyPair({ secretKeyPath: at('k.sk'), publicKeyPath: at('k.pk'), format: 'compact' });
    writeFileSync(
      at('wasm-policy.json'),
      JSON.stringify({ signature: { required: true, trustedKeys: ['k.pk'] } }),
    );
    await handleSign({ uri: uri('m.wasm'), secretKeyPaths: [at('k.sk')], mode: 'embedded' });
    const verified = await handleVerify({ uri: uri('m.wasm') });
    assert.ok(verified.ok, !verified.ok ? verified.error : '');
    assert.equal(verified.keysFrom, 'policy');
    assert.equal(verified.report.valid, true);
  });

  it('asks for a passphrase for encrypted keys, and answers errors as values', async () => {
    await handleGenerateKeyPair({
      secretKeyPath: at('e.sk'),
      publicKeyPath: at('e.pk'),
      format: 'pem',
      passphrase: 'pw',
    });
    const missing = await handleSign({ uri: uri('m.wasm'), secretKeyPaths: [at('e.sk')], mode: 'embedded' });
    assert.equal(!missing.ok && missing.needsPassphrase, true);
    assert.equal(
      (
        await handleSign({
          uri: uri('m.wasm'),
          secretKeyPaths: [at('e.sk')],
          passphrase: 'pw',
          mode: 'embedded',
        })
      ).ok,
      true,
    );
    assert.equal(
      (await handleSign({ uri: 'untitled:x', secretKeyPaths: [at('e.sk')], mode: 'embedded' })).ok,
      false,
    );
    assert.equal((await handleVerify({ uri: uri('missing.wasm'), publicKeyPaths: [at('e.pk')] })).ok, false);
    const exists = await handleGenerateKeyPair({
      secretKeyPath: at('e.sk'),
      publicKeyPath: at('e.pk'),
      format: 'pem',
    });
    assert.equal(exists.ok, false);
  });
});
