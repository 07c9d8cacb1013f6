// The editor's responsiveness, measured over LSP against the bundled server (dist/server.js):
//  1. diagnostics for a ~1 MB .wat after an edit: time from the didChange to the first
//     publishDiagnostics of that version (reader and body-free rules) and to the second, complete
//     one (with wabt validation and the body rules); medians over edits;
//  2. hover latency while a workspace of N .wasm modules is being scanned;
//  3. time to check a workspace of N .wasm modules (copies and variants of the real-world ones)
//     and the server's peak memory (VmHWM), for N = 100, 300, 1000 to show how time grows.
//     Files are copies of the real-world modules (hard links); with --variants each also gets a
//     custom section of its own (as signing or a rebuild with other names would); with --distinct
//     two bytes of its first data segment change too, so the engine sees a module of its own;
//     --mixed makes every other file a copy and the rest --distinct.
//
//   node scripts/fetch-real-world.mjs && npm run build && npm run compile-tests
//   node bench/editor.mjs [--edits 15] [--sizes 100,300,1000] [--variants | --distinct | --mixed] [--wat FILE.wat]
//     [--server DIST/server.js] [--threads] [--server-node-args '--cpu-prof --cpu-prof-dir=/tmp/prof']
//     [--workspace DIR] [--no-edits]
//
// --server runs another build's server (copy a dist/ aside to compare builds side by side);
// --threads prints the server's CPU seconds per thread after the last scan (from /proc);
// --workspace DIR builds the workspace in DIR the first time and reuses it after (one size; the
// same mode each time); --no-edits skips the .wat edits (step 1);
// --server-node-args starts the server's Node with these options (e.g. to profile it and its
// workers: the server is then shut down cleanly, so that the profiles get written).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { median, option, realWorldCache as cache, repo } from './lib.mjs';
import { withDataBytes } from './support/dataBytes.mjs';

const require = createRequire(import.meta.url);
const { LspTestClient } = require(path.join(repo, 'out', 'test', 'support', 'lspClient.js'));

const edits = Number(option('--edits', 15));
const sizes = option('--sizes', '100,300,1000').split(',').map(Number);
const mixed = process.argv.includes('--mixed');
const distinct = mixed || process.argv.includes('--distinct');
const variants = distinct || process.argv.includes('--variants');
const watFile = option('--wat', undefined);
const serverPath = path.resolve(option('--server', path.join(repo, 'dist', 'server.js')));
const serverNodeArgs = option('--server-node-args', '').split(' ').filter(Boolean);
const perThread = process.argv.includes('--threads');
const keptWorkspace = option('--workspace', undefined) && path.resolve(option('--workspace', undefined));
if (keptWorkspace && sizes.length > 1) throw new Error('--workspace takes one size');
const newClient = () => new LspTestClient(['--stdio'], serverPath, serverNodeArgs);

const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const now = () => Number(process.hrtime.bigint()) / 1e6;

function peakMemoryMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
}

function memoryMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/** CPU seconds the process has used so far, all its threads (user + system, from /proc). */
function cpuSeconds(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** CPU seconds (user + system) of each of the process's threads, most first. */
function cpuByThread(pid) {
  const threads = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const fields = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
      const [user, system, nice] = [Number(fields[11]) / 100, Number(fields[12]) / 100, Number(fields[16])];
      // The scan workers run at nice 10; the other threads are V8's and libuv's helpers.
      const name = tid === String(pid) ? 'main' : nice ? `${comm}, nice ${nice}` : comm;
      threads.push({ name, user, system });
    } catch {
      // The thread ended meanwhile.
    }
  }
  return threads.sort((a, b) => b.user + b.system - (a.user + a.system));
}

/** A ~1 MB module: many small functions, a few imports, a memory. */
function bigWat() {
  const parts = [
    '(module',
    '  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))',
    '  (memory 1 16)',
  ];
  for (let i = 0; parts.join('\n').length < 1_000_000; i++) {
    parts.push(
      `  (func $f${i} (export "f${i}") (param $a i32) (param $b i32) (result i32)`,
      '    local.get $a',
      '    local.get $b',
      '    i32.add',
      `    i32.const ${i}`,
      '    i32.xor)',
    );
  }
  parts.push(')');
  return parts.join('\n');
}

