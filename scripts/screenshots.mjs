// `npm run screenshots`: the README's pictures of the polished states, taken from a real VS Code
// (the local VS Code server the in-editor tests use, in headless Chromium) on examples/:
//   images/hover.png        a hover on a call to an import, with the policy's verdict
//   images/report-panel.png the sandbox report of hello.wat
//   images/wasm-view.png    the text view of signed/unsigned.wasm, its finding on its line
// Each step waits for what it shows; a step that fails leaves .vscode-test/screenshots-failed.png.
// The policy verdicts in hovers use emoji: install an emoji font (Debian: fonts-noto-color-emoji).
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { withWorkbenchPage } from './vscode-server.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const examples = join(repo, 'examples');
const images = join(repo, 'images');
const WAIT = { timeout: 60_000 };

async function closeToasts(page) {
  for (const close of await page.locator('.notification-toast .codicon-notifications-clear').all()) {
    await close.click().catch(() => {});
  }
}

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').waitFor(WAIT);
  await page.keyboard.type(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor(WAIT);
  await page.keyboard.press('Enter');
}

async function openFromExplorer(page, name) {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click();
}

async function shoot(page, name) {
  await closeToasts(page);
  await sleep(500);
  await page.screenshot({ path: join(images, name) });
  console.log(`Saved images/${name}`);
}

/** A hover on `$fd_write` in `call $fd_write`: what the import is and what the policy says. */
async function hover(page) {
  await openFromExplorer(page, 'hello.wat');
  const call = page.locator('.view-line', { hasText: 'call $fd_write' }).first();
  await call.waitFor(WAIT);
  // Wait for the server's analysis (the CodeLens above the module) before hovering.
  await page.locator('.codelens-decoration').first().waitFor(WAIT);
  // Toasts ("open the parent git repository?") would cover part of it; closing one later closes the hover.
  await sleep(1000);
  await closeToasts(page);
  // The cursor on the token, then the hover as the keyboard shows it (a mouse hover hides on any move).
  await call.locator('span', { hasText: '$fd_write' }).last().click();
  await runCommand(page, 'Show or Focus Hover');
  const shown = page.locator('.monaco-editor .monaco-hover:not(.hidden)', { hasText: 'fd_write' }).first();
  await shown.waitFor(WAIT);
  // Taken at once: the page's own timers close a hover shown this way after a moment.
  await page.screenshot({ path: join(images, 'hover.png') });
  console.log('Saved images/hover.png');
  await page.keyboard.press('Escape');
}

/** Run in Sandbox on hello.wat (the active editor): no arguments, then the finished report. */
async function reportPanel(page) {
  await page.locator('.view-line', { hasText: 'call $fd_write' }).first().click();
  await runCommand(page, 'Wasm Warden: Run in Sandbox');
  // The arguments prompt: none.
  await page.locator('.quick-input-widget input').waitFor(WAIT);
  await sleep(300);
  await page.keyboard.press('Enter');
  // The report is inside the webview's nested frames.
  const deadline = Date.now() + WAIT.timeout;
  for (;;) {
    let done = false;
    for (const frame of page.frames()) {
      const status = await frame
        .locator('#status')
        .textContent({ timeout: 200 })
        .catch(() => undefined);
      if (status && /exited with code 0/.test(status)) done = true;
    }
    if (done) break;
    if (Date.now() > deadline) throw new Error('the sandbox report never said "exited with code 0"');
    await sleep(250);
  }
  await sleep(1000);
  await shoot(page, 'report-panel.png');
}

/** The text view of a `.wasm` with a finding (an unsigned module where the policy wants a signature). */
async function wasmView(page) {
  await runCommand(page, 'View: Close All Editors');
  await sleep(500);
  await openFromExplorer(page, 'signed');
  await openFromExplorer(page, 'unsigned.wasm');
  await page.locator('.view-line', { hasText: '(module' }).first().waitFor(WAIT);
  await page.locator('.squiggly-error, .squiggly-warning, .squiggly-info').first().waitFor(WAIT);
  // The finding's fixes, as CodeLenses on its line (the view is read-only).
  await page.locator('.codelens-decoration', { hasText: 'Sign' }).first().waitFor(WAIT);
  await page.keyboard.press('Control+Shift+M');
  await sleep(1500);
  await shoot(page, 'wasm-view.png');
}

async function main() {
  const dataDir = join(repo, '.vscode-test', 'screenshots-data');
  rmSync(dataDir, { recursive: true, force: true });
  const failedShot = join(repo, '.vscode-test', 'screenshots-failed.png');
  await withWorkbenchPage(
    { dataDir, folder: examples, extensionDevelopmentPath: repo, failedShot },
    async (page) => {
      mkdirSync(images, { recursive: true });
      await hover(page);
      await reportPanel(page);
      await wasmView(page);
    },
  );
  return 0;
}

process.exitCode = await main().catch((error) => {
  console.error(`screenshots: ${error?.message ?? error}`);
  return 1;
});
