import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { analyzeModule, type ModuleAnalysis } from '../../../server/src/core/analyze';
import { nodeFileSystem } from '../../../server/src/core/policy/fileSystem';
import { PolicyResolver } from '../../../server/src/core/policy/resolver';
import type { EffectivePolicy } from '../../../server/src/core/policy/types';
import { loadPublicKey, type PublicKeyInfo } from '../../../server/src/core/signing';
import { checkText, defaultPolicy, policyFrom, where } from './helpers';
import { sharedTestdata } from '../../support/sharedTestdata';

const VECTORS = sharedTestdata('wasm-signatures');
const moduleBytes = (name: string) => readFileSync(path.join(VECTORS, 'modules', name));

function key(name: string): PublicKeyInfo {
  const result = loadPublicKey(readFileSync(path.join(VECTORS, 'keys', `${name}.pk`)), name);
  if (!result.ok) throw new Error(result.error);
  return result.key;
}

const SIGNATURE_RULES = /^(missing|invalid|untrusted)-signature$/;

async function check(
  file: string,
  policy: EffectivePolicy,
  keys: PublicKeyInfo[],
  detached?: string,
): Promise<ModuleAnalysis> {
  return analyzeModule({
    fileName: file,
    bytes: moduleBytes(file),
    policy,
    trustedKeys: keys,
    detachedSignature: detached ? moduleBytes(detached) : undefined,
  });
}

const summary = (a: ModuleAnalysis) =>
  a.findings
    .filter((f) => SIGNATURE_RULES.test(f.ruleId))
    .map((f) => [f.ruleId, f.severity, f.message, where(f)]);

const REQUIRED = () => policyFrom({ signature: { required: true } });

