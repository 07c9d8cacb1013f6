/**
 * The fuzzing harness (`npm run fuzz -- --seed S --runs N`, and a short run in `npm test`):
 * seeded mutations of real modules, WAT text and policies, fed to the targets of targets.ts in a
 * worker thread with a time budget per input (a worker that does not answer in time is killed and
 * the input reported as a hang; one that dies is a crash), and optionally through `dist/cli.js`
 * (batches of mutated files checked at once) and `dist/server.js` (a stdio LSP session that opens
 * mutated inputs as documents and in the `.wasm` view, and must still answer a hover).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DEFAULT_POLICY_TEXT, STRICT_POLICY_TEXT } from '../../server/src/core/policy/builtins';
import { loadPublicKey } from '../../server/src/core/signing/keys';
import { verifyModuleSignatures } from '../../server/src/core/signing/verify';
import { compileWat } from '../../server/src/core/wat/compile';
import { LspTestClient, REPO_ROOT } from '../support/lspClient';
import { sharedTestdata } from '../support/sharedTestdata';
import { mutateBytes, mutatePolicy, mutateText, randomFor } from './mutate';
import { ALL_TARGETS, INPUT_KIND, type SignedInput, type TargetName } from './targets';
import type { FuzzAnswer, FuzzJob } from './worker';

export interface FuzzOptions {
  seed: number;
  /** Inputs per target. */
  runs: number;
  targets?: TargetName[];
  /** Longest an input may take before it counts as a hang. */
  budgetMs?: number;
  /** Where reproducers are written (none when unset). */
  saveTo?: string;
  /** Also check batches of mutated modules with dist/cli.js (every `cliBatch` inputs). */
  cli?: boolean;
  /** Also open mutated inputs in a dist/server.js session (this many per target), then hover. */
  serverInputs?: number;
  log?: (line: string) => void;
}

export interface FuzzFinding {
  target: TargetName | 'cli' | 'server';
  index: number;
  kind: 'hang' | 'crash' | 'exception' | 'oracle';
  message: string;
  file?: string;
}

export interface FuzzSummary {
  inputs: Record<string, number>;
  total: number;
  findings: FuzzFinding[];
  ms: number;
}

interface Corpus {
  wasm: Uint8Array[];
  wat: string[];
  signed: SignedInput[];
  policy: string[];
}

function filesUnder(dir: string, ext: RegExp, limit = 1_000): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => ext.test(f))
    .sort()
    .slice(0, limit)
    .map((f) => path.join(dir, f));
}

/** Real modules, texts and policies: the repository's fixtures and examples, the spec suite, the signature vectors. */
export async function loadCorpus(): Promise<Corpus> {
  const texts = [
    ...filesUnder(path.join(REPO_ROOT, 'test/fixtures'), /\.wat$/),
    ...filesUnder(path.join(REPO_ROOT, 'examples'), /\.wat$/),
  ];
  const wat = texts.map((f) => fs.readFileSync(f, 'utf8'));
  const spec = filesUnder(sharedTestdata('spec-testsuite'), /\.wast$/).filter(
    (f) => fs.statSync(f).size < 64_000,
  );
  wat.push(...spec.map((f) => fs.readFileSync(f, 'utf8')));
  const wasm = [
    ...filesUnder(path.join(REPO_ROOT, 'examples'), /\.wasm$/),
    ...filesUnder(path.join(REPO_ROOT, 'test/fixtures'), /\.wasm$/),
    ...filesUnder(sharedTestdata('wasm-signatures', 'modules'), /\.wasm$/),
  ].map((f): Uint8Array => new Uint8Array(fs.readFileSync(f)));
  for (const text of texts.map((f) => fs.readFileSync(f, 'utf8'))) {
    const compiled = await compileWat(text);
    if (compiled.bytes) wasm.push(compiled.bytes);
  }
  const keyDir = sharedTestdata('wasm-signatures', 'keys');
  const keys = ['key1.pk', 'key2.pk']
    .map((k) => path.join(keyDir, k))
    .filter((k) => fs.existsSync(k))
    .map((k) => new Uint8Array(fs.readFileSync(k)));
  const publicKeys = keys.map((k) => loadPublicKey(k)).flatMap((r) => (r.ok ? [r.key] : []));
  const signed: SignedInput[] = [];
  for (const file of filesUnder(sharedTestdata('wasm-signatures', 'modules'), /\.wasm$/)) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const report = verifyModuleSignatures(bytes, { publicKeys });
    if (report.status === 'valid')
      signed.push({ bytes, covered: bytes.slice(report.content.start, report.content.end), keys });
  }
  const policy = [
    DEFAULT_POLICY_TEXT,
    STRICT_POLICY_TEXT,
    ...filesUnder(path.join(REPO_ROOT, 'examples'), /wasm-policy\.json$/).map((f) =>
      fs.readFileSync(f, 'utf8'),
    ),
    '{ "imports": { "allow": ["env.*", "wasi:http/*"], "deny": ["env.secret"], "otherwise": "deny" }, "overrides": [{ "files": ["plugins/**/*.wasm"], "imports": { "allow": ["host.*"] } }] }',
  ];
  return { wasm, wat, signed, policy };
}

