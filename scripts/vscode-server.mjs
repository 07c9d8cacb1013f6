// A real VS Code for machines that cannot download VS Code desktop: the VS Code server bundled in
// the `code-server` npm package, started directly (code-server's own CLI rejects
// --extensionDevelopmentPath). Shared by `npm run test:vscode` and `npm start`.
// The install is cached outside the source tree and is safe when several runs race for it.
/* global fetch -- Node 20 has it built in */
import { spawn, execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** code-server 4.100.3 bundles VS Code 1.100.3 and runs on Node 20; later releases need Node 22. */
export const CODE_SERVER_VERSION = '4.100.3';

/** Where the server is installed: $WASM_WARDEN_VSCODE_CACHE, else the user's cache folder. */
export function cacheRoot() {
  if (process.env.WASM_WARDEN_VSCODE_CACHE) return process.env.WASM_WARDEN_VSCODE_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'wasm-warden');
}

function installDir() {
  return join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
}

function vscodeDir(root = installDir()) {
  return join(root, 'node_modules', 'code-server', 'lib', 'vscode');
}

/** Written last: its presence means every install step finished. */
const MARKER = '.wasm-warden-installed';

function run(command, args, cwd, extraEnv = {}) {
  execFileSync(command, args, {
    cwd,
    // Without stdin, npx (inside node-pty's install) cancels its prompt unless told yes.
    env: {
      ...process.env,
      npm_config_yes: 'true',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      ...extraEnv,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

function which(name) {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Installs the VS Code server once (about 300 MB, a few minutes) and returns its folder.
 * Built in a private folder and renamed into place, so a concurrent run never sees half an install.
 */
export function ensureVsCodeServer(log = (m) => console.log(m)) {
  const target = installDir();
  if (existsSync(join(target, MARKER))) return vscodeDir(target);

  const rg = which('rg');
  if (!rg) {
    throw new Error(
      'ripgrep (`rg`) is needed by the VS Code server; install it (Debian: apt-get install ripgrep).',
    );
  }
  mkdirSync(cacheRoot(), { recursive: true });
  const work = `${target}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  log(
    `Installing the VS Code server (code-server@${CODE_SERVER_VERSION}) into ${target}; this takes a few minutes once.`,
  );
  try {
    // A package.json of its own keeps npm from climbing into an enclosing project.
    writeFileSync(
      join(work, 'package.json'),
      JSON.stringify({ name: 'wasm-warden-vscode-server', private: true }),
    );
    // 1. Without --ignore-scripts the postinstall wants --unsafe-perm as root and downloads ripgrep from GitHub.
    run(
      'npm',
      ['install', '--ignore-scripts', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`],
      work,
    );
    const vscode = vscodeDir(work);
    // 2. VS Code's own runtime dependencies.
    run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-package-lock'], vscode);
    // 3. The system ripgrep; @vscode/ripgrep's install skips its download when bin/ exists.
    const rgBin = join(vscode, 'node_modules', '@vscode', 'ripgrep', 'bin');
    mkdirSync(rgBin, { recursive: true });
    copyFileSync(rg, join(rgBin, 'rg'));
    // 4. Native modules (node-pty, kerberos, ...).
    run('npm', ['rebuild'], vscode);
    // 5. What code-server's own postinstall does.
    symlinkSync('node_modules', join(vscode, 'node_modules.asar'));
    writeFileSync(join(work, MARKER), `code-server@${CODE_SERVER_VERSION}\n`);
    try {
      renameSync(work, target);
    } catch (error) {
      // Another run finished first: use its install.
      if (!existsSync(join(target, MARKER))) throw error;
      rmSync(work, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
  log('VS Code server installed.');
  return vscodeDir(target);
}

/**
 * Installs a .vsix with VS Code's own installer into `extensionsDir` and returns the folder the
 * extension was unpacked to, so tests can run against exactly what the package holds.
 */
export function installVsix(vsix, extensionsDir) {
  const vscode = ensureVsCodeServer();
  execFileSync(
    process.execPath,
    [
      join(vscode, 'out', 'server-main.js'),
      '--accept-server-license-terms',
      '--extensions-dir',
      extensionsDir,
      '--install-extension',
      vsix,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const installed = readdirSync(extensionsDir).filter((name) =>
    statSync(join(extensionsDir, name)).isDirectory(),
  );
  if (installed.length !== 1)
    throw new Error(
      `Expected one extension in ${extensionsDir} after installing ${vsix}, found: ${installed.join(', ') || 'none'}.`,
    );
  return join(extensionsDir, installed[0]);
}

/** A port nobody listens on right now, on the loopback interface. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts VS Code's server on a free loopback port. Returns its URL helpers and a `stop()` that
 * ends the server and everything it started (it runs in its own process group).
 * `env` reaches the extension host (the test runner reads its results path from there).
 */
export async function startVsCodeServer({ dataDir, env = {}, logFile, onOutput } = {}) {
  const vscode = ensureVsCodeServer();
  const port = await freePort();
  const args = [
    join(vscode, 'out', 'server-main.js'),
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--disable-workspace-trust',
    '--user-data-dir',
    join(dataDir, 'user-data'),
    '--server-data-dir',
    join(dataDir, 'server-data'),
  ];
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const chunks = [];
  const collect = (data) => {
    chunks.push(data);
    onOutput?.(data);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited = false;
  child.once('exit', () => (exited = true));

  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (logFile) writeFileSync(logFile, Buffer.concat(chunks));
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 50 && !exited; i++) await sleep(100);
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };

  // Ready when it answers HTTP.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`The VS Code server exited before it was ready:\n${Buffer.concat(chunks).toString()}`);
    }
    try {
      const response = await fetch(`${origin}/version`);
      if (response.ok || response.status === 404) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The VS Code server did not answer on ${origin} within 60 s.`);
    }
    await sleep(250);
  }

  /** The workbench URL that opens `folder` with the given extension development options. */
  const workbenchUrl = (folder, { extensionDevelopmentPath, extensionTestsPath } = {}) => {
    const remote = (path) => `vscode-remote://127.0.0.1:${port}${path}`;
    const payload = [];
    if (extensionDevelopmentPath)
      payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
    if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
    payload.push(['skipWelcome', 'true']);
    return `${origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  };

  return { port, origin, process: child, workbenchUrl, stop, exited: () => exited };
}

/** Chromium flags that work headless on Debian without a GPU or network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium unless $CHROMIUM_PATH says otherwise. */
export function chromiumPath() {
  const path = process.env.CHROMIUM_PATH || which('chromium') || which('chromium-browser');
  if (!path)
    throw new Error(
      'Chromium is needed to drive VS Code headless (Debian: apt-get install chromium), or set CHROMIUM_PATH.',
    );
  return path;
}

/**
 * Opens `folder` in VS Code (its server and headless Chromium, 1280×720) with the extension from
 * `extensionDevelopmentPath`, waits for the workbench to settle, then runs `use(page)`. On failure
 * the page is saved to `failedShot` and the error says where; both processes are always stopped.
 */
export async function withWorkbenchPage({ dataDir, folder, extensionDevelopmentPath, failedShot }, use) {
  const { chromium } = await import('playwright-core');
  const server = await startVsCodeServer({ dataDir });
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    headless: true,
  });
  let page;
  try {
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(server.workbenchUrl(folder, { extensionDevelopmentPath }));
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 3000)); // let the workbench settle before typing into it
    return await use(page);
  } catch (error) {
    await page?.screenshot({ path: failedShot }).catch(() => {});
    throw new Error(`${error.message}\nWhat the page showed: ${failedShot}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}
