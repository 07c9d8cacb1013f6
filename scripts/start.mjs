// `npm start`: opens examples/ in VS Code with this extension loaded from the source tree.
// With a `code` CLI on PATH that is VS Code desktop; otherwise (or with --browser) VS Code in the
// browser, served by the same local VS Code server the in-editor tests use, until Ctrl+C.
// `--screenshot FILE` instead renders the example workspace headless and saves a picture of it.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startVsCodeServer, withWorkbenchPage } from './vscode-server.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const examples = join(repo, 'examples');
const args = process.argv.slice(2);

function hasCodeCli() {
  try {
    execFileSync('sh', ['-c', 'command -v code'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function openInDesktop() {
  console.log(`Opening ${examples} in VS Code with the extension from ${repo} ...`);
  const child = spawn('code', [`--extensionDevelopmentPath=${repo}`, examples], { stdio: 'inherit' });
  return new Promise((done) => child.on('exit', (code) => done(code ?? 1)));
}

/** Serves VS Code on localhost until Ctrl+C. Settings persist in .vscode-test/start between runs. */
async function serveInBrowser() {
  const server = await startVsCodeServer({ dataDir: join(repo, '.vscode-test', 'start') });
  const url = server.workbenchUrl(examples, { extensionDevelopmentPath: repo });
  console.log(
    `\nVS Code with Wasm Warden is running. Open this URL in a browser:\n\n  ${url}\n\nPress Ctrl+C to stop.`,
  );
  await new Promise((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    server.process.once('exit', done);
  });
  await server.stop();
  return 0;
}

/** Opens broken.wat and the Problems panel in headless Chromium and saves what it shows. */
async function screenshot(file) {
  const dataDir = join(repo, '.vscode-test', 'screenshot-data');
  const failedShot = join(repo, '.vscode-test', 'screenshot-failed.png');
  await withWorkbenchPage(
    { dataDir, folder: examples, extensionDevelopmentPath: repo, failedShot },
    async (page) => {
      // Open it from the Explorer, as a user would (Quick Open loses keystrokes while the workbench is busy).
      await page
        .locator('.explorer-folders-view .monaco-list-row', { hasText: 'broken.wat' })
        .first()
        .click();
      await page.waitForSelector('.squiggly-error', { timeout: 60_000 });
      await page.keyboard.press('Control+Shift+M');
      await sleep(1500);
      // Toasts such as "open the parent git repository?" would hide part of the picture.
      for (const close of await page.locator('.notification-toast .codicon-notifications-clear').all()) {
        await close.click().catch(() => {});
      }
      await sleep(500);
      mkdirSync(dirname(resolve(file)), { recursive: true });
      await page.screenshot({ path: resolve(file) });
      console.log(`Saved ${resolve(file)}`);
    },
  );
  return 0;
}

async function main() {
  const at = args.indexOf('--screenshot');
  if (at >= 0) return screenshot(args[at + 1] ?? join(repo, '.vscode-test', 'screenshot.png'));
  if (!args.includes('--browser') && hasCodeCli()) return openInDesktop();
  return serveInBrowser();
}

process.exitCode = await main().catch((error) => {
  console.error(`wasm-warden start: ${error?.message ?? error}`);
  return 1;
});