/** The i-th input of a target for a seed: the same every time. */
export function inputFor(corpus: Corpus, target: TargetName, seed: number, index: number): unknown {
  const random = randomFor(seed * 1_000_003 + index * 7_919 + ALL_TARGETS.indexOf(target) * 104_729);
  const times = 1 + random(3);
  switch (INPUT_KIND[target]) {
    case 'wasm': {
      let bytes = corpus.wasm[random(corpus.wasm.length)]!;
      for (let n = 0; n < times; n++)
        bytes = mutateBytes(random, bytes, corpus.wasm[random(corpus.wasm.length)]!);
      return bytes;
    }
    case 'wat': {
      let text = corpus.wat[random(corpus.wat.length)]!;
      for (let n = 0; n < times; n++) text = mutateText(random, text);
      return text;
    }
    case 'signed': {
      const original = corpus.signed[random(corpus.signed.length)]!;
      let bytes = original.bytes;
      for (let n = 0; n < times; n++)
        bytes = mutateBytes(random, bytes, corpus.wasm[random(corpus.wasm.length)]!);
      return { ...original, bytes };
    }
    case 'policy': {
      let text = corpus.policy[random(corpus.policy.length)]!;
      for (let n = 0; n < times; n++) text = mutatePolicy(random, text);
      return text;
    }
  }
}

/** One worker at a time; replaced when it hangs or dies. */
class Runner {
  private worker: Worker | undefined;
  private pending:
    ((answer: FuzzAnswer | { id: number; ok: false; kind: 'crash'; message: string }) => void) | undefined;

