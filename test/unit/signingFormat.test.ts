/**
 * The signature section is read with the modules' one ByteReader: a broken payload is a located
 * problem that names the field being read, with offsets in the file (the payload's base added).
 */
import * as assert from 'node:assert/strict';
import { encodeVarUint32 } from '../../server/src/core/module/byteReader';
import { encodeSignatureData, parseSignatureData } from '../../server/src/core/signing/format';

const hash = new Uint8Array(32).fill(7);
const payload = encodeSignatureData({
  sets: [
    {
      hashes: [hash],
      signatures: [
        { keyId: Uint8Array.of(1, 2), algorithm: 1, signature: new Uint8Array(64), offset: 0, length: 0 },
      ],
      offset: 0,
      length: 0,
    },
  ],
});

describe('signature section payload', () => {
  it('reads back what it writes, with offsets in the file', () => {
    const data = parseSignatureData(payload, 1000);
    assert.ok('sets' in data);
    assert.deepEqual([...data.sets[0].hashes[0]], [...hash]);
    assert.deepEqual([...data.sets[0].signatures[0].keyId], [1, 2]);
    assert.equal(data.sets[0].offset, 1000 + 4);
    assert.equal(data.sets[0].length, payload.length - 4);
  });

  it('names the field a truncation breaks and locates it in the file', () => {
    // Header (3) + set count (1) + set length (1..2) + hash count (1): the hash starts after that.
    const setLength = encodeVarUint32(payload.length - 4 - 2).length;
    const hashAt = 4 + setLength + 1;
    const cut = payload.slice(0, hashAt + 10);
    // The set's declared length now runs past the payload.
    const problem = parseSignatureData(cut, 1000);
    assert.ok('code' in problem);
    assert.equal(problem.code, 'malformed-signature-section');
    assert.match(
      problem.message,
      /^Malformed signature section: signed hash set: length \d+ runs past the end/,
    );
    assert.equal(problem.location?.kind === 'binary' && problem.location.offset, 1000 + 4 + setLength);
    // A set whose own length is consistent but whose hash is short: the hash is named.
    const short = Uint8Array.of(1, 1, 1, 1, 11, 1, ...new Uint8Array(10));
    const hashProblem = parseSignatureData(short, 50);
    assert.ok('code' in hashProblem);
    assert.match(
      hashProblem.message,
      /^Malformed signature section: hash: length 32 runs past the end of the data\.$/,
    );
    assert.equal(hashProblem.location?.kind === 'binary' && hashProblem.location.offset, 50 + 6);
  });

  it('reports unknown header values with their own codes, at their byte', () => {
    const problem = parseSignatureData(Uint8Array.of(1, 2, 1, 0), 20);
    assert.ok('code' in problem);
    assert.equal(problem.code, 'unsupported-content-type');
    assert.equal(problem.location?.kind === 'binary' && problem.location.offset, 21);
  });
});
