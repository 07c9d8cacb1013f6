/**
 * Every `$(icon)` the extension shows (status bar, CodeLens, commands) must exist in VS Code's
 * codicon font: an unknown name renders as a blank gap (as `$(shield-x)` did).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');
const CODICONS = new Set(
  fs
    .readFileSync(require.resolve('@vscode/codicons/dist/codicon.csv'), 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.split(',')[0])
    .filter(Boolean),
);

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.ts$/.test(entry.name) ? [full] : [];
  });
}

describe('codicons', () => {
  it('uses only icon names that exist in VS Code', () => {
    const files = [
      ...sources(path.join(REPO, 'client', 'src')),
      ...sources(path.join(REPO, 'server', 'src')),
    ];
    files.push(path.join(REPO, 'package.json'));
    const used: string[] = [];
    for (const file of files) {
      for (const [, name] of fs.readFileSync(file, 'utf8').matchAll(/\$\(([a-z][a-z0-9-]*)(?:~[a-z]+)?\)/g)) {
        used.push(name);
        assert.ok(CODICONS.has(name), `$(${name}) in ${path.relative(REPO, file)} is not a codicon`);
      }
    }
    assert.ok(used.includes('shield'), 'the scan finds the icons in use');
  });
});
