/**
 * `wasmWarden/componentWit` (the WIT document of a component): the world as WIT for a component,
 * through the `.wasm` URI or its view's URI; a sentence instead for a core module or a missing file.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { componentWit } from '../../server/src/features/componentWit';
import { DEFAULT_SETTINGS, type SettingsStore } from '../../server/src/features/settings';

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('wasmWarden/componentWit handler', () => {
  let dir: string;
  const settings = { get: async () => DEFAULT_SETTINGS } as unknown as SettingsStore;
  const noAnalysis = () => undefined;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'component-wit-'));
    copyFileSync(
      path.join(ROOT, 'test', 'fixtures', 'components', 'resources.wasm'),
      path.join(dir, 'kv.wasm'),
    );
    writeFileSync(path.join(dir, 'core.wasm'), Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers the world of a component, from the file or its text view', async () => {
    const file = path.join(dir, 'kv.wasm');
    const answer = await componentWit({ uri: pathToFileURL(file).href }, settings, noAnalysis);
    assert.equal(answer.kind, 'component');
    assert.ok(answer.kind === 'component');
    assert.match(answer.wit, /^\/\/ The world of kv\.wasm, decoded by Wasm Warden \(read-only\)\.\n/);
    assert.match(answer.wit, /\n {2}world root \{\n|\nworld root \{\n/);
    assert.match(answer.wit, /import example:kv\/store@1\.0\.0;/);
    const viaView = await componentWit({ uri: `wasm-warden:${encodeURI(file)}.wat` }, settings, noAnalysis);
    assert.deepEqual(viaView, answer);
  });

  it('says why for a core module and for a missing file', async () => {
    const core = await componentWit(
      { uri: pathToFileURL(path.join(dir, 'core.wasm')).href },
      settings,
      noAnalysis,
    );
    assert.deepEqual(core, {
      kind: 'module',
      message: 'core.wasm is a core module, not a component: it has no world.',
    });
    const missing = await componentWit(
      { uri: pathToFileURL(path.join(dir, 'gone.wasm')).href },
      settings,
      noAnalysis,
    );
    assert.equal(missing.kind, 'unreadable');
  });
});
