/**
 * Policies written to turn the tool against itself: patterns that would backtrack or overflow a
 * regular expression, globs too long to compile, keys borrowed from Object.prototype, and policy
 * files that exist but cannot be read as files (a folder, dangling or looping links, a FIFO).
 * The promise under test: a broken, unreadable or hostile policy never lets a module through that
 * a correct strict policy would stop.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { checkFile } from '../../server/src/cli/check/checkFile';
import { STRICT_POLICY_TEXT } from '../../server/src/core/policy/builtins';
import { nodeFileSystem } from '../../server/src/core/policy/fileSystem';
import { compileGlob, MAX_GLOB_LENGTH } from '../../server/src/core/policy/globMatcher';
import { compilePattern, MAX_PATTERN_LENGTH } from '../../server/src/core/policy/patterns';
import { PolicyResolver } from '../../server/src/core/policy/resolver';
import { seededRandom } from '../support/seededRandom';
import { MemoryFileSystem } from './policyMemoryFs';

const ROOT = path.resolve(__dirname, '../../..');

/** The same pattern as the regular expression the matcher replaced (fine on small inputs). */
const referenceRegExp = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );

describe('hostile policies', () => {
  describe('import patterns match in linear time', () => {
    it('does not backtrack on env.*a*a*a*a*a*a*a*a*b', () => {
      // As a regular expression this takes exponential time in the number of stars: the test
      // would time out long before it finished.
      const pattern = `env.${'*a'.repeat(40)}*b`;
      const matches = compilePattern(pattern);
      assert.equal(matches(`env.${'a'.repeat(20_000)}`), false);
      assert.equal(matches(`env.${'a'.repeat(20_000)}b`), true);
    });

    it('matches a pattern too long for the regular-expression engine', () => {
      const pattern = `${'*'.repeat(35_000)}x`;
      assert.throws(() => referenceRegExp(pattern).test('ax'), /stack|too large|Invalid/i);
      assert.equal(compilePattern(pattern)('ax'), true);
      assert.equal(compilePattern(pattern)('ay'), false);
    });

    it('agrees with the regular expression it replaced on 20,000 seeded pattern/name pairs', () => {
      const random = seededRandom(14);
      const alphabet = ['a', 'b', '.', '*', ':', '_'];
      const word = (max: number) =>
        Array.from({ length: random(max) }, () => alphabet[random(alphabet.length)]).join('');
      for (let i = 0; i < 20_000; i++) {
        const pattern = word(9);
        const text = word(12).replace(/\*/g, 'a');
        assert.equal(
          compilePattern(pattern)(text),
          referenceRegExp(pattern).test(text),
          `${pattern} vs ${text}`,
        );
      }
    });
  });

  describe('override globs match in linear time', () => {
    it('does not backtrack where picomatch would (20 s for 10 stars on a 40-character path)', () => {
      const glob = `**/${'a*'.repeat(60)}b`;
      const matches = compileGlob(glob);
      assert.equal(matches(`x/${'a'.repeat(5_000)}`), false);
      assert.equal(matches(`x/y/${'a'.repeat(60)}b`), true);
    });

    const table: Array<[string, string, boolean]> = [
      ['plugins/**/*.wasm', 'plugins/a.wasm', true],
      ['plugins/**/*.wasm', 'plugins/x/y/a.wasm', true],
      ['plugins/**/*.wasm', 'other/a.wasm', false],
      ['legacy/*', 'legacy/a/b.wasm', false],
      ['a/**', 'a', true],
      ['a/**', 'a/b/c', true],
      ['**', 'a/b', true],
      ['**/*.wasm', '../x/m.wasm', false],
      ['../*.wasm', '../m.wasm', true],
      ['**/*.wasm', '.hidden/m.wasm', true],
      ['*.{wasm,wat}', 'm.wat', true],
      ['*.{wasm,wat}', 'm.wast', false],
      ['{a,b/{c,d}}/*.wasm', 'b/d/m.wasm', true],
      ['[a-c]x', 'bx', true],
      ['[a-c]x', 'dx', false],
      ['?.wasm', 'a.wasm', true],
      ['?.wasm', '/.wasm', false],
      ['a**b', 'axyb', true],
      ['a**b', 'ax/yb', false],
      ['a\\*b', 'a*b', true],
      ['a\\*b', 'axb', false],
    ];
    for (const [glob, file, expected] of table) {
      it(`${glob} ${expected ? 'matches' : 'does not match'} ${file} (as picomatch)`, () => {
        assert.equal(compileGlob(glob)(file), expected);
        assert.equal(picomatch(glob, { dot: true })(file), expected, 'picomatch agrees');
      });
    }

    it('agrees with picomatch on 5,000 seeded globs and paths', () => {
      const random = seededRandom(1414);
      const segments = ['a', 'b', 'x', '*', '*.wasm', 'a*', '?', '?.wasm', '{a,b}', '[ab]x', '.wasm', '**'];
      const names = ['a', 'b', 'x', 'ab', 'a.wasm', 'x.wasm', '.wasm', 'bx', 'ax'];
      let matched = 0;
      for (let i = 0; i < 5_000; i++) {
        const parts = Array.from({ length: 1 + random(4) }, () => segments[random(segments.length)]!);
        // A last `/**` after a wildcard segment is one of picomatch's irregular readings.
        while (parts.length > 1 && parts.at(-1) === '**' && /[*?[{]/.test(parts.at(-2)!)) parts.pop();
        const glob = parts.join('/');
        const file = Array.from({ length: 1 + random(4) }, () => names[random(names.length)]).join('/');
        const expected = picomatch(glob, { dot: true })(file);
        if (expected) matched++;
        assert.equal(compileGlob(glob)(file), expected, `${JSON.stringify(glob)} vs ${JSON.stringify(file)}`);
      }
      assert.ok(matched > 200, `enough pairs match to mean something (${matched})`);
    });
  });

  describe('validation', () => {
    const problemsOf = (text: string) => {
      const fs = new MemoryFileSystem({ '/ws/wasm-policy.json': text });
      return new PolicyResolver(fs, { roots: ['/ws'], knownRules: ['disallowed-import'] })
        .problemsOf('/ws/wasm-policy.json')
        .filter((p) => p.severity === 'error')
        .map((p) => p.message);
    };

    for (const key of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__']) {
      it(`refuses "${key}" where it is not a field`, () => {
        for (const text of [
          `{ "${key}": {} }`,
          `{ "imports": { "${key}": "allow" } }`,
          `{ "memory": { "${key}": 1 } }`,
          `{ "overrides": [{ "files": ["*"], "${key}": {} }] }`,
        ]) {
          assert.deepEqual(
            problemsOf(text).filter((m) => m.includes(`Unknown key "${key}"`)).length,
            1,
            `${text}: ${problemsOf(text).join('; ')}`,
          );
        }
      });
    }

    it('still accepts such names where keys are free (environment variables)', () => {
      assert.deepEqual(problemsOf('{ "sandbox": { "env": { "constructor": "x", "toString": "y" } } }'), []);
    });

    it('gives a located error for a pattern or a glob too long to be one', () => {
      const long = 'x'.repeat(MAX_PATTERN_LENGTH + 1);
      assert.match(problemsOf(`{ "imports": { "deny": ["${long}"] } }`).join(), /at most 4096/);
      const glob = 'a'.repeat(70_000);
      assert.ok(glob.length > MAX_GLOB_LENGTH);
      assert.match(
        problemsOf(`{ "overrides": [{ "files": ["${glob}"], "imports": {} }] }`).join(),
        /at most 4096/,
      );
    });
  });

  describe('a broken, unreadable or hostile policy never lets through what a strict policy stops', function () {
    this.timeout(60_000);
    let base: string;
    const modules = [
      path.join(ROOT, 'examples/hello.wasm'),
      path.join(ROOT, 'examples/hello.wat'),
      path.join(ROOT, 'test/fixtures/hostile/sockets.wat'),
      path.join(ROOT, 'test/fixtures/hostile/huge-initial-memory.wat'),
      path.join(ROOT, 'test/fixtures/sandbox/add.wat'),
    ];
    /** Each case writes `wasm-policy.json` (and what it needs) into a folder of its own. */
    const cases: Array<[string, (dir: string) => void]> = [
      ['a syntax error', (d) => write(d, '{ "imports": ')],
      ['two objects', (d) => write(d, '{} {}')],
      ['an empty file', (d) => write(d, '')],
      ['binary data', (d) => write(d, Buffer.from([0, 1, 2, 0xff, 0xfe]))],
      ['seeded random bytes', (d) => write(d, Buffer.from(Array.from({ length: 512 }, seededBytes(7))))],
      ['nesting 100,000 deep', (d) => write(d, `{"imports":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)],
      ['a wrong type', (d) => write(d, '{ "imports": "allow everything" }')],
      [
        '"constructor" at the top',
        (d) => write(d, '{ "constructor": {}, "imports": { "otherwise": "allow" } }'),
      ],
      ['"toString" in imports', (d) => write(d, '{ "imports": { "toString": "x", "otherwise": "allow" } }')],
      [
        '"valueOf" in memory',
        (d) => write(d, '{ "memory": { "valueOf": 1 }, "imports": { "otherwise": "allow" } }'),
      ],
      [
        '"__proto__" smuggling a setting',
        (d) => write(d, '{ "imports": { "__proto__": { "otherwise": "allow" } } }'),
      ],
      [
        'a 35,000-character deny pattern',
        (d) => write(d, `{ "imports": { "deny": ["${'x'.repeat(35_000)}*"], "otherwise": "allow" } }`),
      ],
      [
        'a 70,000-character override glob',
        (d) =>
          write(
            d,
            `{ "overrides": [{ "files": ["${'a'.repeat(70_000)}"], "imports": { "otherwise": "allow" } }] }`,
          ),
      ],
      ['a folder', (d) => fs.mkdirSync(path.join(d, 'wasm-policy.json'))],
      ['a dangling symbolic link', (d) => fs.symlinkSync('nowhere.json', path.join(d, 'wasm-policy.json'))],
      ['a symbolic link loop', (d) => fs.symlinkSync('wasm-policy.json', path.join(d, 'wasm-policy.json'))],
      ['a FIFO (never opened for blocking reads)', (d) => mkfifo(path.join(d, 'wasm-policy.json'))],
      [
        'extends a FIFO',
        (d) => (mkfifo(path.join(d, 'base.json')), write(d, '{ "extends": "./base.json" }')),
      ],
      [
        'extends a folder',
        (d) => (fs.mkdirSync(path.join(d, 'base.json')), write(d, '{ "extends": "./base.json" }')),
      ],
      [
        'extends nothing',
        (d) => write(d, '{ "extends": "./missing.json", "imports": { "otherwise": "allow" } }'),
      ],
      [
        'extends itself',
        (d) => write(d, '{ "extends": "./wasm-policy.json", "imports": { "otherwise": "allow" } }'),
      ],
      [
        'extends a broken policy',
        (d) => (
          fs.writeFileSync(path.join(d, 'base.json'), '{ "imports": { "otherwise": "allow" '),
          write(d, '{ "extends": "./base.json" }')
        ),
      ],
    ];

    before(() => {
      base = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-hostile-policy-'));
    });
    after(() => fs.rmSync(base, { recursive: true, force: true }));

    const folder = (name: string, setUp: (dir: string) => void) => {
      const dir = path.join(base, name.replace(/[^a-z0-9]+/gi, '-'));
      fs.mkdirSync(dir);
      for (const module of modules) fs.copyFileSync(module, path.join(dir, path.basename(module)));
      setUp(dir);
      return dir;
    };
    const errorsOf = async (dir: string, policyPath?: string) => {
      const result: Record<string, string[]> = {};
      for (const module of modules) {
        const report = await checkFile(path.join(dir, path.basename(module)), {
          root: dir,
          ruleOverrides: {},
          ...(policyPath ? { policyPath } : {}),
        });
        result[path.basename(module)] = report.findings
          .filter((f) => f.severity === 'error')
          .map((f) => f.ruleId);
      }
      return result;
    };

    let strict: Record<string, string[]>;
    before(async () => {
      strict = await errorsOf(folder('strict', (d) => write(d, STRICT_POLICY_TEXT)));
      assert.ok(
        Object.values(strict).some((errors) => errors.length > 0),
        'the strict policy stops some of these modules',
      );
    });

    for (const [name, setUp] of cases) {
      it(name, async () => {
        const dir = folder(name, setUp);
        const broken = await errorsOf(dir);
        for (const [module, errors] of Object.entries(broken)) {
          assert.ok(
            errors.includes('policy-error'),
            `${module}: the policy's problem is reported (${errors})`,
          );
          if (strict[module]!.length > 0)
            assert.ok(errors.length > 0, `${module} is stopped as under strict`);
        }
        const policy = new PolicyResolver(nodeFileSystem, { roots: [dir] }).resolve(
          path.join(dir, 'hello.wasm'),
        );
        assert.equal(policy.source.kind, 'strict-fallback');
        assert.equal(policy.checkImport('wasi_snapshot_preview1', 'fd_write').decision, 'deny');
        assert.equal(policy.moduleProblem?.severity, 'error');
      });
    }

    it('a forced policy path (--policy) that is a FIFO fails closed too', async () => {
      const dir = folder('forced fifo', () => undefined);
      const fifo = path.join(dir, 'forced.json');
      mkfifo(fifo);
      const errors = await errorsOf(dir, fifo);
      for (const module of Object.keys(errors)) assert.ok(errors[module]!.includes('policy-error'), module);
    });

    it('hostile but valid patterns decide exactly as the strict policy does', async () => {
      const hostile = JSON.parse(STRICT_POLICY_TEXT) as { imports: { deny: string[] } };
      hostile.imports.deny = [`env.${'*a'.repeat(40)}*b`, `${'*'.repeat(4_000)}x`, '*'];
      const errors = await errorsOf(folder('hostile valid', (d) => write(d, JSON.stringify(hostile))));
      assert.deepEqual(errors, strict);
    });

    it('wasm-warden check exits non-zero beside a FIFO policy, and says why', () => {
      const dir = folder('cli fifo', (d) => mkfifo(path.join(d, 'wasm-policy.json')));
      let status = 0;
      let output = '';
      try {
        execFileSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'check', dir], { encoding: 'utf8' });
      } catch (error) {
        const e = error as { status: number; stdout: string };
        status = e.status;
        output = e.stdout;
      }
      assert.notEqual(status, 0);
      assert.match(output, /named pipe \(FIFO\)/);
    });
  });
});

function write(dir: string, text: string | Buffer): void {
  fs.writeFileSync(path.join(dir, 'wasm-policy.json'), text);
}

function mkfifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

function seededBytes(seed: number): () => number {
  const random = seededRandom(seed);
  return () => random(256);
}
