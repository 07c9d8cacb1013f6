import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromPlainPolicy, toPlainPolicy } from '../../server/src/core/policy/effective';
import { PolicyResolver } from '../../server/src/core/policy/resolver';
import { compileWat } from '../../server/src/core/wat/compile';
import { ScanPool } from '../../server/src/features/scan/pool';
import { MemoryFileSystem } from './policyMemoryFs';
import { analyzeModule } from '../../server/src/core/analyze';
import { nodeFileSystem } from '../../server/src/core/policy/fileSystem';
import {
  contentKeys,
  SharedResults,
  slimFacts,
  type ContentKeys,
} from '../../server/src/features/analysisCache';
import { ModuleAnalyzer } from '../../server/src/features/moduleAnalysis';
import type { ScanAnswer } from '../../server/src/features/scan/protocol';
import { DEFAULT_SETTINGS } from '../../server/src/features/settings';
import { pathToFileURL } from 'node:url';

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
    assert.ok(reply.ok && 'facts' in reply);
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
    assert.ok(asked.ok && 'facts' in asked && told.ok && 'facts' in told);
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
      replies.map((r) => (!r.ok ? `failed: ${r.message}` : 'facts' in r ? r.findings[0].ruleId : r.sameAs)),
      ['a', 'failed: the analysis worker stopped (exit code 3)', 'b', 'c', 'd'],
    );
  });
  it('gives its workers a heap limit under 2 GB, where V8 grows a heap 4x between full collections', async () => {
    // V8 lets a heap grow to four times what survived the last full collection when its limit is
    // 2 GB or more, and less below that (1.6x at 1 GB): two workers' heaps were then 100 MB at peak.
    const script = path.join(dir, 'limit.js');
    fs.writeFileSync(
      script,
      `const { parentPort } = require('node:worker_threads');
       const limit = require('node:v8').getHeapStatistics().heap_size_limit;
       parentPort.on('message', (job) =>
         parentPort.postMessage({ id: job.id, ok: true, facts: [], findings: [{ ruleId: String(limit) }] }));`,
    );
    pool = ScanPool.create(1, script)!;
    const reply = await pool.run({
      fileName: 'm',
      bytes: new Uint8Array(4),
      policy: {} as never,
      ruleOverrides: {},
    });
    assert.ok(reply.ok && 'findings' in reply);
    const limitMb = Number(reply.findings[0].ruleId) / 2 ** 20;
    assert.ok(limitMb < 2048, `limit ${limitMb} MB`);
    // Still room for the largest real modules (duckdb-wasm's 34 MB, ffmpeg-core's 32 MB fit in 1 GB).
    assert.ok(limitMb >= 1024, `limit ${limitMb} MB`);
  });

  /** A module with one import and a URL in a data segment of `padding` more bytes: findings to compare. */
  async function moduleWith(url: string, padding: number, argument = 0): Promise<Uint8Array> {
    const compiled = await compileWat(
      `(module (import "env" "eval_js" (func $e (param i32))) (memory 1)
         (func (export "go") (call $e (i32.const ${argument})))
         (data (i32.const 16) "${url}") (data (i32.const 4096) "${'x'.repeat(padding)}"))`,
    );
    assert.ok(compiled.bytes);
    return compiled.bytes;
  }

  it('reads the file itself when sent no bytes, asks with its content keys, and analyses it as it would the bytes', async () => {
    const bytes = await moduleWith('https://pool.example.com/x', 10);
    const signature = Buffer.from('not a signature');
    const file = path.join(dir, 'm.wasm');
    fs.writeFileSync(file, bytes);
    fs.writeFileSync(`${file}.sig`, signature);
    const policy = toPlainPolicy(resolver({ '/ws/wasm-policy.json': POLICY }).resolve('/ws/m.wasm'));
    pool = ScanPool.create(1, BUNDLED_WORKER)!;
    const asked: ContentKeys[] = [];
    const read = await pool.run({ fileName: file, policy, ruleOverrides: {} }, (keys) => {
      asked.push(keys);
      return { skip: false, knownValid: [] };
    });
    assert.deepEqual(asked, [contentKeys(bytes, signature)]);
    const sent = await pool.run({
      fileName: file,
      bytes,
      detachedSignature: signature,
      policy,
      ruleOverrides: {},
      whole: true,
    });
    assert.ok(read.ok && 'facts' in read && sent.ok && 'facts' in sent);
    assert.deepEqual(read.findings, sent.findings);
    assert.ok(read.findings.some((f) => f.ruleId === 'disallowed-import'));
    assert.deepEqual(read.facts, sent.facts);

    const skipped = await pool.run({ fileName: file, policy, ruleOverrides: {} }, () => ({ skip: true }));
    assert.ok(!skipped.ok && skipped.skipped);
    const gone = await pool.run({ fileName: path.join(dir, 'gone.wasm'), policy, ruleOverrides: {} });
    assert.ok(!gone.ok && gone.missing);
  });

  it('analyses each file it reads as on its own, though every file is read into the same buffer', async () => {
    const policy = resolver({ '/ws/wasm-policy.json': POLICY }).resolve('/ws/m.wasm');
    const files = [
      await moduleWith('https://one.example.com/a', 60_000),
      await moduleWith('wss://two.example.org/b', 10, 1),
      await moduleWith('https://three.example.net/c', 60_000), // the first one's code, other data
      await moduleWith('https://one.example.com/a', 60_000),
      await moduleWith('ftp://four.example.com/d', 30_000, 2),
    ];
    pool = ScanPool.create(1, BUNDLED_WORKER)!;
    for (const [i, bytes] of files.entries()) {
      const file = path.join(dir, `m${i}.wasm`);
      fs.writeFileSync(file, bytes);
      const reply = await pool.run({
        fileName: file,
        policy: toPlainPolicy(policy),
        ruleOverrides: {},
        whole: true,
      });
      const fresh = await analyzeModule({ fileName: file, bytes, policy });
      assert.ok(reply.ok && 'facts' in reply, `file ${i}`);
      assert.deepEqual(reply.findings, fresh.findings, `file ${i}`);
      assert.deepEqual(reply.facts, structuredClone(fresh.facts.map(slimFacts)), `file ${i}`);
    }
  });

  it('lets the server skip a copy of a file it analysed: the worker reads and hashes it, nothing more', async () => {
    const bytes = await moduleWith('https://pool.example.com/x', 10);
    for (const name of ['a.wasm', 'b.wasm']) fs.writeFileSync(path.join(dir, name), bytes);
    fs.writeFileSync(path.join(dir, 'wasm-policy.json'), POLICY);
    pool = ScanPool.create(1, BUNDLED_WORKER)!;
    const answers: ScanAnswer[] = [];
    const run = pool.run.bind(pool);
    pool.run = (job, answer) =>
      run(job, (keys) => {
        const given = answer!(keys);
        answers.push(given);
        return given;
      });
    const analyzer = new ModuleAnalyzer(new PolicyResolver(nodeFileSystem, { roots: [dir] }), pool);
    const [a, b] = [
      await analyzer.analyzeFile(pathToFileURL(path.join(dir, 'a.wasm')).href, DEFAULT_SETTINGS, false),
      await analyzer.analyzeFile(pathToFileURL(path.join(dir, 'b.wasm')).href, DEFAULT_SETTINGS, false),
    ];
    assert.deepEqual(answers, [{ skip: false, knownValid: [] }, { skip: true }]);
    assert.ok(a && b && a.findings.length > 0);
    assert.deepEqual(b.findings, a.findings);
    assert.equal(b.slim, true);
  });
  it('names a result equal to one it sent before by its digest, unless asked for it whole', async () => {
    const policy = toPlainPolicy(resolver({ '/ws/wasm-policy.json': POLICY }).resolve('/ws/m.wasm'));
    pool = ScanPool.create(1, BUNDLED_WORKER)!;
    // Another byte in the padding segment: the same facts and findings.
    const x = await moduleWith('https://a.example.com/', 10);
    const y = Buffer.from(x);
    y[y.length - 2] ^= 1;
    const job = (bytes: Uint8Array, whole = false) =>
      pool!.run({ fileName: '/ws/m.wasm', bytes: Uint8Array.from(bytes), policy, ruleOverrides: {}, whole });
    const first = await job(x);
    const again = await job(y);
    const whole = await job(y, true);
    assert.ok(first.ok && 'facts' in first && again.ok && whole.ok && 'facts' in whole);
    assert.ok('sameAs' in again);
    assert.equal(
      again.sameAs,
      new SharedResults().keep({ facts: first.facts, findings: first.findings }).digest,
    );
    assert.deepEqual(whole.findings, first.findings);
  });

  it('lets the server take a result named by its digest from those it keeps, or ask for it whole when it has none', async () => {
    const bytes = await moduleWith('https://a.example.com/', 10);
    const other = Buffer.from(bytes);
    other[other.length - 2] ^= 1;
    const third = Buffer.from(bytes);
    third[third.length - 3] ^= 1;
    fs.writeFileSync(path.join(dir, 'wasm-policy.json'), POLICY);
    const uris = [bytes, other, third].map((content, i) => {
      fs.writeFileSync(path.join(dir, `m${i}.wasm`), content);
      return pathToFileURL(path.join(dir, `m${i}.wasm`)).href;
    });
    pool = ScanPool.create(1, BUNDLED_WORKER)!;
    const analyzer = new ModuleAnalyzer(new PolicyResolver(nodeFileSystem, { roots: [dir] }), pool);
    const a = await analyzer.analyzeFile(uris[0], DEFAULT_SETTINGS, false);
    const b = await analyzer.analyzeFile(uris[1], DEFAULT_SETTINGS, false);
    assert.ok(a && b && a.findings.length > 0);
    assert.equal(b.findings, a.findings, 'the very result the server kept for the first file');
    // The server no longer keeps it: the worker names it, then sends it whole.
    (analyzer as unknown as { shared: SharedResults }).shared = new SharedResults();
    const c = await analyzer.analyzeFile(uris[2], DEFAULT_SETTINGS, false);
    assert.ok(c);
    assert.deepEqual(c.findings, a.findings);
  });
});
