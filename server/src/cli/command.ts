/** The shape of one `wasm-warden` sub-command. Each lives in `commands/<name>.ts`. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal (colour, progress lines). */
  isTty: boolean;
  cwd: string;
}

export interface CliCommand {
  name: string;
  /** One line for `wasm-warden --help`. */
  summary: string;
  /** The full text of `wasm-warden NAME --help`. */
  help: string;
  /** Returns the process exit code. Usage errors: 2. Never throws for user errors. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Raised for bad flags; main.ts prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Whether `error` is a UsageError. By name, not `instanceof`: each command is a bundle of its own
 * with its own copy of this class (see main.ts).
 */
export function isUsageError(error: unknown): error is UsageError {
  return error instanceof Error && error.name === 'UsageError';
}

/** node:util's `parseArgs` (strict unless `config` says otherwise); a bad flag becomes a UsageError. */
export function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A passphrase comes from an environment variable, never the command line (it would show in `ps`). */
export function readPassphrase(variable: string | undefined): string | undefined {
  if (variable === undefined) return undefined;
  const value = process.env[variable];
  if (!value)
    throw new UsageError(`environment variable ${variable} (from --passphrase-env) is empty or not set`);
  return value;
}
