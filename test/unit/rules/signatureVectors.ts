/**
 * The wasmsign2 test vectors as rule-tester cases for the three signature rules: each case is a
 * module from the shared test data, a policy and the trusted keys, and its verdict is computed from
 * the case's bytes when it runs, as the analysis does before the rules.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadPublicKey, verifyModuleSignatures, type PublicKeyInfo } from '../../../server/src/core/signing';
import { sharedTestdata } from '../../support/sharedTestdata';
import type { RuleCase } from './ruleTester';

const VECTORS = sharedTestdata('wasm-signatures');
const vectorBytes = (name: string) => Uint8Array.from(readFileSync(path.join(VECTORS, 'modules', name)));

function key(name: string): PublicKeyInfo {
  const result = loadPublicKey(readFileSync(path.join(VECTORS, 'keys', `${name}.pk`)), name);
  if (!result.ok) throw new Error(result.error);
  return result.key;
}

/** Module `file` checked against `policy` with `keys` trusted (and a detached signature file). */
function vector(file: string, policy: object | undefined, keys: string[], detached?: string): RuleCase {
  return {
    name: `${file}${detached ? ` + ${detached}` : ''}, ${policy ? JSON.stringify(policy) : 'default policy'}, trusting ${keys.join(', ') || 'no key'}`,
    bytes: async () => vectorBytes(file),
    policy,
    signature: (bytes) => {
      const publicKeys = keys.map(key);
      const detachedSignature = detached ? vectorBytes(detached) : undefined;
      return {
        report: verifyModuleSignatures(bytes, { publicKeys, detachedSignature }),
        trustedKeyCount: keys.length,
        keyErrors: [],
      };
    },
  };
}

const REQUIRED = { signature: { required: true } };

/** Each situation the signature rules tell apart; every rule's table lists all of them. */
export const SIGNED = {
  unsignedRequired: vector('00_unsigned.wasm', REQUIRED, ['key1']),
  unsignedByDefault: vector('00_unsigned.wasm', undefined, []),
  unsignedRuleOn: vector('00_unsigned.wasm', { rules: { 'missing-signature': 'info' } }, []),
  trustedNoKeyId: vector('01_signed_key1_nokeyid.wasm', REQUIRED, ['key1']),
  trustedSecondSigner: vector('03_signed_key1_key2.wasm', REQUIRED, ['key2']),
  trustedDetached: vector('04_detached_module.wasm', REQUIRED, ['key1'], '04_detached_key1.sig'),
  untrusted: vector('02_signed_key1_keyid.wasm', REQUIRED, ['key2']),
  untrustedRelaxed: vector(
    '07_three_parts_keyid_first_key1_second_key2.wasm',
    { rules: { 'untrusted-signature': 'warning' } },
    ['key3'],
  ),
  // A signed module where the policy neither requires signatures nor names keys.
  signedByDefault: vector('01_signed_key1_nokeyid.wasm', undefined, []),
  tampered: vector('N1_tampered_data_key1.wasm', undefined, ['key1']),
  // Off really is off, even on a tampered module.
  tamperedRuleOff: vector('N1_tampered_data_key1.wasm', { rules: { 'invalid-signature': 'off' } }, ['key1']),
  misplaced: vector('N3_signature_not_first_key1.wasm', undefined, ['key1']),
  specVersion2: vector('N5_spec_version_2_key1.wasm', undefined, ['key1']),
  preambleChanged: vector('Q1_preamble_changed_to_component_key1.wasm', undefined, ['key1']),
  partial: vector('06_extended_key1_partial_key2_full.wasm', REQUIRED, ['key1']),
  partialAllowed: vector(
    '06_extended_key1_partial_key2_full.wasm',
    { signature: { required: true, allowPartial: true } },
    ['key1'],
  ),
} satisfies Record<string, RuleCase>;

/** Every situation but `invalid`: the ones a rule must stay silent on. */
export function signedExcept(...invalid: RuleCase[]): RuleCase[] {
  return Object.values(SIGNED).filter((c) => !invalid.includes(c));
}
