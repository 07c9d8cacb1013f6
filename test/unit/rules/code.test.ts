import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { familyPrefilter, matchFamilies } from '../../../server/src/core/rules/support/minerFingerprints';
import { seededRandom } from '../../support/seededRandom';
import { checkBytes, checkText, ofRule, policyFrom, wat2wasm, where } from './helpers';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/rules');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => {
    exports: { memory: { buffer: ArrayBuffer }; init(): void; compress(pointer: number): void };
  };
}

/** Runs the WAT SHA-256 on a message (host-side padding, one compress call per block). */
function sha256With(bytes: Uint8Array, message: Buffer): string {
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const e = new wasm.Instance(new wasm.Module(bytes)).exports;
  const total = Math.ceil((message.length + 9) / 64) * 64;
  const padded = Buffer.alloc(total);
  message.copy(padded);
  padded[message.length] = 0x80;
  padded.writeBigUInt64BE(BigInt(message.length) * 8n, total - 8);
  e.init();
  for (let o = 0; o < total; o += 64) {
    new Uint8Array(e.memory.buffer).set(padded.subarray(o, o + 64), 1024);
    e.compress(1024);
  }
  const view = new DataView(e.memory.buffer);
  return Array.from({ length: 8 }, (_, i) =>
    view
      .getUint32(256 + 4 * i, true)
      .toString(16)
      .padStart(8, '0'),
  ).join('');
}

describe('rules: cryptominer', () => {
  it('catches the crafted miner-like module in binary form, at the AES-like function body', async () => {
    const bytes = await wat2wasm(fixture('miner-like.wat'));
    const analysis = await checkBytes(bytes);
    const [finding, ...rest] = ofRule(analysis, 'cryptominer');
    assert.equal(rest.length, 0);
    assert.equal(finding.severity, 'error');
    assert.equal(
      finding.message,
      'This module carries every CryptoNight building block (Keccak-like sponge, AES/Grøstl-like table rounds, BLAKE/Skein-like add-rotate-xor, JH-like bitsliced rounds): it is very likely a cryptocurrency miner. The AES-like rounds are in function $aes_like_rounds (index 1).',
    );
    assert.deepEqual(where(finding), where(analysis.facts[0].functions[1]));
    assert.deepEqual(finding.data, { functions: { sponge: [0], tTable: [1], arx: [2], bitsliced: [3] } });
  });

  it('catches it in text form and points at the (func …) of the AES-like function', async () => {
    const [finding] = ofRule(await checkText(fixture('miner-like.wat')), 'cryptominer');
    const lines = fixture('miner-like.wat').split('\n');
    const line = lines.findIndex((l) => l.includes('(func $aes_like_rounds'));
    assert.equal(finding.location.kind, 'text');
    assert.deepEqual(where(finding).slice(0, 2), [line, 2]);
  });

  it('reports a miner nested in a component once, at the nested function', async () => {
    const core = await wat2wasm(fixture('miner-like.wat'));
    const size: number[] = [];
    for (let n = core.length; ; n >>>= 7) {
      size.push(n >= 0x80 ? (n & 0x7f) | 0x80 : n);
      if (n < 0x80) break;
    }
    // Component preamble, then one core module section (id 1) holding the module.
    const component = Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 1, ...size, ...core]);
    const analysis = await checkBytes(component);
    assert.equal(analysis.facts[0].kind, 'component');
    const findings = ofRule(analysis, 'cryptominer');
    assert.equal(findings.length, 1);
    assert.deepEqual(where(findings[0]), where(analysis.facts[0].modules![0].functions[1]));
  });

  it('does not flag a module with only some of the families', async () => {
    const text = fixture('miner-like.wat').replace(/\(func \$jh_like[\s\S]*?\(local\.get \$x1\)\)/, '');
    assert.equal(ofRule(await checkText(text), 'cryptominer').length, 0);
  });

  it('does not flag a real SHA-256 written in WAT (and the fixture really is SHA-256)', async () => {
    const text = fixture('sha256.wat');
    const bytes = await wat2wasm(text);
    for (const message of ['abc', '', 'x'.repeat(1000)]) {
      assert.equal(
        sha256With(bytes, Buffer.from(message)),
        createHash('sha256').update(message).digest('hex'),
      );
    }
    assert.equal(ofRule(await checkBytes(bytes), 'cryptominer').length, 0);
    assert.equal(ofRule(await checkText(text), 'cryptominer').length, 0);
  });

  it('does not take multiply-heavy field arithmetic for AES or JH (esbuild-wasm P-256 false alarm)', () => {
    // Counts of one of esbuild-wasm 0.28.2's P-256 functions, which matched both families before.
    const p256 = {
      instructions: 2995,
      xor: 57,
      shl: 0,
      shrU: 145,
      shrS: 0,
      rotl: 0,
      rotr: 0,
      and: 154,
      or: 109,
      add: 219,
      mul: 122,
      load: 218,
      store: 112,
      call: 4,
      callIndirect: 0,
      callRef: 0,
      loop: 0,
      atomic: 0,
      simd: 0,
    };
    assert.deepEqual(matchFamilies(p256), []);
    // Without its multiplies the same profile is AES-like: the multiply count is what tells them apart.
    assert.deepEqual(matchFamilies({ ...p256, mul: 0 }), ['tTable']);
  });

  it('prefilters each body alike whatever bodies it saw before (its search memo)', () => {
    // Bodies with many, few or no xor bytes (0x73, 0x85), some far apart, some sponge-like.
    const random = seededRandom(3);
    const parts: number[] = [];
    const bodies: Array<[number, number]> = [];
    for (let b = 0; b < 300; b++) {
      const start = parts.length;
      const size = 40 + random(400);
      const xorShare = [0, 0.02, 0.06, 0.3][random(4)];
      for (let i = 0; i < size; i++) {
        const r = random(1000) / 1000;
        parts.push(
          r < xorShare ? [0x73, 0x85][random(2)] : r < xorShare * 1.6 ? [0x77, 0x71][random(2)] : 0x20,
        );
      }
      bodies.push([start, parts.length]);
    }
    const file = Buffer.from(parts);
    const fresh = bodies.map(([start, end]) => familyPrefilter()(file, start, end));
    const inOrder = familyPrefilter();
    const backwards = familyPrefilter();
    assert.deepEqual(
      bodies.map(([start, end]) => inOrder(file, start, end)),
      fresh,
    );
    assert.deepEqual(
      [...bodies].reverse().map(([start, end]) => backwards(file, start, end)),
      [...fresh].reverse(),
    );
    assert.ok(fresh.includes(true) && fresh.includes(false));
  });

  it('can be turned off or down', async () => {
    const bytes = await wat2wasm(fixture('miner-like.wat'));
    assert.equal(
      ofRule(await checkBytes(bytes, { overrides: { cryptominer: 'off' } }), 'cryptominer').length,
      0,
    );
    const policy = policyFrom({ rules: { cryptominer: 'warning' }, imports: { otherwise: 'allow' } });
    assert.equal(ofRule(await checkBytes(bytes, { policy }), 'cryptominer')[0].severity, 'warning');
  });
});