  private start(): Worker {
    const worker = new Worker(path.join(__dirname, 'worker.js'), {
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    worker.on('message', (answer: FuzzAnswer) => this.pending?.(answer));
    worker.on('error', (error) =>
      this.pending?.({ id: -1, ok: false, kind: 'crash', message: String(error) }),
    );
    worker.on('exit', (code) =>
      this.pending?.({ id: -1, ok: false, kind: 'crash', message: `worker exited with code ${code}` }),
    );
    worker.unref();
    return worker;
  }

  async run(
    job: FuzzJob,
    budgetMs: number,
  ): Promise<{ kind: FuzzFinding['kind']; message: string } | undefined> {
    this.worker ??= this.start();
    const worker = this.worker;
    const answer = await new Promise<
      FuzzAnswer | { id: number; ok: false; kind: 'crash' | 'hang'; message: string }
    >((resolve) => {
      const timer = setTimeout(
        () => resolve({ id: job.id, ok: false, kind: 'hang', message: `no answer within ${budgetMs} ms` }),
        budgetMs,
      );
      this.pending = (a) => {
        clearTimeout(timer);
        resolve(a);
      };
      worker.postMessage(job);
    });
    this.pending = undefined;
    if (answer.ok) return undefined;
    if (answer.kind === 'hang' || answer.kind === 'crash') {
      this.worker = undefined;
      await worker.terminate();
    }
    return { kind: answer.kind, message: answer.message };
  }

  async close(): Promise<void> {
    this.pending = undefined;
    await this.worker?.terminate();
    this.worker = undefined;
  }
}

function save(
  dir: string | undefined,
  target: string,
  seed: number,
  index: number,
  input: unknown,
  message: string,
): string | undefined {
  if (!dir) return undefined;
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${target}-seed${seed}-${index}`);
  const data =
    input instanceof Uint8Array ? input : typeof input === 'string' ? input : (input as SignedInput).bytes;
  const ext =
    input instanceof Uint8Array || (input as SignedInput).bytes
      ? '.wasm'
      : target === 'policy'
        ? '.json'
        : '.wat';
  fs.writeFileSync(base + ext, data);
  fs.writeFileSync(
    `${base}.txt`,
    `${message}\n(npm run fuzz -- --seed ${seed} --targets ${target} reproduces it as input ${index})\n`,
  );
  return base + ext;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const began = Date.now();
  const log = options.log ?? (() => undefined);
  const corpus = await loadCorpus();
  log(
    `corpus: ${corpus.wasm.length} modules, ${corpus.wat.length} texts, ${corpus.signed.length} signed modules, ${corpus.policy.length} policies`,
  );
  const targets = options.targets ?? ALL_TARGETS;
  const budgetMs = options.budgetMs ?? 5_000;
  const runner = new Runner();
  const findings: FuzzFinding[] = [];
  const inputs: Record<string, number> = {};
  try {
    for (const target of targets) {
      for (let index = 0; index < options.runs; index++) {
        const input = inputFor(corpus, target, options.seed, index);
        const problem = await runner.run({ id: index, target, input }, budgetMs);
        inputs[target] = (inputs[target] ?? 0) + 1;
        if (problem) {
          const file = save(
            options.saveTo,
            target,
            options.seed,
            index,
            input,
            `${problem.kind}: ${problem.message}`,
          );
          findings.push({ target, index, ...problem, ...(file ? { file } : {}) });
          log(`${target} #${index}: ${problem.kind}: ${problem.message}`);
        }
        if ((index + 1) % 1000 === 0)
          log(`${target}: ${index + 1} inputs, ${findings.length} findings so far`);
      }
    }
  } finally {
    await runner.close();
  }
  if (options.cli) findings.push(...cliRun(corpus, options, inputs, log));
  if (options.serverInputs) findings.push(...(await serverRun(corpus, options, inputs, log)));
  const total = Object.values(inputs).reduce((a, b) => a + b, 0);
  return { inputs, total, findings, ms: Date.now() - began };
}

