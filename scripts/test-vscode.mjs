// `npm run test:vscode`: runs the in-editor suite (out/test/vscode) inside a real VS Code, the VS
// Code server from the code-server package, driven in headless Chromium by playwright-core.
// The extension host exits 0 even when tests fail, so the verdict comes from the results file the
// runner writes ($WASM_WARDEN_TEST_RESULTS); no file, no tests, a failure or a timeout all fail.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { readResults, reportResults } from '../test/vscode/report.mjs';
import { CHROMIUM_ARGS, chromiumPath, installVsix, startVsCodeServer } from './vscode-server.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const testsEntry = join(repo, 'out', 'test', 'vscode', 'index.js');
const artifacts = join(repo, '.vscode-test');
const timeoutMs = Number(process.env.WASM_WARDEN_TEST_TIMEOUT_MS) || 10 * 60_000;
// `--vsix FILE`: test the packaged extension, installed by VS Code, instead of the source tree.
const vsixAt = process.argv.indexOf('--vsix');
const vsix = vsixAt >= 0 ? process.argv[vsixAt + 1] : undefined;

async function main() {
  if (!existsSync(testsEntry)) {
    console.error(`Missing ${testsEntry}: run "npm run compile-tests" first (npm run test:vscode does).`);
    return 1;
  }
  if (!existsSync(join(repo, 'dist', 'client.js'))) {
    console.error('Missing dist/client.js: run "npm run build" first (npm run test:vscode does).');
    return 1;
  }
  if (vsixAt >= 0 && !(vsix && existsSync(vsix))) {
    console.error(
      `--vsix needs an existing .vsix file (got ${vsix ?? 'nothing'}); "npm run package" makes dist/wasm-warden.vsix.`,
    );
    return 1;
  }
  mkdirSync(artifacts, { recursive: true });
  const temp = mkdtempSync(join(tmpdir(), 'wasm-warden-vscode-'));
  const workspace = join(temp, 'workspace');
  cpSync(join(repo, 'test', 'vscode', 'workspace'), workspace, { recursive: true });
  const resultsFile = join(temp, 'results.json');
  const browserLog = [];

  let server;
  let browser;
  const cleanUp = async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    writeFileSync(join(artifacts, 'browser.log'), browserLog.join('\n'));
    rmSync(temp, { recursive: true, force: true });
  };
  const interrupted = async () => {
    await cleanUp();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    const extension = vsix ? installVsix(resolve(vsix), join(temp, 'extensions')) : repo;
    server = await startVsCodeServer({
      dataDir: join(temp, 'data'),
      env: { WASM_WARDEN_TEST_RESULTS: resultsFile },
      logFile: join(artifacts, 'server.log'),
    });
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (message) => browserLog.push(`[${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => browserLog.push(`[pageerror] ${error.message}`));
    const url = server.workbenchUrl(workspace, {
      extensionDevelopmentPath: extension,
      extensionTestsPath: testsEntry,
    });
    console.log(
      `Running the in-editor tests in VS Code (${server.origin}) on ${vsix ? vsix : 'the source tree'} ...`,
    );
    await page.goto(url);

    const deadline = Date.now() + timeoutMs;
    let results;
    while (!(results = readResults(resultsFile))) {
      if (server.exited()) {
        console.error(
          'The VS Code server stopped before the tests wrote their results. See .vscode-test/server.log.',
        );
        return 1;
      }
      if (Date.now() > deadline) {
        console.error(
          `Timed out after ${Math.round(timeoutMs / 1000)} s: the in-editor tests wrote no results. ` +
            'See .vscode-test/server.log and .vscode-test/browser.log.',
        );
        await page.screenshot({ path: join(artifacts, 'screenshot.png') }).catch(() => {});
        return 1;
      }
      await sleep(500);
    }
    await page.screenshot({ path: join(artifacts, 'screenshot.png') }).catch(() => {});
    return reportResults(results);
  } catch (error) {
    console.error(`The in-editor tests could not run: ${error?.stack ?? error}`);
    return 1;
  } finally {
    await cleanUp();
  }
}

process.exitCode = await main();
