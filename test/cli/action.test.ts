/**
 * The composite GitHub Action (action.yml at the repository root): its inputs, and its `check` and
 * `verdict` steps' commands run with bash exactly as the runner would (inputs and step outputs
 * substituted, GITHUB_ACTION_PATH at this checkout, GITHUB_OUTPUT a file). The `build` step (npm ci
 * and build) is the one `npm test` already ran; the `uses:` steps are GitHub's own actions.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { compileWat } from '../../server/src/core/wat/compile';
import { REPO_ROOT } from '../support/lspClient';

interface Step {
  id?: string;
  uses?: string;
  if?: string;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
  with?: Record<string, unknown>;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as Action;

/** Runs the step `id` in `cwd` with these inputs; returns its exit code and the outputs it wrote. */
function runStep(
  id: string,
  cwd: string,
  inputs: Record<string, string>,
  outputs: Record<string, Record<string, string>> = {},
): { code: number | null; outputs: Record<string, string>; stdout: string } {
  const step = action.runs.steps.find((s) => s.id === id);
  assert.ok(step?.run, `step ${id}`);
  assert.equal(step.shell, 'bash');
  const values = Object.fromEntries(
    Object.entries(action.inputs).map(([name, spec]) => [name, inputs[name] ?? spec.default ?? '']),
  );
  const expand = (text: string): string =>
    text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, expr: string) => {
      const [scope, ...rest] = expr.split('.');
      if (scope === 'inputs') return values[rest[0]];
      if (scope === 'steps' && rest[1] === 'outputs') return outputs[rest[0]]?.[rest[2]] ?? '';
      throw new Error(`unexpected expression ${expr}`);
    });
  assert.ok(!/\$\{\{/.test(step.run), 'run scripts take inputs through env only (no expression injection)');
  const outputFile = path.join(cwd, `.github-output-${id}`);
  fs.writeFileSync(outputFile, '');
  const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v)]));
  const r = spawnSync('bash', ['-e', '-c', step.run], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env, GITHUB_ACTION_PATH: REPO_ROOT, GITHUB_OUTPUT: outputFile, NO_COLOR: '1' },
  });
  const written = Object.fromEntries(
    fs
      .readFileSync(outputFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { code: r.status, outputs: written, stdout: r.stdout + r.stderr };
}

describe('action.yml (composite GitHub Action)', function () {
  this.timeout(120_000);
  let dir: string;
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
      cwd: dir,
      encoding: 'utf8',
    });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-action-'));
    const v1 = await compileWat(
      '(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))))',
    );
    const v2 =
      await compileWat(`(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "sock_send" (func (param i32 i32 i32 i32 i32) (result i32))))`);
    git('init', '-q');
    fs.mkdirSync(path.join(dir, 'plugins'));
    fs.writeFileSync(
      path.join(dir, 'wasm-policy.json'),
      JSON.stringify({ imports: { allow: ['wasi_snapshot_preview1.*'] } }),
    );
    fs.writeFileSync(path.join(dir, 'plugins', 'p.wasm'), v1.bytes!);
    git('add', '.');
    git('commit', '-qm', 'v1');
    fs.writeFileSync(path.join(dir, 'plugins', 'p.wasm'), v2.bytes!);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is a composite action with inputs for paths, policy, baseline and fail level, and uploads SARIF', () => {
    assert.equal(action.runs.using, 'composite');
    for (const input of [
      'paths',
      'policy',
      'baseline',
      'baseline-git',
      'fail-level',
      'sarif-file',
      'upload-sarif',
    ])
      assert.ok(action.inputs[input], input);
    const upload = action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    assert.ok(upload);
    assert.equal(upload.with?.sarif_file, '${{ steps.check.outputs.sarif-file }}');
    assert.match(upload.if ?? '', /always\(\)/);
    assert.equal(action.outputs['exit-code'].value, '${{ steps.check.outputs.exit-code }}');
  });

  it('without a baseline: exit code 0, a SARIF 2.1.0 file, and the verdict passes', () => {
    const check = runStep('check', dir, {});
    assert.equal(check.code, 0, check.stdout);
    assert.deepEqual(check.outputs, { 'exit-code': '0', 'sarif-file': 'wasm-warden.sarif' });
    const sarif = JSON.parse(fs.readFileSync(path.join(dir, 'wasm-warden.sarif'), 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    assert.equal(runStep('verdict', dir, {}, { check: check.outputs }).code, 0);
  });

  it('the rollout gate: with baseline-git HEAD and fail-level warning the gained capability fails the job', () => {
    const inputs = { 'baseline-git': 'HEAD', 'fail-level': 'warning', 'sarif-file': 'gate.sarif' };
    const check = runStep('check', dir, inputs);
    assert.equal(check.code, 0, check.stdout);
    assert.equal(check.outputs['exit-code'], '1');
    const sarif = JSON.parse(fs.readFileSync(path.join(dir, 'gate.sarif'), 'utf8'));
    const results = sarif.runs[0].results.filter((r: { ruleId: string }) => r.ruleId === 'capability-change');
    assert.equal(results.length, 1);
    assert.match(results[0].message.text, /gained capability group "network"/);
    const verdict = runStep('verdict', dir, inputs, { check: check.outputs });
    assert.equal(verdict.code, 1);
    assert.match(verdict.stdout, /::error::wasm-warden check found problems/);
    assert.equal(
      runStep('verdict', dir, { ...inputs, 'fail-level': 'none' }, { check: check.outputs }).code,
      0,
    );
  });

  it('a bad fail level stops the step with exit 2', () => {
    const check = runStep('check', dir, { 'fail-level': 'sometimes' });
    assert.equal(check.code, 2);
    assert.match(check.stdout, /fail-level must be error, warning or none/);
  });
});
