/**
 * `wasm-warden`: the command line. One binary, one sub-command per file in `commands/`.
 * Exit codes: 0 ok, 1 findings/verification failed, 2 usage, I/O or policy errors.
 */
import { isUsageError, type CliCommand, type CliIo } from './command';
import { VERSION } from '../version';

/**
 * The sub-commands, in the order `--help` lists them. Each is loaded only when it runs: the bundle
 * builds every `commands/<name>.ts` as `dist/cli-<name>.js` (scripts/build.mjs), so `--version`,
 * `--help` and `inspect` do not pay for loading wabt, the policy schema or the sandbox.
 * A test checks that each summary here is the one its command declares.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain require is what keeps a command unloaded until it runs */
export const COMMANDS: ReadonlyArray<{ name: string; summary: string; load: () => CliCommand }> = [
  {
    name: 'check',
    summary: 'check modules against their policies (text, JSON or SARIF output)',
    load: () => (require('./commands/check') as typeof import('./commands/check')).checkCommand,
  },
  {
    name: 'inspect',
    summary: 'print the facts of a module: imports, exports, memories, sections, proposals',
    load: () => (require('./commands/inspect') as typeof import('./commands/inspect')).inspectCommand,
  },
  {
    name: 'run',
    summary: 'run a module in the sandbox and report what it did',
    load: () => (require('./commands/run') as typeof import('./commands/run')).runCommand,
  },
  {
    name: 'keygen',
    summary: 'generate an Ed25519 key pair for signing modules',
    load: () => (require('./commands/keygen') as typeof import('./commands/keygen')).keygenCommand,
  },
  {
    name: 'sign',
    summary: 'sign a module with Ed25519 (embedded or detached signature)',
    load: () => (require('./commands/sign') as typeof import('./commands/sign')).signCommand,
  },
  {
    name: 'verify',
    summary: 'verify module signatures against trusted public keys',
    load: () => (require('./commands/verify') as typeof import('./commands/verify')).verifyCommand,
  },
  {
    name: 'policy',
    summary: 'write (init), check or show wasm-policy.json policies',
    load: () => (require('./commands/policy') as typeof import('./commands/policy')).policyCommand,
  },
  {
    name: 'diff',
    summary: 'what a new version of a module can do that the old one could not (text, JSON, Markdown)',
    load: () => (require('./commands/diff') as typeof import('./commands/diff')).diffCommand,
  },
  {
    name: 'sbom',
    summary: 'a CycloneDX 1.6 or SPDX 2.3 bill of materials for modules and components',
    load: () => (require('./commands/sbom') as typeof import('./commands/sbom')).sbomCommand,
  },
];
/* eslint-enable @typescript-eslint/no-require-imports */

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 8);
  return [
    `wasm-warden ${VERSION}: security checks, signing and sandboxed runs for WebAssembly modules`,
    '',
    'Usage: wasm-warden <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  --help     show help (also: wasm-warden <command> --help)',
    '  --version  print the version',
    '',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout(target ? target.load().help : mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`wasm-warden: unknown command "${name}". Run "wasm-warden --help" for the list.\n`);
    return 2;
  }
  const command = entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (isUsageError(error)) {
      io.stderr(`wasm-warden ${name}: ${error.message}\nRun "wasm-warden ${name} --help" for usage.\n`);
      return 2;
    }
    io.stderr(`wasm-warden ${name}: ${(error as Error)?.message ?? String(error)}\n`);
    return 2;
  }
}

if (require.main === module) {
  const io: CliIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTty: !!process.stdout.isTTY,
    cwd: process.cwd(),
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`wasm-warden: ${String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
