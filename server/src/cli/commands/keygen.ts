/** `wasm-warden keygen`: a fresh Ed25519 key pair for signing modules. */
import * as path from 'node:path';
import { parseOptions, readPassphrase, UsageError, type CliCommand } from '../command';
import { generateKeyFiles } from '../../core/signing/files';

const HELP = `Usage: wasm-warden keygen --secret-key FILE --public-key FILE [options]

Generates an Ed25519 key pair for "wasm-warden sign". The secret key file is created readable by
you alone (mode 0600); existing files are never replaced unless you pass --force.

Options:
  --secret-key FILE      where to write the secret key (required)
  --public-key FILE      where to write the public key (required)
  --format compact|pem   compact: wasmsign2's files (33-byte public, 65-byte secret; default)
                         pem:     PKCS#8 secret key and SPKI public key, as PEM text
  --passphrase-env VAR   encrypt the secret key (PKCS#8, AES-256-CBC) with the passphrase in the
                         environment variable VAR (needs --format pem)
  --force                replace existing key files
  --help                 show this help

Exit codes: 0 keys written, 2 usage or I/O error.
`;

export const keygenCommand: CliCommand = {
  name: 'keygen',
  summary: 'generate an Ed25519 key pair for signing modules',
  help: HELP,
  async run(args, io) {
    const { values } = parse(args);
    const secretKey = values['secret-key'];
    const publicKey = values['public-key'];
    if (!secretKey || !publicKey) throw new UsageError('both --secret-key and --public-key are required');
    const format = values.format ?? 'compact';
    if (format !== 'compact' && format !== 'pem')
      throw new UsageError(`--format must be compact or pem, not "${format}"`);
    const passphrase = readPassphrase(values['passphrase-env']);
    const result = await generateKeyFiles({
      secretKey: path.resolve(io.cwd, secretKey),
      publicKey: path.resolve(io.cwd, publicKey),
      format,
      passphrase,
      force: values.force,
    });
    if (!result.ok) {
      io.stderr(`wasm-warden keygen: ${result.error}\n`);
      return 2;
    }
    io.stdout(
      `Wrote secret key ${secretKey} and public key ${publicKey} (Ed25519, fingerprint ${result.fingerprint}).\n`,
    );
    return 0;
  },
};

function parse(args: string[]) {
  return parseOptions({
    args,
    options: {
      'secret-key': { type: 'string' },
      'public-key': { type: 'string' },
      format: { type: 'string' },
      'passphrase-env': { type: 'string' },
      force: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
}
