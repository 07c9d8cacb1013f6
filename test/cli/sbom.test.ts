/** `wasm-warden sbom` from dist/cli.js: folders, both formats, -o, SOURCE_DATE_EPOCH and usage errors. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/lspClient';
import { sharedTestdata } from '../support/sharedTestdata';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

function cli(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'sbom', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, SOURCE_DATE_EPOCH: '1767225600' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('wasm-warden sbom', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-sbom-'));
    fs.mkdirSync(path.join(dir, 'mods'));
    for (const name of ['00_unsigned.wasm', '08_component_signed_key1.wasm'])
      fs.copyFileSync(sharedTestdata('wasm-signatures', 'modules', name), path.join(dir, 'mods', name));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('describes every module of a folder in CycloneDX (default) and SPDX', () => {
    const cdx = cli(['mods'], dir);
    assert.equal(cdx.code, 0, cdx.stderr);
    const bom = JSON.parse(cdx.stdout);
    assert.equal(bom.specVersion, '1.6');
    assert.equal(bom.metadata.timestamp, '2026-01-01T00:00:00.000Z');
    assert.deepEqual(
      bom.components.map((c: { name: string }) => c.name),
      ['mods/00_unsigned.wasm', 'mods/08_component_signed_key1.wasm'],
    );
    const out = cli(['--format', 'spdx', '-o', 'sbom.spdx.json', 'mods/00_unsigned.wasm'], dir);
    assert.equal(out.code, 0, out.stderr);
    const doc = JSON.parse(fs.readFileSync(path.join(dir, 'sbom.spdx.json'), 'utf8'));
    assert.equal(doc.spdxVersion, 'SPDX-2.3');
    assert.equal(doc.packages[0].name, 'mods/00_unsigned.wasm');
  });

  it('usage and I/O errors exit 2', () => {
    assert.equal(cli([], dir).code, 2);
    assert.equal(cli(['--format', 'xml', 'mods'], dir).code, 2);
    const missing = cli(['nope.wasm'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.wasm/);
  });
});
