import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromPlainPolicy, toPlainPolicy } from '../../server/src/core/policy/effective';
import { PolicyResolver } from '../../server/src/core/policy/resolver';
import { compileWat } from '../../server/src/core/wat/compile';
import { ScanPool } from '../../server/src/features/scan/pool';
import { MemoryFileSystem } from './policyMemoryFs';

const repo = path.resolve(__dirname, '..', '..', '..');
const BUNDLED_WORKER = path.join(repo, 'dist', 'scan-worker.js');

const POLICY = `{
  // comments and all: what a worker receives is the resolved policy, not the file
  "imports": { "allow": ["wasi_snapshot_preview1.fd_write"], "deny": ["env.eval*"], "otherwise": "warn" }
}`;

function resolver(files: Record<string, string>): PolicyResolver {
  return new PolicyResolver(new MemoryFileSystem(files), { roots: ['/ws'] });
}

describe('policies sent to another thread', () => {
  it('decide every import as the original does after a structured clone', () => {
    const policy = resolver({ '/ws/wasm-policy.json': POLICY }).resolve('/ws/m.wasm');
    const revived = fromPlainPolicy(structuredClone(toPlainPolicy(policy)));
    for (const [module, name] of [
      ['wasi_snapshot_preview1', 'fd_write'],
      ['wasi_snapshot_preview1', 'path_open'],
      ['env', 'eval_js'],
      ['env', 'memory'],
      ['wasi:sockets/tcp@0.2.0', 'connect'],
    ]) {
      assert.deepEqual(
        revived.checkImport(module, name),
        policy.checkImport(module, name),
        `${module}.${name}`,
      );
    }
    assert.deepEqual(revived.memory, policy.memory);
    assert.deepEqual(revived.source, policy.source);
  });

  it('keep failing closed: a broken policy stays the strict fallback with its problem', () => {
    const policy = resolver({ '/ws/wasm-policy.json': '{ "imports": { "allow": [ }' }).resolve('/ws/m.wasm');
    assert.equal(policy.source.kind, 'strict-fallback');
    const revived = fromPlainPolicy(structuredClone(toPlainPolicy(policy)));
    assert.deepEqual(revived.source, policy.source);
    assert.equal(revived.checkImport('wasi_snapshot_preview1', 'fd_write').decision, 'deny');
    assert.deepEqual((revived as typeof policy).moduleProblem, policy.moduleProblem);
  });
});

describe('workspace scan worker pool', function () {
  this.timeout(30_000);
  let dir: string;
  let pool: ScanPool | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-pool-'));
  });
  afterEach(() => {
    pool?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is not created without a worker script, so the caller analyses in its own thread', () => {
    assert.equal(ScanPool.create(2, path.join(dir, 'missing.js')), undefined);
  });

  it('analyses in the bundled worker against the policy it is sent', async () => {
    assert.ok(fs.existsSync(BUNDLED_WORKER), 'run `npm run build` first (`npm test` does)');
    const compiled = await compileWat(
      '(module (import "wasi_snapshot_preview1" "path_open" (func $open (param i32))) (memory 1) (func (export "go") (call $open (i32.const 0))))',
    );
    const policy = resolver({ '/ws/wasm-policy.json': POLICY }).resolve('/ws/m.wasm');
    pool = ScanPool.create(1, BUNDLED_WORKER)!;
    const reply = await pool.run({
      fileName: '/ws/m.wasm',
      bytes: compiled.bytes!,
      policy: toPlainPolicy(policy),
      ruleOverrides: {},
    });
    assert.ok(reply.ok);
    const denied = reply.findings.filter((f) => f.ruleId === 'disallowed-import');
    assert.equal(denied.length, 1);
    assert.equal(denied[0].severity, 'warning'); // "otherwise": "warn" decided, in the worker
    assert.deepEqual(reply.facts[0].functions, [], 'slim facts only');
    assert.deepEqual(reply.engineAccepted, [0]);
  });

  it('runs its workers at a lower priority than the server thread (Linux)', async function () {
    if (!fs.existsSync('/proc/thread-self')) this.skip(); // only Linux names threads there
    const niceOf = (task: string) =>
      Number(fs.readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
    const before = new Set(fs.readdirSync('/proc/self/task'));
    pool = ScanPool.create(1, BUNDLED_WORKER)!;
    const compiled = await compileWat('(module)');
    await pool.run({
      fileName: '/ws/m.wasm',
      bytes: compiled.bytes!,
      policy: toPlainPolicy(resolver({}).resolve('/ws/m.wasm')),
      ruleOverrides: {},
    });
    const started = fs.readdirSync('/proc/self/task').filter((t) => !before.has(t));
    assert.ok(
      started.some((t) => niceOf(t) === 10),
      'a new thread runs at nice 10',
    );
    assert.equal(niceOf(String(process.pid)), 0);
  });

  it('skips the engine for modules it is told were accepted, and reports the ones it accepts', async () => {
    // Reads well, but the engine rejects it: a function that leaves a value it does not return.
    const illTyped = Buffer.from('0061736d01000000010401600000030201000a0601040041000b', 'hex');
    const policy = toPlainPolicy(resolver({}).resolve('/ws/m.wasm'));
    pool = ScanPool.create(1, BUNDLED_WORKER)!;
    const job = { fileName: '/ws/m.wasm', policy, ruleOverrides: {} };
    const asked = await pool.run({ ...job, bytes: Uint8Array.from(illTyped) });
    const told = await pool.run({ ...job, bytes: Uint8Array.from(illTyped), knownValid: [0] });
    assert.ok(asked.ok && told.ok);
    assert.ok(asked.findings.some((f) => f.ruleId === 'invalid-module'));
    assert.deepEqual(asked.engineAccepted, []);
    assert.ok(!told.findings.some((f) => f.ruleId === 'invalid-module'));
    assert.deepEqual(told.engineAccepted, [0]);
  });

  it('fails only the job of a worker that dies, and goes on with a new worker', async () => {
    const script = path.join(dir, 'worker.js');
    fs.writeFileSync(
      script,
      `const { parentPort } = require('node:worker_threads');
       parentPort.on('message', (job) => {
         if (job.fileName === 'die') process.exit(3);
         parentPort.postMessage({ id: job.id, ok: true, facts: [], findings: [{ ruleId: job.fileName }] });
       });`,
    );
    pool = ScanPool.create(2, script)!;
    const job = (fileName: string) =>
      pool!.run({ fileName, bytes: new Uint8Array(4), policy: {} as never, ruleOverrides: {} });
    const replies = await Promise.all(['a', 'die', 'b', 'c', 'd'].map(job));
    assert.deepEqual(
      replies.map((r) => (r.ok ? r.findings[0].ruleId : `failed: ${r.message}`)),
      ['a', 'failed: the analysis worker stopped (exit code 3)', 'b', 'c', 'd'],
    );
  });
});
