/**
 * `wasm-warden`: the command line. One binary, one sub-command per file in `commands/`.
 * Exit codes: 0 ok, 1 findings/verification failed, 2 usage, I/O or policy errors.
 */
import { UsageError, type CliCommand, type CliIo } from './command';
import { VERSION } from '../version';
import { isCheckWorker, runCheckWorker } from './check/pool';
import { checkCommand } from './commands/check';
import { inspectCommand } from './commands/inspect';
import { runCommand } from './commands/run';
import { keygenCommand } from './commands/keygen';
import { signCommand } from './commands/sign';
import { verifyCommand } from './commands/verify';
import { policyCommand } from './commands/policy';
import { diffCommand } from './commands/diff';
import { sbomCommand } from './commands/sbom';

// Register sub-commands here (one import and one entry each, in the order `--help` lists them).
const COMMANDS: CliCommand[] = [
  checkCommand,
  inspectCommand,
  runCommand,
  keygenCommand,
  signCommand,
  verifyCommand,
  policyCommand,
  diffCommand,
  sbomCommand,
];

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
    io.stdout(target ? target.help : mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`wasm-warden: unknown command "${name}". Run "wasm-warden --help" for the list.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`wasm-warden ${name}: ${error.message}\nRun "wasm-warden ${name} --help" for usage.\n`);
      return 2;
    }
    io.stderr(`wasm-warden ${name}: ${(error as Error)?.message ?? String(error)}\n`);
    return 2;
  }
}

if (isCheckWorker()) {
  runCheckWorker();
} else if (require.main === module) {
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
