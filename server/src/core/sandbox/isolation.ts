/**
 * How the sandbox process is started: which script, which Node flags, which environment. Kept
 * apart from the run logic so the flags can be read (and tested) in one place.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { SandboxPolicy } from '../policy/types';
import { maxMemoryPages } from './defaults';

/** The sandbox entry: `sandbox-runner.js` next to the bundle, else the compiled `child.js` (tests). */
export function defaultRunnerScript(): string {
  const bundled = path.join(__dirname, 'sandbox-runner.js');
  return fs.existsSync(bundled) ? bundled : path.join(__dirname, 'child.js');
}

/** Node renamed `--experimental-permission` to `--permission` in 22.13 / 23.5. */
export function permissionFlag(nodeVersion: string): string {
  const [major, minor] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  return major >= 23 || (major === 22 && minor >= 13) ? '--permission' : '--experimental-permission';
}

/** Paths the sandbox process may read: its own code and the preopened folders, nothing else. */
export function readablePaths(runnerScript: string, policy: SandboxPolicy): string[] {
  const paths = new Set<string>();
  if (path.basename(runnerScript) === 'sandbox-runner.js') paths.add(runnerScript);
  else {
    // Unbundled (tests): the compiled sandbox folder and the shim package it imports.
    // The compiled core folder: the sandbox and the fuel meter with the module reader it is built on.
    paths.add(path.dirname(path.dirname(runnerScript)));
    paths.add(path.dirname(path.dirname(createRequire(__filename).resolve('@bjorn3/browser_wasi_shim'))));
  }
  for (const p of policy.preopens) paths.add(path.resolve(p.host));
  return [...paths];
}

export interface ChildLaunch {
  execPath: string;
  execArgv: string[];
  env: NodeJS.ProcessEnv;
  notes: string[];
}

export function childLaunch(
  runnerScript: string,
  policy: SandboxPolicy,
  options: { writeBack: boolean; usePermissions: boolean; execPath?: string; allowWorker?: boolean },
): ChildLaunch {
  const notes: string[] = [];
  const execArgv = [
    `--wasm-max-mem-pages=${maxMemoryPages(policy)}`,
    '--experimental-wasm-type-reflection',
    '--no-warnings',
  ];
  if (options.usePermissions) {
    execArgv.push(permissionFlag(process.version));
    for (const p of readablePaths(runnerScript, policy)) execArgv.push(`--allow-fs-read=${p}`);
    if (options.writeBack)
      for (const p of policy.preopens.filter((x) => x.mode === 'rw'))
        execArgv.push(`--allow-fs-write=${path.resolve(p.host)}`);
    // A component's outgoing HTTP waits on a worker thread (only when the policy allows endpoints).
    if (options.allowWorker) execArgv.push('--allow-worker');
  } else {
    notes.push(
      "Node's permission model is not available in this runtime: the sandbox process can read files (the WASI host still only exposes the preopens)",
    );
  }
  // The module never sees the parent's environment; the child gets none of it either.
  const env: NodeJS.ProcessEnv = {};
  if (process.versions.electron) {
    // VS Code's own Node is Electron: without this the child would start a second Electron app.
    env.ELECTRON_RUN_AS_NODE = '1';
    notes.push(
      `the sandbox process runs on VS Code's Electron ${process.versions.electron} (Node ${process.versions.node}) with ELECTRON_RUN_AS_NODE=1`,
    );
  }
  return { execPath: options.execPath ?? process.execPath, execArgv, env, notes };
}
