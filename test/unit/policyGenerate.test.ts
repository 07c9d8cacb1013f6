import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModuleFacts } from '../../server/src/core/module/model';
import { readBinaryModule } from '../../server/src/core/module/binary';
import { generatePolicy } from '../../server/src/core/policy/generate';
import { PolicyResolver } from '../../server/src/core/policy/resolver';
import { compileWatForSandbox } from '../../server/src/core/wat/moduleBytes';
import { MemoryFileSystem } from './policyMemoryFs';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/policy');

async function factsOf(fixture: string): Promise<ModuleFacts> {
  const bytes = await compileWatForSandbox(fs.readFileSync(path.join(FIXTURES, fixture), 'utf8'), fixture);
  if ('error' in bytes) throw new Error(bytes.error);
  return readBinaryModule(bytes);
}

/** Resolves the generated policy as /ws/wasm-policy.json. */
function resolveGenerated(text: string) {
  const r = new PolicyResolver(new MemoryFileSystem({ '/ws/wasm-policy.json': text }), { roots: ['/ws'] });
  return { problems: r.problemsOf('/ws/wasm-policy.json'), policy: r.resolve('/ws/m.wasm') };
}

describe('policy generation', () => {
  it('allows exactly the imports a module uses, commented with their capability', async () => {
    const facts = await factsOf('hello-wasi.wat');
    const text = generatePolicy([{ name: 'hello-wasi.wasm', facts }]);
    const { problems, policy } = resolveGenerated(text);
    assert.deepEqual(problems, [], text);
    assert.equal(policy.source.kind, 'file');
    for (const i of facts.imports)
      assert.equal(policy.checkImport(i.module, i.name).decision, 'allow', `${i.module}.${i.name}`);
    assert.equal(policy.checkImport('wasi_snapshot_preview1', 'fd_read').decision, 'deny');
    assert.equal(policy.checkImport('env', 'other').decision, 'deny');
    assert.match(text, /"wasi_snapshot_preview1\.fd_write", \/\/ io: Writes to a file descriptor/);
    assert.match(
      text,
      /"wasi_snapshot_preview1\.path_open", \/\/ DANGEROUS \(grants filesystem access\), review: filesystem: Opens or creates a file/,
    );
    assert.match(text, /"wasi_snapshot_preview1\.random_get", \/\/ random: /);
    assert.match(text, /"env\.log" \/\/ no capability group: a function the host provides as "env"/);
    // Capability order: io before filesystem before random, host functions last.
    assert.ok(
      text.indexOf('fd_write') < text.indexOf('path_open') &&
        text.indexOf('path_open') < text.indexOf('random_get'),
    );
    assert.equal(policy.memory.maxPages, 17);
    assert.equal(policy.memory.requireMaximum, true);
    assert.equal(policy.memory.allowShared, false);
    assert.equal(policy.memory.allowImported, false);
    assert.match(text, /"maxPages": 17, \/\/ the largest memory the module declares: 1088 KiB/);
  });

  it('covers several modules at once, and imported unbounded memories', async () => {
    const a = await factsOf('hello-wasi.wat');
    const b = await factsOf('plugin.wat');
    const text = generatePolicy([
      { name: 'hello-wasi.wasm', facts: a },
      { name: 'plugin.wasm', facts: b },
    ]);
    const { problems, policy } = resolveGenerated(text);
    assert.deepEqual(problems, [], text);
    for (const i of [...a.imports, ...b.imports])
      assert.equal(policy.checkImport(i.module, i.name).decision, 'allow');
    assert.equal(text.match(/"env\.log"/g)?.length, 1, 'each import once');
    assert.match(text, /for hello-wasi\.wasm, plugin\.wasm/);
    assert.equal(policy.memory.requireMaximum, false);
    assert.equal(policy.memory.allowImported, true);
    assert.match(text, /1 memory declares no maximum/);
  });

  it('writes a policy for a module without imports or memory', () => {
    const facts = { kind: 'module', imports: [], memories: [], modules: [] } as unknown as ModuleFacts;
    const text = generatePolicy([{ name: 'empty.wasm', facts }]);
    const { problems, policy } = resolveGenerated(text);
    assert.deepEqual(problems, []);
    assert.equal(policy.checkImport('env', 'f').decision, 'deny');
    assert.equal(policy.memory.maxPages, 0);
  });

  it('uses component imports (WASI 0.2 interfaces) for components', () => {
    const facts = {
      kind: 'component',
      imports: [],
      memories: [],
      modules: [],
      components: {
        imports: [{ name: 'wasi:cli/environment@0.2.0' }, { name: 'wasi:filesystem/types@0.2.0' }],
        exports: [],
      },
    } as unknown as ModuleFacts;
    const text = generatePolicy([{ name: 'c.wasm', facts }]);
    assert.match(text, /"wasi:cli\/environment@0\.2\.0",? \/\/ environment: Reads environment variables/);
    const { problems, policy } = resolveGenerated(text);
    assert.deepEqual(problems, []);
    assert.equal(policy.checkImport('wasi:filesystem/types@0.2.0', '').decision, 'allow');
    assert.equal(policy.checkImport('wasi:sockets/tcp@0.2.0', '').decision, 'deny');
  });
});
