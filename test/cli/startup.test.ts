/**
 * The CLI loads what a command needs when it needs it: dist/cli.js holds only the command list,
 * each command is a bundle of its own, and wabt (most of a bundle's size) loads only when text is
 * compiled. A preload script records every file the process requires from dist/.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/lspClient';
import { COMMANDS } from '../../server/src/cli/main';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

/** The dist/ files a CLI run loads, in order. */
function loadedBundles(args: string[]): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'ww-startup-'));
  const hook = path.join(dir, 'hook.js');
  writeFileSync(
    hook,
    `const Module = require('module');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const file = Module._resolveFilename(request, parent, isMain);
  if (file.includes('${path.join(REPO_ROOT, 'dist')}')) process.stderr.write('LOADED ' + require('path').basename(file) + '\\n');
  return load.apply(this, arguments);
};`,
  );
  const r = spawnSync(process.execPath, ['--require', hook, CLI, ...args], {
    encoding: 'utf8',
    cwd: REPO_ROOT,
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED '))
    .map((l) => l.slice(7));
}

describe('wasm-warden start-up', () => {
  it('answers --version and --help from dist/cli.js alone', () => {
    assert.deepEqual(loadedBundles(['--version']), ['cli.js']);
    assert.deepEqual(loadedBundles(['--help']), ['cli.js']);
  });

  it('loads only the inspect bundle for a binary; the text reader and wabt only for text, on its bounded worker for large text', () => {
    assert.deepEqual(loadedBundles(['inspect', 'examples/hello.wasm']), ['cli.js', 'cli-inspect.js']);
    // A small text compiles in place: a worker's start-up would cost more than the compile.
    assert.deepEqual(loadedBundles(['inspect', 'examples/add.wat']), [
      'cli.js',
      'cli-inspect.js',
      'cli-inspect-text.js',
      'wabt.js',
    ]);
    const large = path.join(mkdtempSync(path.join(tmpdir(), 'ww-startup-')), 'large.wat');
    writeFileSync(
      large,
      `(module\n${';; padding to past a mebibyte\n'.repeat(40_000)}  (func (export "f")))\n`,
    );
    assert.deepEqual(loadedBundles(['inspect', large]), [
      'cli.js',
      'cli-inspect.js',
      'cli-inspect-text.js',
      'wat-compile-worker.js',
      'wabt.js',
    ]);
  });

  it('lists each command with the summary it declares', () => {
    for (const entry of COMMANDS) {
      const command = entry.load();
      assert.equal(command.name, entry.name);
      assert.equal(command.summary, entry.summary);
    }
  });
});
