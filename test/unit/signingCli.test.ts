import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../server/src/cli/main';
import { SIGNING_VECTORS } from './signingVectors';

const VECTORS = SIGNING_VECTORS;

async function cli(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTty: false,
    cwd,
  });
  return { code, stdout, stderr };
}

describe('signing: CLI keygen / sign / verify', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'warden-sign-'));
    copyFileSync(path.join(VECTORS, 'modules', '00_unsigned.wasm'), path.join(dir, 'm.wasm'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keygen writes a 0600 secret key and refuses to overwrite it', async () => {
    const made = await cli(dir, 'keygen', '--secret-key', 'k.sk', '--public-key', 'k.pk');
    assert.equal(made.code, 0, made.stderr);
    assert.equal(statSync(path.join(dir, 'k.sk')).mode & 0o777, 0o600);
    assert.equal(readFileSync(path.join(dir, 'k.sk')).length, 65);
    assert.equal(readFileSync(path.join(dir, 'k.pk')).length, 33);
    const again = await cli(dir, 'keygen', '--secret-key', 'k.sk', '--public-key', 'k.pk');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
  });

  it('sign then verify: exit 0; a stranger key: exit 1; tampered: exit 1', async () => {
    await cli(dir, 'keygen', '--secret-key', 'a.sk', '--public-key', 'a.pk', '--format', 'pem');
    await cli(dir, 'keygen', '--secret-key', 'b.sk', '--public-key', 'b.pk');
    const signed = await cli(
      dir,
      'sign',
      'm.wasm',
      '--secret-key',
      'a.sk',
      '-o',
      'signed.wasm',
      '--default-key-id',
    );
    assert.equal(signed.code, 0, signed.stderr);
    assert.equal((await cli(dir, 'verify', 'signed.wasm', '--public-key', 'a.pk')).code, 0);
    const stranger = await cli(dir, 'verify', 'signed.wasm', '--public-key', 'b.pk');
    assert.equal(stranger.code, 1);
    assert.match(stranger.stdout, /by no trusted key/);
    const bytes = readFileSync(path.join(dir, 'signed.wasm'));
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(path.join(dir, 'signed.wasm'), bytes);
    const tampered = await cli(dir, 'verify', 'signed.wasm', '--public-key', 'a.pk', '--json');
    assert.equal(tampered.code, 1);
    const json = JSON.parse(tampered.stdout);
    assert.equal(json.valid, false);
    assert.equal(json.report.status, 'invalid');
  });

  it('several signers and several trusted keys; detached signatures', async () => {
    await cli(dir, 'keygen', '--secret-key', 'a.sk', '--public-key', 'a.pk');
    await cli(dir, 'keygen', '--secret-key', 'b.sk', '--public-key', 'b.pk');
    assert.equal((await cli(dir, 'sign', 'm.wasm', '--secret-key', 'a.sk', '--secret-key', 'b.sk')).code, 0);
    const both = await cli(dir, 'verify', 'm.wasm', '--public-key', 'a.pk', '--public-key', 'b.pk', '--json');
    assert.equal(both.code, 0);
    assert.deepEqual(
      JSON.parse(both.stdout).report.signatures.map((s: { status: string }) => s.status),
      ['valid', 'valid'],
    );
    copyFileSync(path.join(VECTORS, 'modules', '00_unsigned.wasm'), path.join(dir, 'd.wasm'));
    assert.equal((await cli(dir, 'sign', 'd.wasm', '--secret-key', 'a.sk', '--detached', 'd.sig')).code, 0);
    assert.deepEqual(
      readFileSync(path.join(dir, 'd.wasm')),
      readFileSync(path.join(VECTORS, 'modules', '00_unsigned.wasm')),
    );
    assert.equal(
      (await cli(dir, 'verify', 'd.wasm', '--public-key', 'a.pk', '--signature', 'd.sig')).code,
      0,
    );
    assert.equal((await cli(dir, 'verify', 'd.wasm', '--public-key', 'a.pk')).code, 1);
  });

  it('verifies the wasmsign2 vectors with PEM and DER keys and reports partial as exit 1', async () => {
    const keys = path.join(VECTORS, 'keys');
    const modules = path.join(VECTORS, 'modules');
    assert.equal(
      (
        await cli(
          dir,
          'verify',
          path.join(modules, '03_signed_key1_key2.wasm'),
          '--public-key',
          path.join(keys, 'key2.pk.der'),
        )
      ).code,
      0,
    );
    const partial = await cli(
      dir,
      'verify',
      path.join(modules, '06_extended_key1_partial_key2_full.wasm'),
      '--public-key',
      path.join(keys, 'key1.pk.pem'),
    );
    assert.equal(partial.code, 1);
    assert.match(partial.stdout, /partial/);
  });

  it('encrypted keys: passphrase from the environment', async () => {
    process.env.WARDEN_TEST_PASSPHRASE = 'open sesame';
    try {
      const made = await cli(
        dir,
        'keygen',
        '--secret-key',
        'e.sk',
        '--public-key',
        'e.pk',
        '--format',
        'pem',
        '--passphrase-env',
        'WARDEN_TEST_PASSPHRASE',
      );
      assert.equal(made.code, 0, made.stderr);
      const noPass = await cli(dir, 'sign', 'm.wasm', '--secret-key', 'e.sk');
      assert.equal(noPass.code, 2);
      assert.match(noPass.stderr, /passphrase/);
      assert.equal(
        (
          await cli(
            dir,
            'sign',
            'm.wasm',
            '--secret-key',
            'e.sk',
            '--passphrase-env',
            'WARDEN_TEST_PASSPHRASE',
          )
        ).code,
        0,
      );
      assert.equal((await cli(dir, 'verify', 'm.wasm', '--public-key', 'e.pk')).code, 0);
    } finally {
      delete process.env.WARDEN_TEST_PASSPHRASE;
    }
  });

  it('signs a .wat by compiling it to the .wasm beside it', async () => {
    writeFileSync(
      path.join(dir, 'add.wat'),
      '(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))',
    );
    await cli(dir, 'keygen', '--secret-key', 'a.sk', '--public-key', 'a.pk');
    const signed = await cli(dir, 'sign', 'add.wat', '--secret-key', 'a.sk');
    assert.equal(signed.code, 0, signed.stderr);
    assert.equal((await cli(dir, 'verify', 'add.wasm', '--public-key', 'a.pk')).code, 0);
  });

  it('usage and I/O errors exit 2', async () => {
    await cli(dir, 'keygen', '--secret-key', 'a.sk', '--public-key', 'a.pk');
    for (const argv of [
      ['sign', 'm.wasm'],
      ['sign', '--secret-key', 'a.sk'],
      ['sign', 'm.wasm', '--secret-key', 'a.sk', '--key-id', 'x', '--default-key-id'],
      ['sign', 'missing.wasm', '--secret-key', 'a.sk'],
      ['sign', 'm.wasm', '--secret-key', 'a.pk'],
      ['verify', 'm.wasm'],
      ['verify', 'm.wasm', '--public-key', 'missing.pk'],
      ['verify', 'm.wasm', '--public-key', 'a.sk'],
      ['verify', 'm.wasm', '--public-key', 'a.pk', '--bogus'],
      ['keygen', '--secret-key', 'x.sk'],
      ['keygen', '--secret-key', 'x.sk', '--public-key', 'x.pk', '--format', 'ssh'],
    ]) {
      const result = await cli(dir, ...argv);
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stdout}`);
      assert.notEqual(result.stderr, '', argv.join(' '));
    }
  });

  it('help texts name every option', async () => {
    for (const [command, options] of Object.entries({
      keygen: ['--secret-key', '--public-key', '--format', '--passphrase-env', '--force'],
      sign: ['--secret-key', '--output', '--detached', '--key-id', '--default-key-id', '--passphrase-env'],
      verify: ['--public-key', '--signature', '--json'],
    })) {
      const help = await cli(dir, command, '--help');
      assert.equal(help.code, 0);
      for (const option of options)
        assert.ok(help.stdout.includes(option), `${command} --help lacks ${option}`);
    }
  });
});
