/**
 * Signing from inside VS Code: the commands run without prompts (given an options object), the
 * language server writes signed modules, the verify command confirms what was written, and the
 * signature diagnostics of the module follow (the folder's policy requires a signature).
 */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor, workspaceFile } from '../helpers';

interface SignResult {
  ok: boolean;
  error?: string;
  moduleWritten?: string | null;
  signatureWritten?: string | null;
}
interface VerifyResult {
  ok: boolean;
  error?: string;
  report?: { valid: boolean; status: string; source: string | null };
}

const key = (name: string) => workspaceFile(`signing/${name}`).fsPath;

async function sign(file: string, mode: 'embedded' | 'detached'): Promise<SignResult> {
  const result = await vscode.commands.executeCommand<SignResult>('wasmWarden.signModule', {
    uri: workspaceFile(`signing/${file}`),
    secretKeyPath: key('test-key.sk'),
    mode,
  });
  assert.ok(result, 'the sign command returned a result');
  assert.equal(result.ok, true, result.error);
  return result;
}

async function verify(file: string): Promise<VerifyResult> {
  const result = await vscode.commands.executeCommand<VerifyResult>('wasmWarden.verifySignature', {
    uri: workspaceFile(`signing/${file}`),
    publicKeyPaths: [key('test-key.pk')],
  });
  assert.ok(result, 'the verify command returned a result');
  assert.equal(result.ok, true, result.error);
  return result;
}

describe('signing', function () {
  it('the commands are registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['wasmWarden.signModule', 'wasmWarden.verifySignature', 'wasmWarden.generateKeyPair']) {
      assert.ok(commands.includes(id), `${id} is registered`);
    }
  });

  it('an unsigned module does not verify; after Sign Module it does', async () => {
    const before = await verify('unsigned.wasm');
    assert.equal(before.report?.status, 'unsigned');
    const signed = await sign('unsigned.wasm', 'embedded');
    assert.equal(signed.moduleWritten, key('unsigned.wasm'));
    const after = await verify('unsigned.wasm');
    assert.equal(after.report?.valid, true, after.report?.status);
    assert.equal(after.report?.source, 'embedded');
  });

  it('detached signing leaves the module alone and writes <module>.sig', async () => {
    const original = await vscode.workspace.fs.readFile(workspaceFile('signing/detached.wasm'));
    const signed = await sign('detached.wasm', 'detached');
    assert.equal(signed.signatureWritten, key('detached.wasm.sig'));
    const now = await vscode.workspace.fs.readFile(workspaceFile('signing/detached.wasm'));
    assert.deepEqual(Buffer.from(now), Buffer.from(original));
    const result = await verify('detached.wasm');
    assert.equal(result.report?.source, 'detached');
    assert.equal(result.report?.valid, true);
  });

  it('signing a .wat compiles it and signs the .wasm beside it', async () => {
    const signed = await sign('add.wat', 'embedded');
    assert.equal(signed.moduleWritten, key('add.wasm'));
    assert.equal((await verify('add.wasm')).report?.valid, true);
  });

  it('a module changed on disk after signing no longer verifies', async () => {
    await sign('unsigned.wasm', 'embedded');
    const uri = workspaceFile('signing/unsigned.wasm');
    const bytes = await vscode.workspace.fs.readFile(uri);
    bytes[bytes.length - 1] ^= 0x01;
    await vscode.workspace.fs.writeFile(uri, bytes);
    const result = await verify('unsigned.wasm');
    assert.equal(result.report?.valid, false);
    assert.equal(result.report?.status, 'invalid');
  });

  it('Generate Signing Key Pair writes keys that sign and verify', async () => {
    const secretKeyPath = key('generated.sk');
    const publicKeyPath = key('generated.pk');
    const made = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>(
      'wasmWarden.generateKeyPair',
      {
        secretKeyPath,
        publicKeyPath,
        format: 'compact',
      },
    );
    assert.equal(made?.ok, true, made?.error);
    const signed = await vscode.commands.executeCommand<SignResult>('wasmWarden.signModule', {
      uri: workspaceFile('signing/detached.wasm'),
      secretKeyPath,
      mode: 'embedded',
    });
    assert.equal(signed?.ok, true, signed?.error);
    const verified = await vscode.commands.executeCommand<VerifyResult>('wasmWarden.verifySignature', {
      uri: workspaceFile('signing/detached.wasm'),
      publicKeyPaths: [publicKeyPath],
      signaturePath: undefined,
    });
    // detached.wasm.sig (by the test key) exists too; the embedded signature must still be found.
    assert.equal(verified?.report?.valid, true, verified?.report?.status);

    // Trust it in a policy: the public key is copied beside the policy and listed, comments kept.
    const policy = workspaceFile('trust/wasm-policy.json');
    await vscode.workspace.fs.writeFile(
      policy,
      new TextEncoder().encode('{\n  // team policy\n  "signature": { "required": true }\n}\n'),
    );
    const outside = vscode.Uri.file(path.join(os.tmpdir(), `warden-trust-${process.pid}.pk`));
    await vscode.workspace.fs.copy(vscode.Uri.file(publicKeyPath), outside, { overwrite: true });
    const edited = await vscode.commands.executeCommand<vscode.Uri | undefined>('wasmWarden.trustKey', {
      publicKeyPath: outside.fsPath,
      policy,
    });
    assert.equal(edited?.toString(), policy.toString());
    const text = (await vscode.workspace.openTextDocument(policy)).getText();
    assert.match(text, /\/\/ team policy/);
    assert.match(text, new RegExp(`"trustedKeys": \\[\\s*"keys/warden-trust-${process.pid}\\.pk"\\s*\\]`));
    await vscode.workspace.fs.stat(workspaceFile(`trust/keys/warden-trust-${process.pid}.pk`));
    await vscode.workspace.fs.delete(outside);
  });

  it('Sign Module from the .wasm text view signs the .wasm file it shows', async () => {
    const file = workspaceFile('signing/view.wasm');
    const view = vscode.Uri.from({ scheme: 'wasm-warden', path: `${file.path}.wat` });
    const result = await vscode.commands.executeCommand<SignResult>('wasmWarden.signModule', {
      uri: view,
      secretKeyPath: key('test-key.sk'),
      mode: 'embedded',
    });
    assert.equal(result?.ok, true, result?.error);
    assert.equal(result?.moduleWritten, file.fsPath);
    assert.equal((await verify('view.wasm')).report?.valid, true);
  });

  it('missing-signature goes away after signing; invalid-signature appears when the file is tampered with', async () => {
    const uri = workspaceFile('signing/diag.wasm');
    const codesOf = () =>
      vscode.languages.getDiagnostics(uri).map((d) => (typeof d.code === 'object' ? d.code.value : d.code));
    await waitFor('missing-signature on the unsigned diag.wasm', () =>
      codesOf().includes('missing-signature') ? true : undefined,
    );
    await sign('diag.wasm', 'embedded');
    await waitFor('the signature diagnostics of diag.wasm to clear', () => {
      const codes = codesOf();
      return !codes.includes('missing-signature') && !codes.includes('invalid-signature') ? true : undefined;
    });
    const bytes = await vscode.workspace.fs.readFile(uri);
    bytes[bytes.length - 1] ^= 0x01;
    await vscode.workspace.fs.writeFile(uri, bytes);
    const error = await waitFor('invalid-signature on the tampered diag.wasm', () =>
      vscode.languages
        .getDiagnostics(uri)
        .find((d) => (typeof d.code === 'object' ? d.code.value : d.code) === 'invalid-signature'),
    );
    assert.equal(error.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(error.source, 'wasm-warden');
  });
});
