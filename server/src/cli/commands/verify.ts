/** `wasm-warden verify`: check a module's signatures against trusted public keys. */
import * as path from 'node:path';
import { parseOptions, UsageError, type CliCommand } from '../command';
import { describeVerification } from '../../core/signing/describe';
import { verifyFile, type VerifyFileResult } from '../../core/signing/files';

const HELP = `Usage: wasm-warden verify IN --public-key FILE [--public-key FILE2 ...] [options]

Verifies the signatures of IN (embedded, or detached with --signature) against the trusted public
keys. Verification is strict: a signature is valid only when it covers every byte after the
signature section; a signature over a prefix (later sections unsigned) is reported as partial and
is not valid. The 8-byte preamble is not covered by signatures and is checked against the sections.
wasmCloud claims (a "jwt" or "wasmcloud_jwt" section) are verified and shown too.

Options:
  --public-key FILE   a trusted key: wasmsign2 compact, PEM or DER (SPKI), or OpenSSH
                      ssh-ed25519 lines (every ed25519 line of the file is trusted); repeatable
  --signature SIG     a detached signature file
  --json              print the full report as JSON
  --help              show this help

Exit codes: 0 a trusted key signed the whole module, 1 not valid (unsigned, tampered, partial,
untrusted, malformed), 2 usage or I/O error.
`;

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'verify module signatures against trusted public keys',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parse(args);
    if (positionals.length !== 1) throw new UsageError('give exactly one module to verify');
    const publicKeys = values['public-key'] ?? [];
    if (publicKeys.length === 0) throw new UsageError('--public-key is required (the keys you trust)');
    const at = (file: string) => path.resolve(io.cwd, file);
    const result = await verifyFile({
      input: at(positionals[0]),
      publicKeys: publicKeys.map(at),
      signature: values.signature === undefined ? undefined : at(values.signature),
    });
    if (!result.ok) {
      io.stderr(`wasm-warden verify: ${result.error}\n`);
      return 2;
    }
    const valid = result.report.valid && (result.claims === null || result.claims.valid);
    io.stdout(
      values.json
        ? `${JSON.stringify({ valid, ...withoutKeyObjects(result) }, null, 2)}\n`
        : describeVerification(positionals[0], result),
    );
    return valid ? 0 : 1;
  },
};

function withoutKeyObjects(result: VerifyFileResult) {
  return { report: result.report, claims: result.claims, keys: result.keys };
}

function parse(args: string[]) {
  return parseOptions({
    args,
    options: {
      'public-key': { type: 'string', multiple: true },
      signature: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: true,
  });
}
