// Reads and prints the results file the in-editor runner (index.ts) writes; shared by both launchers.
import { existsSync, readFileSync } from 'node:fs';

/** The runner's results, or undefined until the file exists and is complete JSON. */
export function readResults(file) {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // still being written
  }
}

/** Prints each test, the failures and the summary line; returns the exit code (no tests run is a failure). */
export function reportResults(results) {
  for (const test of results.tests ?? []) {
    const mark = test.state === 'passed' ? 'pass' : test.state === 'skipped' ? 'skip' : 'FAIL';
    console.log(`  ${mark}  ${test.title}${test.durationMs !== undefined ? ` (${test.durationMs} ms)` : ''}`);
  }
  for (const failure of results.failures ?? []) {
    console.log(`\nFAILED: ${failure.title}\n${failure.error}`);
  }
  const passed = Number(results.passed) || 0;
  const failed = Number(results.failed) || 0;
  const skipped = Number(results.skipped) || 0;
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  if (failed > 0) return 1;
  if (passed === 0) {
    console.error('No in-editor test ran: treating that as a failure.');
    return 1;
  }
  return 0;
}
