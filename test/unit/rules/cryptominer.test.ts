import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { familyPrefilter, matchFamilies } from '../../../server/src/core/rules/support/minerFingerprints';
import { seededRandom } from '../../support/seededRandom';
import { checkBytes, ofRule, wat2wasm } from './helpers';
import { ruleTester } from './ruleTester';

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

const MESSAGE =
  'This module carries every CryptoNight building block (Keccak-like sponge, AES/Grøstl-like table rounds, BLAKE/Skein-like add-rotate-xor, JH-like bitsliced rounds): it is very likely a cryptocurrency miner. The AES-like rounds are in function $aes_like_rounds (index 1).';
const FUNCTIONS = { functions: { sponge: [0], tTable: [1], arx: [2], bitsliced: [3] } };

/** `core` as the one core module of a component (preamble, then a core module section, id 1). */
function inComponent(core: Uint8Array): Uint8Array {
  const size: number[] = [];
  for (let n = core.length; ; n >>>= 7) {
    size.push(n >= 0x80 ? (n & 0x7f) | 0x80 : n);
    if (n < 0x80) break;
  }
  return Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 1, ...size, ...core]);
}

// miner-like.wat compiles to 3,462 bytes; its AES-like function ($aes_like_rounds, index 1) has its
// body at 854 (996 bytes), and its `(func` spans lines 84-205 of the text. In a component the
// module starts 11 bytes in (preamble, section id, two size bytes).
ruleTester('cryptominer', {
  valid: [
    {
      name: 'a module with only some of the families (no JH-like function)',
      text: fixture('miner-like.wat').replace(/\(func \$jh_like[\s\S]*?\(local\.get \$x1\)\)/, ''),
    },
    { name: 'a real SHA-256 written in WAT, as a binary', wat: fixture('sha256.wat') },
    { name: 'a real SHA-256 written in WAT, as text', text: fixture('sha256.wat') },
    {
      name: 'the miner-like module, the rule turned off by the policy',
      wat: fixture('miner-like.wat'),
      policy: { rules: { cryptominer: 'off' } },
    },
  ],
  invalid: [
    {
      name: 'the crafted miner-like module in binary form, at the AES-like function body',
      wat: fixture('miner-like.wat'),
      findings: [{ severity: 'error', message: MESSAGE, where: [854, 996], data: FUNCTIONS }],
    },
    {
      name: 'the same in text form, at the (func …) of the AES-like function',
      text: fixture('miner-like.wat'),
      findings: [{ severity: 'error', message: MESSAGE, where: [83, 2, 204, 19], data: FUNCTIONS }],
    },
    {
      name: 'a miner nested in a component, once, at the nested function',
      bytes: async () => inComponent(await wat2wasm(fixture('miner-like.wat'))),
      findings: [{ severity: 'error', message: MESSAGE, where: [865, 996], data: FUNCTIONS }],
    },
    {
      name: 'turned down to a warning by the policy',
      wat: fixture('miner-like.wat'),
      policy: { rules: { cryptominer: 'warning' }, imports: { otherwise: 'allow' } },
      findings: [{ severity: 'warning', message: MESSAGE, where: [854, 996] }],
    },
  ],
});

describe('cryptominer: fixtures and fingerprints', () => {
  it('has a SHA-256 fixture that really is SHA-256', async () => {
    const bytes = await wat2wasm(fixture('sha256.wat'));
    for (const message of ['abc', '', 'x'.repeat(1000)]) {
      assert.equal(
        sha256With(bytes, Buffer.from(message)),
        createHash('sha256').update(message).digest('hex'),
      );
    }
  });

  it('is turned off by the editor settings as well as by the policy (whole pipeline)', async () => {
    const bytes = await wat2wasm(fixture('miner-like.wat'));
    assert.equal(
      ofRule(await checkBytes(bytes, { overrides: { cryptominer: 'off' } }), 'cryptominer').length,
      0,
    );
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
});
