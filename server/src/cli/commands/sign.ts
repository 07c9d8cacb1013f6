/** `wasm-warden sign`: sign a module (embedded or detached) with one or more secret keys. */
import * as path from 'node:path';
import { parseOptions, readPassphrase, UsageError, type CliCommand } from '../command';
import { signFile } from '../../core/signing/files';
import type { KeyIdChoice } from '../../core/signing/sign';

const HELP = `Usage: wasm-warden sign IN --secret-key FILE [--secret-key FILE2 ...] [options]

Signs IN with the WebAssembly module-signatures format (Ed25519 over SHA-256), as wasmsign2 does.
A module that is already signed keeps its signatures: a new signer is added to them. IN may be a
.wat file: it is compiled and the .wasm written next to it (or to -o) is signed.

Options:
  --secret-key FILE      secret key: wasmsign2 compact, PKCS#8 PEM or DER (repeat for several signers)
  -o, --output OUT       write the signed module to OUT (default: replace IN; for .wat, IN's .wasm)
  --detached SIG         write the signature to SIG instead of into the module (an existing SIG
                         gets the new signature added)
  --key-id ID            attach the key id ID (text) to the signature
  --default-key-id       attach wasmsign2's default key id (HMAC of the public key), as
                         "wasmsign2 sign -K" does
  --passphrase-env VAR   passphrase of an encrypted PKCS#8 key, read from environment variable VAR
  --help                 show this help

Exit codes: 0 signed, 2 usage or I/O error (including a key that cannot be read).
`;

export const signCommand: CliCommand = {
  name: 'sign',
  summary: 'sign a module with Ed25519 (embedded or detached signature)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parse(args);
    if (positionals.length !== 1) throw new UsageError('give exactly one module to sign');
    const secretKeys = values['secret-key'] ?? [];
    if (secretKeys.length === 0) throw new UsageError('--secret-key is required');
    if (values['key-id'] !== undefined && values['default-key-id'])
      throw new UsageError('use --key-id or --default-key-id, not both');
    let keyId: KeyIdChoice = { kind: 'none' };
    if (values['default-key-id']) keyId = { kind: 'default' };
    else if (values['key-id'] !== undefined) {
      if (values['key-id'] === '') throw new UsageError('--key-id cannot be empty');
      keyId = { kind: 'custom', id: Buffer.from(values['key-id'], 'utf8') };
    }
    const at = (file: string | undefined) => (file === undefined ? undefined : path.resolve(io.cwd, file));
    const result = await signFile({
      input: at(positionals[0])!,
      secretKeys: secretKeys.map((k) => at(k)!),
      passphrase: readPassphrase(values['passphrase-env']),
      output: at(values.output),
      detached: at(values.detached),
      keyId,
    });
    if (!result.ok) {
      const hint = result.needsPassphrase ? ' (pass it with --passphrase-env VAR)' : '';
      io.stderr(`wasm-warden sign: ${result.error}${hint}\n`);
      return 2;
    }
    const rel = (file: string) => path.relative(io.cwd, file) || file;
    const what = [
      result.compiledFrom ? `compiled ${rel(result.compiledFrom)}` : undefined,
      result.moduleWritten ? `wrote ${rel(result.moduleWritten)}` : undefined,
      result.signatureWritten ? `wrote signature ${rel(result.signatureWritten)}` : undefined,
    ].filter(Boolean);
    io.stdout(
      `Signed by ${result.signers.join(', ')} (${result.parts} part${result.parts === 1 ? '' : 's'}): ${what.join(', ')}.\n`,
    );
    return 0;
  },
};

function parse(args: string[]) {
  return parseOptions({
    args,
    options: {
      'secret-key': { type: 'string', multiple: true },
      output: { type: 'string', short: 'o' },
      detached: { type: 'string' },
      'key-id': { type: 'string' },
      'default-key-id': { type: 'boolean' },
      'passphrase-env': { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
}