async function diagnosticsAfterEdits() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-edit-'));
  const client = newClient();
  try {
    await client.initialize(dir);
    const uri = pathToFileURL(path.join(dir, 'big.wat')).href;
    // `--wat FILE` measures a real text module instead (e.g. wasm2wat output of a real module).
    const text = watFile ? fs.readFileSync(watFile, 'utf8') : bigWat();
    await client.open(uri, text);
    await client.waitForDiagnostics(uri, () => true, 60_000);
    const first = [];
    const complete = [];
    for (let version = 2; version < 2 + edits; version++) {
      const edited = text.replace(/i32\.const \d+/, `i32.const ${version}`);
      const start = now();
      await client.change(uri, version, edited);
      // Each version is published twice: the reader's and body-free rules' findings, then all of
      // them with wabt's validation (two publishes read in one go count as arriving together).
      const early = await client.waitForDiagnostics(uri, (d) => d.version === version, 60_000);
      first.push(now() - start);
      await client.waitForDiagnostics(uri, (d) => d.version === version && d !== early, 60_000);
      complete.push(now() - start);
    }
    return {
      bytes: text.length,
      first: { median: median(first), p95: p95(first) },
      complete: { median: median(complete), p95: p95(complete) },
    };
  } finally {
    client.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A custom section named "variant" holding `i`, appended to make a module's bytes unique. */
function variantSection(i) {
  const payload = Buffer.from(`\u0007variant${i}`, 'latin1');
  return Buffer.concat([Buffer.from([0, payload.length]), payload]);
}

function workspace(count) {
  // --workspace DIR: build the workspace there once and keep it, so runs that compare builds skip
  // writing 2.2 GB each time (the mode must stay the same for one DIR).
  if (keptWorkspace && fs.existsSync(path.join(keptWorkspace, 'probe.wat'))) return keptWorkspace;
  const modules = fs.readdirSync(cache).filter((f) => f.endsWith('.wasm') && !f.startsWith('ffmpeg'));
  const dir = keptWorkspace ?? fs.mkdtempSync(path.join(os.tmpdir(), `warden-ws-${count}-`));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'wasm-policy.json'),
    '{ "imports": { "capabilities": ["io", "clock"], "allow": ["env.*"], "otherwise": "warn" } }',
  );
  for (let i = 0; i < count; i++) {
    const sub = path.join(dir, `pkg${Math.floor(i / 50)}`);
    fs.mkdirSync(sub, { recursive: true });
    const source = path.join(cache, modules[i % modules.length]);
    const target = path.join(sub, `m${i}.wasm`);
    // Copies are hard links (identical bytes); variants get a custom section of their own, so
    // every file differs and no result can be reused between them.
    if (!variants || (mixed && i % 2 === 0)) fs.linkSync(source, target);
    else {
      const bytes = fs.readFileSync(source);
      fs.writeFileSync(
        target,
        Buffer.concat([distinct ? withDataBytes(bytes, i) : bytes, variantSection(i)]),
      );
    }
  }
  fs.writeFileSync(
    path.join(dir, 'probe.wat'),
    '(module\n  (import "env" "log" (func $log (param i32)))\n  (memory 1 1))\n',
  );
  return dir;
}

async function scanWorkspace(count, measureHovers) {
  const dir = workspace(count);
  const client = newClient();
  try {
    const start = now();
    await client.initialize(dir);
    const probe = pathToFileURL(path.join(dir, 'probe.wat')).href;
    await client.open(probe, fs.readFileSync(path.join(dir, 'probe.wat'), 'utf8'));
    await client.waitForDiagnostics(probe);
    const hovers = [];
    const rss = []; // [seconds into the scan, MB], with --threads
    const isDone = () => [...client.published.keys()].filter((u) => u.endsWith('.wasm')).length >= count;
    while (!isDone()) {
      if (measureHovers) {
        const t = now();
        await client.connection.sendRequest('textDocument/hover', {
          textDocument: { uri: probe },
          position: { line: 1, character: 5 },
        });
        hovers.push(now() - t);
      }
      if (perThread) rss.push([(now() - start) / 1000, memoryMb(client.process.pid)]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (now() - start > 600_000) throw new Error('workspace scan did not finish in 10 minutes');
    }
    const seconds = (now() - start) / 1000;
    const pid = client.process.pid;
    const threads = perThread ? cpuByThread(pid) : [];
    const result = { count, seconds, memory: peakMemoryMb(pid), cpu: cpuSeconds(pid), hovers, threads, rss };
    if (serverNodeArgs.length) await client.shutdown();
    return result;
  } finally {
    client.kill();
    if (!keptWorkspace) fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (!fs.existsSync(cache)) {
  console.error('Run `node scripts/fetch-real-world.mjs` first.');
  process.exit(1);
}
if (serverPath !== path.join(repo, 'dist', 'server.js')) console.log(`server: ${serverPath}`);
if (!process.argv.includes('--no-edits')) {
  const edit = await diagnosticsAfterEdits();
  const ms = (x) => `${x.median.toFixed(0)} ms (p95 ${x.p95.toFixed(0)} ms)`;
  console.log(
    `1. ${(edit.bytes / 1e6).toFixed(2)} MB .wat, median of ${edits} edits: first diagnostics ${ms(edit.first)}, complete (with wabt validation) ${ms(edit.complete)} after the edit`,
  );
}
for (const [i, count] of sizes.entries()) {
  const r = await scanWorkspace(count, i === sizes.length - 1);
  const hover = r.hovers.length
    ? `; hover during the scan: median ${median(r.hovers).toFixed(1)} ms, p95 ${p95(r.hovers).toFixed(1)} ms (n=${r.hovers.length})`
    : '';
  console.log(
    `${i === 0 ? '2-3.' : '    '} ${count} modules: checked in ${r.seconds.toFixed(1)} s, server peak memory ${r.memory.toFixed(0)} MB, server CPU ${r.cpu.toFixed(1)} s${hover}, load average ${os.loadavg()[0].toFixed(1)}`,
  );
  if (r.threads.length) {
    const list = r.threads
      .filter((t) => t.user + t.system >= 0.05)
      .map((t) => `${t.name} ${t.user.toFixed(1)}+${t.system.toFixed(1)}`);
    console.log(`     CPU by thread (user+system s): ${list.join(', ')}`);
    const top = r.rss.reduce((a, b) => (b[1] > a[1] ? b : a), [0, 0]);
    const at = (f) => r.rss[Math.min(r.rss.length - 1, Math.floor(r.rss.length * f))]?.[1].toFixed(0);
    console.log(
      `     resident memory: highest sampled ${top[1].toFixed(0)} MB at ${top[0].toFixed(1)} s; at 10/50/90% of the scan ${at(0.1)}/${at(0.5)}/${at(0.9)} MB`,
    );
  }
}
