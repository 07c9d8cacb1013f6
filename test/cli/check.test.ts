import { runCliProcess, wasmOf, type CliRun } from '../support/cli';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { checkFile } from '../../server/src/cli/check/checkFile';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- SARIF logs are read as loose JSON here
type SarifLog = any;

/** Runs `wasm-warden check ARGS` (or, with `raw`, `wasm-warden ARGS`). */
function cli(args: string[], cwd: string, raw = false): CliRun {
  return runCliProcess([...(raw ? [] : ['check']), ...args], cwd);
}

const wasm = wasmOf;

const POLICY = `{
  // the fixtures' policy
  "imports": { "allow": ["wasi_snapshot_preview1.fd_write"], "otherwise": "deny" },
  "memory": { "maxPages": 16, "requireMaximum": true }
}`;

const HELLO = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory 1 1))`;
const SNEAKY = `(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory 1 1)
  (func (export "run") (result i32)
    (call $open (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0))))`;
const UNBOUNDED_TEXT = '(module\n  (memory 1))\n';

describe('wasm-warden check', function () {
  this.timeout(120_000);
  let root: string;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-check-'));
    fs.writeFileSync(path.join(root, 'wasm-policy.json'), POLICY);
    fs.writeFileSync(path.join(root, 'good.wasm'), await wasm(HELLO));
    fs.writeFileSync(path.join(root, 'sneaky.wasm'), await wasm(SNEAKY));
    fs.mkdirSync(path.join(root, 'text'));
    fs.writeFileSync(path.join(root, 'text', 'unbounded.wat'), UNBOUNDED_TEXT);
    fs.mkdirSync(path.join(root, 'node_modules', 'dep'), { recursive: true });
    fs.writeFileSync(path.join(root, 'node_modules', 'dep', 'dep.wasm'), await wasm(SNEAKY));
    fs.mkdirSync(path.join(root, 'build'));
    fs.writeFileSync(path.join(root, 'build', 'out.wasm'), await wasm(SNEAKY));
    fs.writeFileSync(path.join(root, '.gitignore'), 'build/\n');
    // A symlink loop: walking must terminate and count every module once.
    fs.symlinkSync('..', path.join(root, 'text', 'loop'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('prints findings grouped by file with +0xOFFSET and line:col, and exits 1 on errors', () => {
    const r = cli([], root);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^sneaky\.wasm\n {2}\+0x[0-9a-f]+ +error +.*path_open.*disallowed-import$/m);
    assert.match(r.stdout, /^text\/unbounded\.wat\n {2}2:3 +(error|warning) +.*memory-limit$/m);
    assert.doesNotMatch(r.stdout, /node_modules|build\/out\.wasm|good\.wasm/);
    assert.match(r.stdout, /in 2 of 3 modules\n$/);
    assert.equal(r.stderr, '');
  });

  it('checks an ignored folder when a path names it', () => {
    const r = cli(['build', '--format', 'json'], root);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(
      report.files.map((f: { path: string }) => f.path),
      ['build/out.wasm'],
    );
    assert.equal(r.code, 1);
  });

  it('takes globs', () => {
    const report = JSON.parse(cli(['**/*.wat', '--format', 'json'], root).stdout);
    assert.deepEqual(
      report.files.map((f: { path: string }) => f.path),
      ['text/unbounded.wat'],
    );
  });

  it('writes JSON with 1-based text positions and byte offsets', () => {
    const r = cli(['--format', 'json'], root);
    const report = JSON.parse(r.stdout);
    assert.equal(report.summary.modules, 3);
    const sneaky = report.files.find((f: { path: string }) => f.path === 'sneaky.wasm');
    assert.equal(sneaky.policy, 'wasm-policy.json');
    const finding = sneaky.findings.find((f: { ruleId: string }) => f.ruleId === 'disallowed-import');
    assert.equal(finding.location.kind, 'binary');
    assert.ok(finding.location.offset > 8);
    assert.equal(finding.decidedBy.text, '"otherwise": "deny"');
    const text = report.files.find((f: { path: string }) => f.path === 'text/unbounded.wat');
    assert.deepEqual(
      text.findings.map((f: { location: { line: number; column: number } }) => [
        f.location.line,
        f.location.column,
      ]),
      [[2, 3]],
    );
  });

  it('writes SARIF 2.1.0 that validates against the official schema', () => {
    const out = path.join(root, 'report.sarif');
    const r = cli(['--format', 'sarif', '--output', out], root);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const log = JSON.parse(fs.readFileSync(out, 'utf8')) as SarifLog;
    fs.rmSync(out);
    const schema = JSON.parse(
      fs.readFileSync(
        require.resolve('@microsoft/sarif-matcher-utils/lib/schemas/sarif-2.1.0-rtm.5.json'),
        'utf8',
      ),
    );
    // The schema's language-tag pattern is not valid in Unicode mode; everything else is checked.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const valid = validate(JSON.parse(JSON.stringify(log)));
    assert.ok(valid, JSON.stringify(validate.errors, null, 2));

    const run = log.runs[0];
    const ruleIds = run.tool.driver.rules.map((rule: { id: string }) => rule.id);
    for (const id of ['disallowed-import', 'memory-limit', 'dangerous-import', 'cryptominer'])
      assert.ok(ruleIds.includes(id), id);
    for (const rule of run.tool.driver.rules)
      assert.match(rule.helpUri, new RegExp(`docs/rules/${rule.id}\\.md$`));
    const binary = run.results.find((res: { ruleId: string }) => res.ruleId === 'disallowed-import');
    assert.equal(binary.level, 'error');
    assert.equal(binary.locations[0].physicalLocation.artifactLocation.uri, 'sneaky.wasm');
    assert.ok(binary.locations[0].physicalLocation.region.byteOffset > 0);
    const text = run.results.find((res: { ruleId: string }) => res.ruleId === 'memory-limit');
    assert.deepEqual(
      [
        text.locations[0].physicalLocation.region.startLine,
        text.locations[0].physicalLocation.region.startColumn,
      ],
      [2, 3],
    );
    assert.ok(
      run.artifacts.some(
        (a: { location: { uri: string }; roles: string[] }) =>
          a.location.uri === 'wasm-policy.json' && a.roles.includes('userSpecifiedConfiguration'),
      ),
    );
  });

  it('exits 0 when clean, and 1 when warnings exceed --max-warnings', () => {
    assert.equal(cli(['good.wasm'], root).code, 0);
    const warnOnly = cli(['text', '--rule', 'memory-limit=warning'], root);
    assert.equal(warnOnly.code, 0, warnOnly.stdout);
    assert.equal(cli(['text', '--rule', 'memory-limit=warning', '--max-warnings', '0'], root).code, 1);
    assert.equal(cli(['text', '--rule', 'memory-limit=warning', '--max-warnings', '1'], root).code, 0);
  });

  it('--quiet reports errors only; --rule ID=off silences a rule', () => {
    const quiet = cli(['text', '--quiet', '--rule', 'memory-limit=warning'], root);
    assert.match(quiet.stdout, /no problems in 1 module/);
    assert.equal(cli(['sneaky.wasm', '--rule', 'disallowed-import=off'], root).code, 0);
  });

  it('--policy forces one policy file for every module', () => {
    const permissive = path.join(root, 'permissive.json');
    fs.writeFileSync(permissive, '{ "imports": { "otherwise": "allow" } }');
    try {
      const r = cli(['sneaky.wasm', '--policy', permissive, '--format', 'json'], root);
      const report = JSON.parse(r.stdout);
      assert.equal(report.files[0].policy, 'permissive.json');
      assert.equal(
        report.files[0].findings.filter((f: { ruleId: string }) => f.ruleId === 'disallowed-import').length,
        0,
      );
    } finally {
      fs.rmSync(permissive);
    }
  });

  it('uses the same result with several worker threads as with one', () => {
    const one = JSON.parse(cli(['--format', 'json', '--threads', '1'], root).stdout);
    const two = JSON.parse(cli(['--format', 'json', '--threads', '2'], root).stdout);
    assert.deepEqual(two, one);
  });

  it('rejects bad usage with exit 2 and no stack trace', () => {
    for (const args of [
      ['--format', 'xml'],
      ['--rule', 'no-such-rule=error'],
      ['--rule', 'memory-limit=loud'],
      ['--bogus'],
      ['--max-warnings', 'x'],
    ]) {
      const r = cli(args, root);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^wasm-warden check: .+\nRun "wasm-warden check --help" for usage\.\n$/);
    }
  });

  it('reports a missing path and a folder with no modules with exit 2', () => {
    const missing = cli(['does-not-exist.wasm'], root);
    assert.equal(missing.code, 2);
    assert.match(missing.stdout, /does-not-exist\.wasm: no such file or folder/);
    assert.match(missing.stdout, /^✖ nothing was checked: 1 path could not be read$/m);
    assert.doesNotMatch(missing.stdout, /✔/);
    assert.doesNotMatch(missing.stdout + missing.stderr, /\n\s+at /);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-empty-'));
    try {
      const r = cli([], empty);
      assert.equal(r.code, 2);
      assert.match(r.stdout, /no \.wasm or \.wat files found/);
    } finally {
      fs.rmSync(empty, { recursive: true });
    }
  });

  it('refuses a .wat longer than a string can be, at once and by its size, in check and inspect', async () => {
    const huge = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-huge-'));
    try {
      // Sparse: 600 MB of size, no blocks written (a real 1.9 GB wasm2wat print was read whole
      // before the engine's "Cannot create a string longer than…", after 48 s and 3.7 GB).
      const file = path.join(huge, 'printed.wat');
      fs.closeSync(fs.openSync(file, 'w'));
      fs.truncateSync(file, 600_000_000);
      const expected =
        /the text is 0\.6 GB, more than the 512 MiB a text module can have .*compile it to a \.wasm/;
      const checked = await checkFile(file, { root: huge, ruleOverrides: {} });
      assert.match(checked.error ?? '', expected);
      const inspected = runCliProcess(['inspect', 'printed.wat'], huge);
      assert.equal(inspected.code, 2);
      assert.match(inspected.stderr, /^wasm-warden inspect: cannot read printed\.wat: the text is 0\.6 GB/);
      assert.match(inspected.stderr, expected);
    } finally {
      fs.rmSync(huge, { recursive: true, force: true });
    }
  });

  it('fails closed with exit 2 when the policy is broken', () => {
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-broken-'));
    try {
      fs.writeFileSync(path.join(broken, 'wasm-policy.json'), '{ "imports": { "allow": [ }');
      fs.copyFileSync(path.join(root, 'good.wasm'), path.join(broken, 'good.wasm'));
      const r = cli(['--format', 'json'], broken);
      assert.equal(r.code, 2);
      const findings = JSON.parse(r.stdout).files[0].findings;
      assert.ok(findings.some((f: { ruleId: string }) => f.ruleId === 'policy-error'));
      // The strict fallback denies every import.
      assert.ok(findings.some((f: { ruleId: string }) => f.ruleId === 'disallowed-import'));
    } finally {
      fs.rmSync(broken, { recursive: true });
    }
  });

  it('reports a file that vanished or cannot be read instead of crashing', async () => {
    const vanished = await checkFile(path.join(root, 'gone.wasm'), { root, ruleOverrides: {} });
    assert.equal(vanished.error, 'the file vanished before it could be read');
    const directory = path.join(root, 'folder.wasm');
    fs.mkdirSync(directory);
    try {
      const unreadable = await checkFile(directory, { root, ruleOverrides: {} });
      assert.match(unreadable.error ?? '', /EISDIR/);
    } finally {
      fs.rmdirSync(directory);
    }
  });

  it('lists every flag in --help, and every command in the main help', () => {
    const help = cli(['check', '--help'], root, true);
    assert.equal(help.code, 0);
    for (const flag of [
      '--format',
      '--output',
      '--policy',
      '--rule',
      '--max-warnings',
      '--quiet',
      '--threads',
    ]) {
      assert.ok(help.stdout.includes(flag), flag);
    }
    const main = cli(['--help'], root, true);
    for (const command of ['check', 'inspect', 'policy', 'keygen', 'sign', 'verify', 'run']) {
      assert.match(main.stdout, new RegExp(`^ {2}${command} `, 'm'));
    }
  });
});
