/**
 * The jco tools process (worker.ts, bundled as `dist/component-transpiler.mjs`): jco's bindgen
 * transpiles components for the sandbox, and its wasm-tools parses component text. Each request
 * runs in a process of its own, killed after a wall-clock limit, so neither tool can hang or
 * crash its caller.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TranspileReply, TranspileRequest } from './messages';

const TRANSPILE_LIMIT_MS = 120_000;

/** The transpiler script: bundled next to this file, else the compiled worker (tests). */
export function defaultTranspilerScript(): string {
  const bundled = path.join(__dirname, 'component-transpiler.mjs');
  return fs.existsSync(bundled) ? bundled : path.join(__dirname, 'worker.js');
}

/** Whether `.wat` text is a component (`(component ...)` after comments), which wabt cannot compile. */
export function isComponentText(text: string): boolean {
  return /^(?:\s|;;[^\n]*\n|\(;[\s\S]*?;\))*\(component\b/.test(text);
}

/**
 * Component (or module) text to binary with wasm-tools (in the transpiler process). The text is
 * written to a private temporary file before this returns, so the process reads and parses it
 * even while the caller's thread stays busy (the text-analysis worker's reader runs meanwhile).
 */
export async function parseComponentText(
  text: string,
  filename: string,
): Promise<Uint8Array | { error: string }> {
  let folder: string;
  try {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-wat-'));
  } catch (error) {
    return { error: `cannot compile ${filename}: no temporary folder (${String(error)})` };
  }
  try {
    const textFile = path.join(folder, 'text.wat');
    fs.writeFileSync(textFile, text);
    const reply = await runTranspiler({ type: 'parse', textFile }, defaultTranspilerScript());
    if (reply.type === 'parsed') return reply.bytes;
    return { error: `cannot compile ${filename}: ${reply.type === 'error' ? reply.message : reply.type}` };
  } catch (error) {
    return { error: `cannot compile ${filename}: ${String(error)}` };
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

export function runTranspiler(
  request: TranspileRequest,
  script: string,
  execPath?: string,
): Promise<TranspileReply> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (reply: TranspileReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(reply);
    };
    const proc = fork(script, [], {
      execPath: execPath ?? process.execPath,
      execArgv: ['--no-warnings'],
      env: process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {},
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      settle({ type: 'error', message: `bindgen took longer than ${TRANSPILE_LIMIT_MS / 1000} s` });
    }, TRANSPILE_LIMIT_MS);
    proc.on('message', (reply: TranspileReply) => settle(reply));
    proc.on('error', (error) => settle({ type: 'error', message: error.message }));
    proc.on('exit', (code, signal) =>
      settle({ type: 'error', message: `the transpiler exited (${signal ?? code}) ${stderr.trim()}`.trim() }),
    );
    proc.send(request);
  });
}
