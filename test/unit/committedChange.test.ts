/** The editor's "since HEAD" lens and hover line (features/committedChange.ts) on a temporary git repository. */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { changeText, CommittedChanges } from '../../server/src/features/committedChange';
import { compileWat } from '../../server/src/core/wat/compile';

async function wasm(text: string): Promise<Uint8Array> {
  const { bytes } = await compileWat(text);
  assert.ok(bytes);
  return bytes;
}

const viewUri = (file: string): string => `wasm-warden:${encodeURI(file)}.wat`;

describe('committed changes (CodeLens and hover against git HEAD)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-committed-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('says what a changed module gained and lost since HEAD; nothing for an unchanged one', async () => {
    const repo = path.join(dir, 'repo');
    fs.mkdirSync(repo);
    const git = (...args: string[]): void => {
      execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo });
    };
    git('init', '-q');
    const changed = path.join(repo, 'changed.wasm');
    const same = path.join(repo, 'same.wasm');
    fs.writeFileSync(changed, await wasm('(module (import "env" "old" (func)) (memory 1 2))'));
    fs.writeFileSync(same, await wasm('(module)'));
    git('add', '.');
    git('commit', '-qm', 'v1');
    fs.writeFileSync(
      changed,
      await wasm(
        '(module (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32))) (memory 1))',
      ),
    );

    let refreshed = 0;
    const changes = new CommittedChanges(() => refreshed++);
    changes.fileChanged(changed);
    changes.fileChanged(same);
    await changes.settled();
    assert.equal(refreshed, 1);
    assert.deepEqual(changes.get(changed), {
      gained: [
        'capability group "random" (wasi_snapshot_preview1.random_get)',
        'memory 0 ceiling raised from 1..2 to 1..∞',
      ],
      lost: ['import env.old'],
    });
    assert.equal(changes.get(same), null);

    const lenses = changes.provideCodeLenses({ textDocument: { uri: viewUri(changed) } });
    assert.deepEqual(
      lenses.map((l) => l.command?.title),
      [
        '$(git-compare) Since HEAD: gained capability group "random" (wasi_snapshot_preview1.random_get), memory 0 ceiling raised from 1..2 to 1..∞; lost import env.old',
      ],
    );
    assert.deepEqual(changes.provideCodeLenses({ textDocument: { uri: viewUri(same) } }), []);
    assert.match(
      changes.hoverNote(viewUri(changed)) ?? '',
      /^\*\*Since HEAD: gained capability group "random"/,
    );
    assert.equal(changes.hoverNote(viewUri(same)), undefined);
  });

  it('no git repository, no lens (and no crash)', async () => {
    const loose = path.join(dir, 'loose');
    fs.mkdirSync(loose);
    const file = path.join(loose, 'm.wasm');
    fs.writeFileSync(file, await wasm('(module)'));
    const changes = new CommittedChanges(() => undefined);
    assert.equal(changes.get(file), undefined); // starts computing
    await changes.settled();
    assert.equal(changes.get(file), null);
    assert.deepEqual(changes.provideCodeLenses({ textDocument: { uri: viewUri(file) } }), []);
  });

  it('a long list is cut in the lens title', () => {
    assert.equal(
      changeText({ gained: ['a', 'b', 'c', 'd', 'e'], lost: [] }, 3),
      'Since HEAD: gained a, b, c and 2 more',
    );
    assert.equal(changeText({ gained: [], lost: [] }), 'Changed since HEAD; no capability gained or lost');
  });
});
