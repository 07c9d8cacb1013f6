/**
 * A real componentize-js component (SpiderMonkey in StarlingMonkey, about 12 MB), built here from
 * the committed source in test/fixtures/components/src-componentize/ rather than committed. The
 * build takes about a minute, so the result is cached under the OS temp folder, keyed by the
 * componentize-js version and the hash of the source and WIT. It needs no network.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ComponentizeOptions } from '@bytecodealliance/componentize-js' with {
  'resolution-mode': 'import',
};
import { disassemble } from '../../../server/src/core/disasm/disassemble';
import { readBinaryModule } from '../../../server/src/core/module/binary';
import type { ModuleFacts } from '../../../server/src/core/module/model';
import { CLI, runCliProcess } from '../../support/cli';
import { wasmTools } from '../../support/wasmTools';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const SOURCE = join(ROOT, 'test', 'fixtures', 'components', 'src-componentize');

/** The `world root { … }` block of a WIT text. */
function worldBlock(wit: string): string {
  const start = wit.indexOf('world root {');
  return wit.slice(start, wit.indexOf('\n}', start) + 2);
}

/** The greeter component's bytes, from the cache or built by componentize-js. */
async function greeterComponent(): Promise<string> {
  const js = readFileSync(join(SOURCE, 'greeter.js'), 'utf8');
  const wit = readFileSync(join(SOURCE, 'greeter.wit'), 'utf8');
  const version = (
    JSON.parse(
      readFileSync(
        join(ROOT, 'node_modules', '@bytecodealliance', 'componentize-js', 'package.json'),
        'utf8',
      ),
    ) as { version: string }
  ).version;
  const key = createHash('sha256').update(js).update('\0').update(wit).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'wasm-warden-componentize');
  const file = join(dir, `greeter-${version}-${key}.wasm`);
  if (existsSync(file)) return file;
  const { componentize } = await import('@bytecodealliance/componentize-js');
  // The WIT goes in as text (witWorld, which componentize.js reads but types.d.ts leaves out):
  // componentize-js 0.23.0 fails to read a witPath here ("No such file or directory").
  const options: ComponentizeOptions & { witWorld: string } = {
    sourcePath: join(SOURCE, 'greeter.js'),
    witWorld: wit,
    worldName: 'greeter',
  };
  const { component } = await componentize(options);
  mkdirSync(dir, { recursive: true });
  // written aside and renamed, so a parallel run never reads half a file
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, component);
  renameSync(partial, file);
  return file;
}

describe('a componentize-js component (built from test/fixtures/components/src-componentize)', function () {
  this.timeout(600_000);

  let path: string;
  let bytes: Uint8Array;
  let facts: ModuleFacts;
  before(async () => {
    path = await greeterComponent();
    bytes = readFileSync(path);
    facts = readBinaryModule(bytes);
  });

  it('reads with no problems; its world equals what componentWit prints', async () => {
    assert.equal(facts.kind, 'component');
    assert.deepEqual(facts.problems, []);
    const reference = await (await wasmTools()).componentWit(bytes);
    assert.equal(worldBlock(facts.components!.wit!), worldBlock(reference));
  });

  it('inspect --json gives the world: the WIT export, the host import and the engine’s WASI imports', () => {
    // the report lists every nested function, some 9 MB: more than spawnSync's default buffer
    const run = spawnSync(process.execPath, [CLI, 'inspect', '--json', path], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { world: NonNullable<ModuleFacts['components']>['world'] };
    const world = report.world!;
    assert.deepEqual(world.exports, [
      {
        name: 'greet',
        kind: 'func',
        functions: [{ name: 'greet', params: [{ name: 'name', type: 'string' }], results: ['string'] }],
      },
    ]);
    assert.deepEqual(world.imports[0], {
      name: 'local:greeter/host@0.1.0',
      kind: 'instance',
      functions: [{ name: 'log', params: [{ name: 'message', type: 'string' }], results: [] }],
    });
    const names = world.imports.map((i) => i.name.replace(/@.*/, ''));
    for (const expected of [
      'wasi:cli/stdout',
      'wasi:io/streams',
      'wasi:clocks/wall-clock',
      'wasi:random/random',
      'wasi:filesystem/preopens',
      'wasi:http/outgoing-handler',
    ])
      assert.ok(names.includes(expected), `${expected} in ${names.join(', ')}`);
    const streams = world.imports.find((i) => i.name.startsWith('wasi:io/streams@'))!;
    assert.ok(
      streams.functions.some((f) => f.name === '[method]output-stream.blocking-write-and-flush'),
      JSON.stringify(streams.functions.map((f) => f.name)),
    );
    assert.deepEqual(world, facts.components!.world);
  });

  it('check: denied and unlisted interfaces are disallowed imports; the world names what lies outside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-componentize-'));
    try {
      writeFileSync(
        join(dir, 'wasm-policy.json'),
        JSON.stringify({
          imports: {
            allow: [
              'local:greeter/host@0.1.*',
              'wasi:cli/*',
              'wasi:io/*',
              'wasi:clocks/*',
              'wasi:random/*',
              'wasi:http/types@0.2.*',
            ],
            deny: ['wasi:filesystem/*'],
            otherwise: 'deny',
            world: 'wasi:cli/command@0.2.0',
          },
        }),
      );
      writeFileSync(join(dir, 'greeter.wasm'), bytes);
      const run = runCliProcess(['check', '--format', 'json', 'greeter.wasm'], dir);
      assert.equal(run.code, 1, run.stderr);
      const report = JSON.parse(run.stdout) as {
        files: { error: unknown; findings: { ruleId: string; severity: string; message: string }[] }[];
      };
      assert.equal(report.files[0].error, null);
      const errors = report.files[0].findings.filter((f) => f.severity === 'error');
      assert.deepEqual(
        errors.filter((f) => f.ruleId === 'disallowed-import').map((f) => /"([^"]+)"/.exec(f.message)![1]),
        [
          'wasi:http/outgoing-handler@0.2.10',
          'wasi:filesystem/types@0.2.12',
          'wasi:filesystem/preopens@0.2.12',
        ],
      );
      assert.deepEqual(
        errors.filter((f) => f.ruleId === 'world-conformance').map((f) => f.message),
        [
          'Import "local:greeter/host@0.1.0" is outside the world wasi:cli/command@0.2.0.',
          'Import "wasi:http/types@0.2.10" is outside the world wasi:cli/command@0.2.0.',
          'Import "wasi:http/outgoing-handler@0.2.10" is outside the world wasi:cli/command@0.2.0.',
          'The world wasi:cli/command@0.2.0 requires the export "wasi:cli/run@0.2.0", which the component does not have.',
        ],
      );
      assert.deepEqual(
        errors.filter((f) => f.ruleId !== 'disallowed-import' && f.ruleId !== 'world-conformance'),
        [],
      );
      // the rules also ran on the nested core modules: the producers of the engine's core module
      assert.ok(
        report.files[0].findings.some((f) => f.ruleId === 'debug-info' && /wasi-sdk/.test(f.message)),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the .wasm view prints the component without error notes', () => {
    const view = disassemble(bytes);
    assert.equal(view.kind, 'component');
    assert.equal(view.error, undefined);
    assert.doesNotMatch(view.text, /;; error/);
    assert.match(view.text, /^\(component\n/);
    assert.match(view.text, /\(import "local:greeter\/host@0\.1\.0" \(instance/);
    assert.match(view.text, /\(export (\(;\d+;\) )?"greet" \(func/);
    assert.equal(view.lines.length, view.text.split('\n').length - 1);
  });
});
