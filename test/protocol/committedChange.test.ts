/** Over LSP: a workspace .wasm that changed on disk gets a "since HEAD" CodeLens on its text view. */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileWat } from '../../server/src/core/wat/compile';
import { LspTestClient } from '../support/lspClient';

interface Lens {
  command?: { title: string };
}

describe('committed-change CodeLens over LSP', function () {
  this.timeout(60_000);
  let dir: string;
  let client: LspTestClient;

  before(async () => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ww-lens-')));
    const git = (...args: string[]): void => {
      execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir });
    };
    git('init', '-q');
    fs.writeFileSync(path.join(dir, 'm.wasm'), (await compileWat('(module (memory 1 2))')).bytes!);
    git('add', '.');
    git('commit', '-qm', 'v1');
    client = new LspTestClient();
    await client.initialize(dir);
  });
  after(async () => {
    await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows what the module gained once the file changes on disk', async () => {
    const file = path.join(dir, 'm.wasm');
    fs.writeFileSync(file, (await compileWat('(module (import "env" "f" (func)) (memory 1 2))')).bytes!);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: pathToFileURL(file).href, type: 2 }],
    });
    const view = `wasm-warden:${encodeURI(file)}.wat`;
    const deadline = Date.now() + 30_000;
    let titles: string[] = [];
    while (Date.now() < deadline) {
      const lenses = await client.connection.sendRequest<Lens[] | null>('textDocument/codeLens', {
        textDocument: { uri: view },
      });
      titles = (lenses ?? []).map((l) => l.command?.title ?? '');
      if (titles.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(titles, ['$(git-compare) Since HEAD: gained import env.f']);
  });
});
