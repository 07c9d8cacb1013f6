/** Runs the built CLI (dist/cli.js) and compiles WAT for the CLI tests. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { compileWat } from '../../server/src/core/wat/compile';
import { REPO_ROOT } from './lspClient';

export const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/cli.js ARGS` in `cwd`, without colour. */
export function runCliProcess(args: string[], cwd: string): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A module's bytes from WAT text; the test fails if it does not compile. */
export async function wasmOf(text: string): Promise<Uint8Array> {
  const { bytes, findings } = await compileWat(text);
  assert.ok(bytes, JSON.stringify(findings));
  return bytes;
}
