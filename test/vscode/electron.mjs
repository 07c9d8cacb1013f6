// `npm run test:vscode:electron`: the same in-editor suite in VS Code desktop, downloaded by
// @vscode/test-electron (for machines that can reach update.code.visualstudio.com; ours cannot,
// so `npm run test:vscode` uses the VS Code server in headless Chromium instead).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { readResults, reportResults } from './report.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main() {
  const temp = mkdtempSync(join(tmpdir(), 'wasm-warden-electron-'));
  const workspace = join(temp, 'workspace');
  cpSync(join(repo, 'test', 'vscode', 'workspace'), workspace, { recursive: true });
  const resultsFile = join(temp, 'results.json');
  try {
    await runTests({
      // The engine range in package.json; override with VSCODE_VERSION=stable/insiders/x.y.z.
      version: process.env.VSCODE_VERSION || '1.100.3',
      cachePath: join(repo, '.vscode-test'),
      extensionDevelopmentPath: repo,
      extensionTestsPath: join(repo, 'out', 'test', 'vscode', 'index.js'),
      extensionTestsEnv: { WASM_WARDEN_TEST_RESULTS: resultsFile },
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
      ],
    });
  } catch (error) {
    // Desktop VS Code exits non-zero when run() throws; the results file says why, if it exists.
    console.error(`VS Code reported a failure: ${error?.message ?? error}`);
  }
  try {
    const results = readResults(resultsFile);
    if (!results) {
      console.error('The in-editor tests wrote no results.');
      return 1;
    }
    return reportResults(results);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

process.exitCode = await main();
