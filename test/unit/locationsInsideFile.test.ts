import * as assert from 'node:assert/strict';
import { analyzeModule, insideFile } from '../../server/src/core/analyze';
import type { Finding } from '../../server/src/core/findings';
import { defaultPolicy, MODULE_PATH } from './rules/helpers';

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const SIGNATURE = [...Buffer.from('signature')];

async function findings(bytes: Uint8Array): Promise<Finding[]> {
  return (await analyzeModule({ fileName: MODULE_PATH, bytes, policy: defaultPolicy() })).findings;
}

function assertInside(list: Finding[], size: number, what: string): void {
  for (const f of list) {
    if (f.location.kind !== 'binary') continue;
    const { offset, length } = f.location;
    assert.ok(
      offset >= 0 && (offset < size || (size === 0 && offset === 0)) && offset + length <= size,
      `${what}: ${f.ruleId} at ${offset}+${length} lies outside the ${size}-byte file`,
    );
  }
}

describe('every finding of a .wasm lies inside the file', () => {
  it('an empty signature section at the end of the file is reported on its last byte, not one past it', async () => {
    const bytes = Uint8Array.from([...HEADER, 0x00, 1 + SIGNATURE.length, SIGNATURE.length, ...SIGNATURE]);
    const list = await findings(bytes);
    const signature = list.find((f) => f.ruleId === 'invalid-signature');
    assert.ok(signature, JSON.stringify(list));
    assert.deepEqual(signature.location, { kind: 'binary', offset: bytes.length - 1, length: 1 });
    assertInside(list, bytes.length, 'empty signature section');
  });

  it('crafted and mutated modules: no location past the end', async () => {
    const inputs: number[][] = [
      [],
      [0x00],
      HEADER.slice(0, 6),
      HEADER,
      [...HEADER, 0x03, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f],
      [...HEADER, 0x00, 0x0a, SIGNATURE.length, ...SIGNATURE],
      [...HEADER, 0x00, 1 + SIGNATURE.length + 1, SIGNATURE.length, ...SIGNATURE, 0x01],
      [...HEADER, 0x01, 0x04, 0x01, 0x60, 0x00],
    ];
    let seed = 11;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    const base = [
      ...HEADER,
      0x01,
      0x04,
      0x01,
      0x60,
      0x00,
      0x00,
      0x03,
      0x02,
      0x01,
      0x00,
      0x0a,
      0x04,
      0x01,
      0x02,
      0x00,
      0x0b,
    ];
    for (let i = 0; i < 300; i++) {
      const bytes = [...base, 0x00, 1 + SIGNATURE.length, SIGNATURE.length, ...SIGNATURE];
      bytes.splice(next(bytes.length), 1 + next(3));
      inputs.push(bytes);
    }
    for (const input of inputs) {
      const bytes = Uint8Array.from(input);
      assertInside(await findings(bytes), bytes.length, Buffer.from(bytes).toString('hex'));
    }
  });

  it('insideFile moves only what lies outside', () => {
    const at = (offset: number, length: number): Finding => ({
      ruleId: 'x',
      severity: 'error',
      message: 'm',
      location: { kind: 'binary', offset, length },
    });
    assert.deepEqual(
      insideFile([at(3, 2), at(10, 1), at(9, 4), at(10, 0)], 10).map((f) => f.location),
      [
        { kind: 'binary', offset: 3, length: 2 },
        { kind: 'binary', offset: 9, length: 1 },
        { kind: 'binary', offset: 9, length: 1 },
        { kind: 'binary', offset: 9, length: 1 },
      ],
    );
  });
});
