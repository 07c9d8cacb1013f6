/** `wasm-warden diff` and the rollout gate `check --baseline / --baseline-git`, run from dist/cli.js. */
import { runCliProcess, wasmOf } from '../support/cli';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sharedTestdata } from '../support/sharedTestdata';

const cli = runCliProcess;
const wasm = wasmOf;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON output read loosely
type Json = any;

const V1 =
  '(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))) (memory 1 2))';
const V2 = `(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func (param i32 i32 i32 i32 i32) (result i32))) (memory 1 2))`;
const V3 =
  '(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))) (memory 1))';
/** Allows everything v2 does, so only the gate reports it. */
const POLICY = JSON.stringify({
  imports: { allow: ['wasi_snapshot_preview1.*'] },
  rules: { 'table-exposure': 'off' },
});

function gateFindings(stdoutJson: string): Array<{ message: string; severity: string }> {
  const report = JSON.parse(stdoutJson) as Json;
  return report.files.flatMap((f: Json) => f.findings.filter((x: Json) => x.ruleId === 'capability-change'));
}

describe('wasm-warden diff and check --baseline', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-baseline-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function layout(files: Record<string, string | Uint8Array>): Promise<void> {
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(dir, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(
        file,
        typeof content === 'string' && name.endsWith('.wasm') ? await wasm(content) : content,
      );
    }
  }

  it('diff: exit 1 with gains in text, JSON and Markdown; exit 0 for the same module; 2 for usage', async () => {
    await layout({ 'v1.wasm': V1, 'v2.wasm': V2 });
    const text = cli(['diff', 'v1.wasm', 'v2.wasm'], dir);
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /^--- v1\.wasm\n\+\+\+ v2\.wasm\n/);
    assert.match(
      text.stdout,
      /\nGained \(1\): capability group "network" \(wasi_snapshot_preview1\.sock_send\)\n/,
    );
    const json = cli(['diff', '--json', 'v1.wasm', 'v2.wasm'], dir);
    const parsed = JSON.parse(json.stdout) as Json;
    assert.deepEqual(parsed.gained, [
      {
        kind: 'capability',
        text: 'capability group "network" (wasi_snapshot_preview1.sock_send)',
        key: 'wasi_snapshot_preview1.sock_send',
      },
    ]);
    assert.deepEqual(parsed.diff.capabilities, { added: ['network'], removed: [] });
    const md = cli(['diff', '--format', 'markdown', 'v1.wasm', 'v2.wasm'], dir);
    assert.match(md.stdout, /^### Wasm Warden diff: `v1\.wasm` → `v2\.wasm`\n/);
    assert.match(md.stdout, /\n- ⚠️ capability group "network"/);
    assert.equal(cli(['diff', 'v1.wasm', 'v1.wasm'], dir).code, 0);
    assert.equal(cli(['diff', 'v1.wasm'], dir).code, 2);
    assert.equal(cli(['diff', '--format', 'yaml', 'v1.wasm', 'v2.wasm'], dir).code, 2);
    const missing = cli(['diff', 'v1.wasm', 'nope.wasm'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.wasm: no such file/);
  });

  it('--baseline DIR: a gained import is reported although the policy allows it; the same module is clean', async () => {
    await layout({
      'wasm-policy.json': POLICY,
      'old/app/m.wasm': V1,
      'old/app/same.wasm': V1,
      'app/m.wasm': V2,
      'app/same.wasm': V1,
    });
    const r = cli(['check', '--format', 'json', '--baseline', 'old', 'app'], dir);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Json;
    const byFile = Object.fromEntries(
      report.files.map((f: Json) => [
        path.basename(f.path),
        f.findings.map((x: Json) => [x.ruleId, x.severity, x.message]),
      ]),
    );
    assert.deepEqual(byFile['m.wasm'], [
      [
        'capability-change',
        'warning',
        `Since the baseline (${path.join('old', 'app', 'm.wasm')}) this module gained capability group "network" (wasi_snapshot_preview1.sock_send).`,
      ],
    ]);
    assert.deepEqual(byFile['same.wasm'], []);
  });

  it('the policy raises capability-change to an error (exit 1); a raised memory ceiling is a gain', async () => {
    await layout({
      'wasm-policy.json': JSON.stringify({
        imports: { allow: ['wasi_snapshot_preview1.*'] },
        memory: { requireMaximum: false },
        rules: { 'capability-change': 'error' },
      }),
      'base.wasm': V1,
      'now/m.wasm': V3,
    });
    const r = cli(['check', '--format', 'json', '--baseline', 'base.wasm', 'now/m.wasm'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(
      gateFindings(r.stdout).map((f) => [f.severity, f.message]),
      [
        [
          'error',
          'Since the baseline (base.wasm) this module gained memory 0 ceiling raised from 1..2 to 1..∞.',
        ],
      ],
    );
  });

  it('a lost signature is reported', () => {
    const modules = sharedTestdata('wasm-signatures', 'modules');
    fs.mkdirSync(path.join(dir, 'old'));
    fs.copyFileSync(path.join(modules, '02_signed_key1_keyid.wasm'), path.join(dir, 'old', 'm.wasm'));
    fs.copyFileSync(path.join(modules, '00_unsigned.wasm'), path.join(dir, 'm.wasm'));
    const r = cli(['check', '--format', 'json', '--baseline', 'old', 'm.wasm'], dir);
    assert.deepEqual(
      gateFindings(r.stdout).map((f) => f.message),
      [`Since the baseline (${path.join('old', 'm.wasm')}) this module gained signature removed.`],
    );
  });

  it('--baseline-git REF in a temporary repository: changed, unchanged and new modules; a bad ref is exit 2', async () => {
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
        cwd: dir,
        encoding: 'utf8',
      });
    git('init', '-q');
    await layout({ 'wasm-policy.json': POLICY, 'mods/a.wasm': V1, 'mods/b.wasm': V1 });
    git('add', '.');
    git('commit', '-qm', 'v1');
    await layout({ 'mods/a.wasm': V2, 'mods/c.wasm': V2 });
    const r = cli(['check', '--format', 'json', '--baseline-git', 'HEAD'], dir);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Json;
    const byFile = Object.fromEntries(
      report.files.map((f: Json) => [
        path.basename(f.path),
        f.findings.filter((x: Json) => x.ruleId === 'capability-change').map((x: Json) => x.message),
      ]),
    );
    assert.deepEqual(byFile, {
      'a.wasm': [
        'Since the baseline (git HEAD) this module gained capability group "network" (wasi_snapshot_preview1.sock_send).',
      ],
      'b.wasm': [],
      'c.wasm': [
        'This module is not in the baseline (git HEAD): it arrives with capability groups io, network and 2 imports.',
      ],
    });
    const bad = cli(['check', '--baseline-git', 'no-such-ref'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--baseline-git: "no-such-ref" is not a commit/);
    assert.equal(cli(['check', '--baseline', 'x', '--baseline-git', 'HEAD'], dir).code, 2);
  });
});
