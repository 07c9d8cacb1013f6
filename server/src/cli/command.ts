/** The shape of one `wasm-warden` sub-command. Each lives in `commands/<name>.ts`. */
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
export class UsageError extends Error {}
