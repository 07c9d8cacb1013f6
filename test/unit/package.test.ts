/**
 * The .vsix holds exactly what the installed extension needs (see .vscodeignore), every file the
 * manifest points at is in it, and it stays small. Uses the dist/ that `npm test` builds first.
 * When you add a bundle or an asset the extension needs, add it to SHIPPED below.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..', '..', '..');
const vsce = path.join(repo, 'node_modules', '@vscode', 'vsce', 'vsce');
// The same flags as `npm run package` (`ls` accepts only the first).
const LIST_FLAGS = ['--no-dependencies'];
const PACKAGE_FLAGS = [...LIST_FLAGS, '--allow-missing-repository', '--no-rewrite-relative-links'];

const SHIPPED = [
  'CHANGELOG.md',
  'LICENSE',
  'README.md',
  'dist/cli.js',
  'dist/cli-check.js',
  'dist/cli-diff.js',
  'dist/cli-inspect-text.js',
  'dist/cli-inspect.js',
  'dist/cli-keygen.js',
  'dist/cli-policy.js',
  'dist/cli-run.js',
  'dist/cli-sbom.js',
  'dist/cli-sign.js',
  'dist/cli-verify.js',
  'dist/client.js',
  'dist/disasm-worker.js',
  'dist/component-transpiler.mjs',
  'dist/js-component-bindgen-component.core.wasm',
  'dist/js-component-bindgen-component.core2.wasm',
  'dist/sandbox-runner.js',
  'dist/scan-worker.js',
  'dist/server.js',
  'dist/wasm-tools.core.wasm',
  'dist/wasm-tools.core2.wasm',
  'dist/wabt.js',
  'dist/wat-analysis-worker.js',
  'dist/wat-compile-worker.js',
  'images/hover.png',
  'images/icon.png',
  'images/report-panel.png',
  'images/screenshot.png',
  'images/wasm-file.svg',
  'images/wasm-view.png',
  'package.json',
  'schemas/wasm-policy.schema.json',
  'syntaxes/wat.language-configuration.json',
  'syntaxes/wat.tmLanguage.json',
  'syntaxes/wit.language-configuration.json',
  'syntaxes/wit.tmLanguage.json',
];

/**
 * Compressed size limit: the development (unminified) build must fit too, the release one is far below.
 * Running components ships jco's bindgen and wasm-tools (WebAssembly, about 2.1 MB compressed).
 */
const MAX_VSIX_BYTES = 5 * 1024 * 1024;

function runVsce(args: string[]): string {
  return execFileSync(process.execPath, [vsce, ...args], {
    cwd: repo,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Every file path package.json makes VS Code load. */
function manifestPaths(): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const paths: string[] = [manifest.main, manifest.icon];
  for (const language of manifest.contributes?.languages ?? []) {
    if (language.configuration) paths.push(language.configuration);
    if (language.icon) paths.push(language.icon.light, language.icon.dark);
  }
  for (const grammar of manifest.contributes?.grammars ?? []) paths.push(grammar.path);
  for (const validation of manifest.contributes?.jsonValidation ?? []) {
    if (!/^https?:/.test(validation.url)) paths.push(validation.url);
  }
  return [...new Set(paths.filter(Boolean).map((p) => path.posix.normalize(p)))];
}

describe('the .vsix package', function () {
  this.timeout(120_000);
  let listed: string[];

  before(function () {
    if (!fs.existsSync(path.join(repo, 'dist', 'client.js'))) {
      throw new Error('dist/ is not built: run "npm run build" first (npm test does).');
    }
    listed = runVsce(['ls', ...LIST_FLAGS])
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .sort();
  });

  it('holds exactly the files the extension needs', () => {
    assert.deepEqual(listed, [...SHIPPED].sort());
  });

  it('holds every file package.json refers to', () => {
    for (const file of manifestPaths())
      assert.ok(listed.includes(file), `${file} is referenced by package.json but not packaged`);
  });

  it('has no sources, tests, source maps or node_modules', () => {
    const unwanted = listed.filter(
      (f) => /(^|\/)(node_modules|src|test|out)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts'),
    );
    assert.deepEqual(unwanted, []);
  });

  it(`packages into a .vsix under ${MAX_VSIX_BYTES / 1024 / 1024} MiB`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-vsix-'));
    try {
      const file = path.join(dir, 'wasm-warden.vsix');
      runVsce(['package', ...PACKAGE_FLAGS, '-o', file]);
      const size = fs.statSync(file).size;
      assert.ok(size > 10_000, `suspiciously small: ${size} bytes`);
      assert.ok(size < MAX_VSIX_BYTES, `${size} bytes`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