describe('rules: missing-signature, invalid-signature, untrusted-signature', () => {
  it('missing: an error at the preamble when the policy requires a signature, silent otherwise', async () => {
    assert.deepEqual(summary(await check('00_unsigned.wasm', REQUIRED(), [key('key1')])), [
      [
        'missing-signature',
        'error',
        'The module is not signed, but the policy requires a signature. Sign it with "Wasm Warden: Sign Module" or `wasm-warden sign`.',
        [0, 8],
      ],
    ]);
    assert.deepEqual(summary(await check('00_unsigned.wasm', defaultPolicy(), [])), []);
  });

  it('missing: reported as info when the user turns the rule on without requiring signatures', async () => {
    const policy = policyFrom({ rules: { 'missing-signature': 'info' } });
    assert.deepEqual(summary(await check('00_unsigned.wasm', policy, []))[0].slice(0, 2), [
      'missing-signature',
      'info',
    ]);
  });

  it('valid signatures by a trusted key, embedded or detached, give no finding', async () => {
    assert.deepEqual(summary(await check('01_signed_key1_nokeyid.wasm', REQUIRED(), [key('key1')])), []);
    assert.deepEqual(summary(await check('03_signed_key1_key2.wasm', REQUIRED(), [key('key2')])), []);
    assert.deepEqual(
      summary(await check('04_detached_module.wasm', REQUIRED(), [key('key1')], '04_detached_key1.sig')),
      [],
    );
  });

  it('untrusted: a valid signature by a key the policy does not trust', async () => {
    assert.deepEqual(summary(await check('02_signed_key1_keyid.wasm', REQUIRED(), [key('key2')])), [
      [
        'untrusted-signature',
        'error',
        'The module is signed by key id 95b7883f78b637231e4ca40f, which is none of the 1 trusted keys in the policy.',
        [60, 80],
      ],
    ]);
    const relaxed = policyFrom({ rules: { 'untrusted-signature': 'warning' } });
    const [finding] = summary(
      await check('07_three_parts_keyid_first_key1_second_key2.wasm', relaxed, [key('key3')]),
    );
    assert.deepEqual(finding.slice(0, 3), [
      'untrusted-signature',
      'warning',
      'The module is signed by key id "first", which is none of the 1 trusted keys in the policy.',
    ]);
  });

  it('untrusted: silent when the policy neither requires signatures nor names keys', async () => {
    assert.deepEqual(summary(await check('01_signed_key1_nokeyid.wasm', defaultPolicy(), [])), []);
  });

  it('invalid: tampered content, at the changed part', async () => {
    assert.deepEqual(summary(await check('N1_tampered_data_key1.wasm', defaultPolicy(), [key('key1')])), [
      [
        'invalid-signature',
        'error',
        'Signature by a signer without a key id does not verify: The module changed after it was signed: its content no longer matches the signed hashes.',
        [127, 298],
      ],
    ]);
  });

  it('invalid: a misplaced section, an unknown spec version, a changed preamble', async () => {
    const [misplaced] = summary(
      await check('N3_signature_not_first_key1.wasm', defaultPolicy(), [key('key1')]),
    );
    assert.deepEqual(misplaced.slice(0, 2), ['invalid-signature', 'error']);
    assert.match(
      misplaced[2] as string,
      /^The module's signature does not verify: A "signature" section at offset 306 is not the first section/,
    );
    assert.deepEqual(summary(await check('N5_spec_version_2_key1.wasm', defaultPolicy(), [key('key1')])), [
      [
        'invalid-signature',
        'error',
        'The signature cannot be checked: Unsupported signature spec version 2 (only version 1 is known).',
        [20, 1],
      ],
    ]);
    const [preamble] = summary(
      await check('Q1_preamble_changed_to_component_key1.wasm', defaultPolicy(), [key('key1')]),
    );
    assert.deepEqual([preamble[0], preamble[3]], ['invalid-signature', [0, 8]]);
  });

  it('partial: a signed prefix with an unsigned tail, unless allowPartial', async () => {
    assert.deepEqual(
      summary(await check('06_extended_key1_partial_key2_full.wasm', REQUIRED(), [key('key1')])),
      [
        [
          'missing-signature',
          'error',
          'The signature covers only bytes 329–703 of 802; the rest (1 of 3 parts) is unsigned and can be changed without breaking it; the policy does not allow partial signatures.',
          [703, 99],
        ],
      ],
    );
    const allow = policyFrom({ signature: { required: true, allowPartial: true } });
    assert.deepEqual(
      summary(await check('06_extended_key1_partial_key2_full.wasm', allow, [key('key1')])),
      [],
    );
  });

  it('invalid: severity cannot be lowered below what the user sets, and off really is off', async () => {
    const off = policyFrom({ rules: { 'invalid-signature': 'off' } });
    assert.deepEqual(summary(await check('N1_tampered_data_key1.wasm', off, [key('key1')])), []);
  });

  it('loads trusted keys from the policy file itself', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ww-sig-'));
    try {
      copyFileSync(path.join(VECTORS, 'keys', 'key1.pk.pem'), path.join(dir, 'release.pem'));
      writeFileSync(
        path.join(dir, 'wasm-policy.json'),
        JSON.stringify({
          imports: { otherwise: 'allow' },
          signature: { required: true, trustedKeys: ['release.pem'] },
        }),
      );
      const policy = new PolicyResolver(nodeFileSystem, { roots: [dir] }).resolve(path.join(dir, 'm.wasm'));
      assert.equal(policy.source.kind, 'file');
      const good = await analyzeModule({
        fileName: 'm.wasm',
        bytes: moduleBytes('01_signed_key1_nokeyid.wasm'),
        policy,
      });
      assert.deepEqual(summary(good), []);
      const other = await analyzeModule({
        fileName: 'm.wasm',
        bytes: moduleBytes('03_signed_key1_key2.wasm'),
        policy,
      });
      assert.deepEqual(summary(other), []);
      const untrusted = policyFrom({ signature: { required: true } });
      assert.equal(
        summary(
          await analyzeModule({
            fileName: 'm.wasm',
            bytes: moduleBytes('01_signed_key1_nokeyid.wasm'),
            policy: untrusted,
          }),
        )[0][0],
        'untrusted-signature',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not apply to WAT text (the compiled binary is what gets signed)', async () => {
    assert.deepEqual(summary(await checkText('(module)', { policy: REQUIRED() })), []);
  });
});
