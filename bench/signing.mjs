// Signing and verification throughput against raw SHA-256 of Node's crypto, over the same bytes,
// side by side in one run. Uses the largest module in .cache/real-world/ when there is one (see
// the fetch script), otherwise generates a 32 MB module of valid sections.
//   node bench/signing.mjs [module.wasm | --generate] [--runs N]
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import {
  args,
  bundleSources,
  measureCpu,
  median,
  positionalArgument,
  realWorldCache,
  removeFolder,
  repo,
  runsOption,
  scratchFolder,
} from './lib.mjs';

const runs = runsOption(7);
const explicit = positionalArgument();

const scratch = scratchFolder('signing');
const { exports: signing } = await bundleSources(
  scratch,
  'signing.cjs',
  path.join(repo, 'server/src/core/signing/index.ts'),
);
removeFolder(scratch);

function pickModule() {
  if (explicit) return { name: explicit, bytes: readFileSync(explicit) };
  if (args.includes('--generate'))
    return { name: 'generated 32 MB module', bytes: generatedModule(32 * 1024 * 1024) };
  const cache = realWorldCache;
  try {
    const largest = readdirSync(cache)
      .filter((f) => f.endsWith('.wasm'))
      .map((f) => ({ f, size: statSync(path.join(cache, f)).size }))
      .sort((a, b) => b.size - a.size)[0];
    if (largest && largest.size >= 30e6)
      return { name: `.cache/real-world/${largest.f}`, bytes: readFileSync(path.join(cache, largest.f)) };
  } catch {
    // No cache: generate below.
  }
  return { name: 'generated 32 MB module', bytes: generatedModule(32 * 1024 * 1024) };
}

/** A valid module: one memory and passive data segments of pseudo-random bytes, then a custom section. */
function generatedModule(size) {
  const leb = (n) => {
    const out = [];
    do {
      let b = n & 0x7f;
      n = Math.floor(n / 128);
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return Buffer.from(out);
  };
  const section = (id, body) => Buffer.concat([Buffer.from([id]), leb(body.length), body]);
  const segment = 1 << 20;
  const count = Math.floor(size / segment);
  const fill = Buffer.alloc(segment);
  for (let i = 0; i < segment; i++) fill[i] = (i * 2654435761) >>> 24;
  const segments = [leb(count)];
  for (let i = 0; i < count; i++) segments.push(Buffer.from([1]), leb(segment), fill);
  return Buffer.concat([
    Buffer.from('0061736d01000000', 'hex'),
    section(5, Buffer.from([1, 0, 1])),
    section(12, leb(count)),
    section(11, Buffer.concat(segments)),
    section(0, Buffer.concat([leb(4), Buffer.from('note'), Buffer.from('bench')])),
  ]);
}

// Best-of-N is the figure compared: on a shared machine, slower runs measure the neighbours.
const best = (values) => Math.min(...values);

const { name, bytes } = pickModule();
const pair = signing.generateKeyPair('compact');
const secret = signing.loadSecretKey(pair.secretKeyFile).key;
const trusted = signing.loadPublicKey(pair.publicKeyFile).key;
const signedResult = signing.signModule(bytes, secret);
if (!signedResult.ok) throw new Error(signedResult.problem.message);
const signedBytes = signedResult.module;

// Each step is timed in CPU time of this process (user + system), which other processes on a shared
// machine do not inflate the way they inflate wall-clock time; wall time is printed alongside.
const timings = { raw: [], verify: [], sign: [] };
const walls = { raw: [], verify: [], sign: [] };
for (let run = 0; run < runs + 1; run++) {
  // Interleaved, so every step sees the same machine state; run 0 is a warm-up.
  const raw = measureCpu(() => createHash('sha256').update(signedBytes).digest());
  const verify = measureCpu(() => signing.verifyModuleSignatures(signedBytes, { publicKeys: [trusted] }));
  if (!verify.result.valid) throw new Error(`bench module did not verify: ${verify.result.status}`);
  const sign = measureCpu(() => signing.signModule(bytes, secret));
  if (!sign.result.ok) throw new Error('signing failed');
  if (run === 0) continue;
  for (const [key, m] of Object.entries({ raw, verify, sign })) {
    timings[key].push(m.cpu);
    walls[key].push(m.wall);
  }
}

const mb = signedBytes.length / 1e6;
const rate = (ms) => (mb / (ms / 1000) / 1000).toFixed(2);
const raw = best(timings.raw);
console.log(
  `Signing bench: ${name}, ${mb.toFixed(1)} MB, CPU time, best of ${runs} interleaved runs (Node ${process.version})`,
);
console.log(
  `  ${'raw SHA-256 (crypto.createHash)'.padEnd(32)} best ${raw.toFixed(1).padStart(6)} ms  ${rate(raw)} GB/s  100%   (wall median ${median(walls.raw).toFixed(1)} ms)`,
);
for (const key of ['verify', 'sign']) {
  const ms = best(timings[key]);
  const share = ((raw / ms) * 100).toFixed(0);
  console.log(
    `  ${key.padEnd(32)} best ${ms.toFixed(1).padStart(6)} ms  ${rate(ms)} GB/s  ${share.padStart(3)}%   (wall median ${median(walls[key]).toFixed(1)} ms)`,
  );
}