/** Batches of mutated modules and texts checked by `dist/cli.js check` (any exit but 0, 1, 2 is a crash). */
function cliRun(
  corpus: Corpus,
  options: FuzzOptions,
  inputs: Record<string, number>,
  log: (l: string) => void,
): FuzzFinding[] {
  const findings: FuzzFinding[] = [];
  const batches = Math.max(1, Math.ceil(options.runs / 200));
  for (let batch = 0; batch < batches; batch++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-fuzz-cli-'));
    try {
      for (let i = 0; i < 200; i++) {
        const index = batch * 200 + i;
        fs.writeFileSync(
          path.join(dir, `m${i}.wasm`),
          inputFor(corpus, 'facts', options.seed + 1, index) as Uint8Array,
        );
        fs.writeFileSync(
          path.join(dir, `t${i}.wat`),
          inputFor(corpus, 'wat-reader', options.seed + 1, index) as string,
        );
      }
      fs.writeFileSync(
        path.join(dir, 'wasm-policy.json'),
        inputFor(corpus, 'policy', options.seed + 1, batch) as string,
      );
      const r = spawnSync(
        process.execPath,
        [path.join(REPO_ROOT, 'dist/cli.js'), 'check', dir, '--format', 'json'],
        {
          encoding: 'utf8',
          timeout: 400 * (options.budgetMs ?? 5_000),
          maxBuffer: 512 * 1024 * 1024,
        },
      );
      inputs.cli = (inputs.cli ?? 0) + 401;
      const ok = r.status === 0 || r.status === 1 || r.status === 2;
      if (!ok || /internal error/.test(r.stdout ?? '')) {
        const message = r.error
          ? String(r.error)
          : `exit ${r.status} ${r.signal ?? ''}: ${(r.stderr ?? '').slice(0, 300)}`;
        const kept = options.saveTo
          ? path.join(options.saveTo, `cli-seed${options.seed}-batch${batch}`)
          : undefined;
        if (kept) fs.cpSync(dir, kept, { recursive: true });
        findings.push({
          target: 'cli',
          index: batch,
          kind: r.error ? 'hang' : 'crash',
          message,
          ...(kept ? { file: kept } : {}),
        });
        log(`cli batch ${batch}: ${message}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return findings;
}

/** A stdio session of dist/server.js: mutated texts opened as documents, mutated modules in the `.wasm` view; then a hover. */
async function serverRun(
  corpus: Corpus,
  options: FuzzOptions,
  inputs: Record<string, number>,
  log: (l: string) => void,
): Promise<FuzzFinding[]> {
  const findings: FuzzFinding[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-fuzz-server-'));
  const client = new LspTestClient();
  const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
    Promise.race([
      promise,
      new Promise<T>((_, reject) =>
        setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms).unref(),
      ),
    ]);
  try {
    await client.initialize(dir);
    const n = options.serverInputs ?? 0;
    for (let i = 0; i < n; i++) {
      const text = inputFor(corpus, 'wat-reader', options.seed + 2, i) as string;
      await client.open(pathToFileURL(path.join(dir, `t${i}.wat`)).href, text);
      const bytes = inputFor(corpus, 'facts', options.seed + 2, i) as Uint8Array;
      const file = path.join(dir, `m${i}.wasm`);
      fs.writeFileSync(file, bytes);
      try {
        await within(
          client.connection.sendRequest('wasmWarden/wasmText', { uri: pathToFileURL(file).href }),
          60_000,
          `.wasm view of m${i}.wasm`,
        );
      } catch (error) {
        findings.push({ target: 'server', index: i, kind: 'hang', message: String(error) });
        break;
      }
      inputs.server = (inputs.server ?? 0) + 2;
    }
    const probe = pathToFileURL(path.join(dir, 'probe.wat')).href;
    await client.open(probe, '(module (import "env" "f" (func)))');
    try {
      // Hover answers from the document's analysis, which queues behind the session's documents:
      // the probe's diagnostics first (bounded), then the hover that must say something.
      await within(
        client.waitForDiagnostics(probe, () => true, 60_000),
        60_000,
        'diagnostics of the probe',
      );
      const hover = await within(
        client.connection.sendRequest('textDocument/hover', {
          textDocument: { uri: probe },
          position: { line: 0, character: 20 },
        }),
        60_000,
        'hover after the session',
      );
      if (!hover)
        findings.push({
          target: 'server',
          index: n,
          kind: 'oracle',
          message: 'the hover after the session was empty',
        });
    } catch (error) {
      findings.push({ target: 'server', index: n, kind: 'hang', message: String(error) });
    }
    if (client.process.exitCode !== null)
      findings.push({
        target: 'server',
        index: n,
        kind: 'crash',
        message: `the server exited: ${client.stderr.slice(-500)}`,
      });
  } finally {
    client.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const f of findings) log(`server: ${f.kind}: ${f.message}`);
  return findings;
}
