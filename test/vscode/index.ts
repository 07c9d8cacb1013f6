/**
 * The in-editor test runner: VS Code's extension host calls `run()` (extensionTestsPath).
 * It runs mocha over every compiled `suite/*.test.js`, so adding a suite means dropping a file there.
 * The extension host exits 0 even when `run()` throws, so the launcher cannot trust the exit code:
 * results go to the JSON file named by $WASM_WARDEN_TEST_RESULTS, which the launcher reads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'skipped';
  durationMs?: number;
  error?: string;
}

export interface TestResults {
  passed: number;
  failed: number;
  skipped: number;
  failures: { title: string; error: string }[];
  tests: TestResult[];
}

/** Compiled suites, in a stable order. */
export function suiteFiles(dir = path.join(__dirname, 'suite')): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.test.js'))
    .sort()
    .map((name) => path.join(dir, name));
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

function writeResults(results: TestResults): void {
  const file = process.env.WASM_WARDEN_TEST_RESULTS;
  if (file) fs.writeFileSync(file, JSON.stringify(results, null, 2));
}

export async function run(): Promise<void> {
  const results: TestResults = { passed: 0, failed: 0, skipped: 0, failures: [], tests: [] };
  try {
    const files = suiteFiles();
    if (files.length === 0) throw new Error(`No test suites found in ${path.join(__dirname, 'suite')}.`);
    const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
    // Lets a developer run one suite or test: WASM_WARDEN_TEST_GREP="diagnostics" npm run test:vscode
    if (process.env.WASM_WARDEN_TEST_GREP) mocha.grep(process.env.WASM_WARDEN_TEST_GREP);
    for (const file of files) mocha.addFile(file);

    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (test) => {
        results.passed++;
        results.tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration });
      });
      // Also fires for failing hooks, which must count as failures too.
      runner.on('fail', (test, error) => {
        const message = describeError(error);
        results.failed++;
        results.failures.push({ title: test.fullTitle(), error: message });
        results.tests.push({
          title: test.fullTitle(),
          state: 'failed',
          durationMs: test.duration,
          error: message,
        });
      });
      runner.on('pending', (test) => {
        results.skipped++;
        results.tests.push({ title: test.fullTitle(), state: 'skipped' });
      });
    });
  } catch (error) {
    const message = describeError(error);
    results.failed++;
    results.failures.push({ title: 'in-editor test runner', error: message });
    results.tests.push({ title: 'in-editor test runner', state: 'failed', error: message });
  }
  writeResults(results);
  if (results.failed > 0) throw new Error(`${results.failed} in-editor test(s) failed.`);
}
