import * as assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { encodeCustomSection } from '../../server/src/core/signing/format';
import { crc16, decodeNkey, verifyWasmCloudClaims } from '../../server/src/core/signing/wascap';
import { SIGNING_VECTORS } from './signingVectors';

const OTHER = path.join(SIGNING_VECTORS, 'other');
const signedLoop = readFileSync(`${OTHER}/wascap_signed_loop.wasm`);
const ISSUER = 'ACCHS57D3P2VEON5MQCJM4YA34GYBDFZR3IBG5EQNUONIHBO5X4NIURC';

describe('signing: wasmCloud claims', () => {
  it('verifies the vector: issuer signature and module hash', () => {
    const report = verifyWasmCloudClaims(signedLoop);
    assert.equal(report.valid, true, report.problems.join('; '));
    assert.equal(report.issuer, ISSUER);
    assert.equal(report.issuerRole, 'account');
    assert.equal(report.subject, 'MBQ2RC3BARXFWTBFW5UJ6J3QSAVYJ7D64Z5LRCPR3UI44F65Q3OMNGYM');
    assert.equal(report.name, 'Secure Actor');
    assert.deepEqual(report.section, { kind: 'binary', offset: 74, length: 677 });
  });

  it('a module without claims has none', () => {
    const report = verifyWasmCloudClaims(readFileSync(`${OTHER}/wascap_loop.wasm`));
    assert.equal(report.present, false);
    assert.equal(report.valid, false);
  });

  it('a changed module no longer matches wascap.hash', () => {
    const tampered = Uint8Array.from(signedLoop);
    tampered[40] ^= 0x01; // inside the code section
    const report = verifyWasmCloudClaims(tampered);
    assert.equal(report.signatureValid, true);
    assert.equal(report.hashMatches, false);
    assert.equal(report.valid, false);
  });

  it('a changed token fails the issuer signature', () => {
    const text = Buffer.from(signedLoop).toString('latin1');
    // Change one character of the payload's base64 (the "name" claim area).
    const at = text.indexOf('.') + 20;
    const tampered = Buffer.from(
      text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1),
      'latin1',
    );
    const report = verifyWasmCloudClaims(tampered);
    assert.equal(report.valid, false);
  });

  it('claims made here with a fresh issuer verify, and are reported once expired', () => {
    const unsigned = readFileSync(`${OTHER}/wascap_loop.wasm`);
    const withClaims = claimsModule(unsigned, { exp: 2_000_000_000 });
    assert.equal(verifyWasmCloudClaims(withClaims, 1_900_000_000).valid, true);
    const late = verifyWasmCloudClaims(withClaims, 2_000_000_001);
    assert.equal(late.valid, false);
    assert.match(late.problems.join(' '), /expired/);
  });

  it('decodes nkeys and rejects bad checksums', () => {
    const decoded = decodeNkey(ISSUER);
    assert.ok('raw' in decoded);
    assert.equal(decoded.raw.length, 32);
    const broken = ISSUER.slice(0, 10) + (ISSUER[10] === 'A' ? 'B' : 'A') + ISSUER.slice(11);
    assert.match((decodeNkey(broken) as { error: string }).error, /checksum/);
    assert.match((decodeNkey('not-a-key') as { error: string }).error, /not an nkey/);
  });

  it('CRC-16/XMODEM check value', () => {
    assert.equal(crc16(Buffer.from('123456789')), 0x31c3);
  });
});

/** An nkey public key of role "account" (prefix byte 0) for a raw Ed25519 key: base32(prefix ‖ key ‖ crc16 LE). */
function accountNkey(raw: Buffer): string {
  const body = Buffer.concat([Buffer.from([0]), raw]);
  const crc = crc16(body);
  const bytes = Buffer.concat([body, Buffer.from([crc & 0xff, crc >> 8])]);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(value >> bits) & 31];
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

function claimsModule(module: Buffer, extra: Record<string, unknown>): Buffer {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const hash = createHash('sha256').update(module).digest('hex').toUpperCase();
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${b64({ typ: 'jwt', alg: 'Ed25519' })}.${b64({ iss: accountNkey(raw), sub: 'M', wascap: { hash }, ...extra })}`;
  const jwt = `${signingInput}.${sign(null, Buffer.from(signingInput), privateKey).toString('base64url')}`;
  return Buffer.concat([module, encodeCustomSection('wasmcloud_jwt', Buffer.from(jwt))]);
}
