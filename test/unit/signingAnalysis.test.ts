import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { analyzeModule, type ModuleAnalysis } from '../../server/src/core/analyze';
import { nodeFileSystem } from '../../server/src/core/policy/fileSystem';
import { PolicyResolver } from '../../server/src/core/policy/resolver';
import type { EffectivePolicy } from '../../server/src/core/policy/types';
import { sharedTestdata } from '../support/sharedTestdata';
import { checkText, policyFrom } from './rules/helpers';

// What the analysis does before the signature rules run (their findings are in
// test/unit/rules/*-signature.test.ts): load the trusted keys, and check binaries only.
const VECTORS = sharedTestdata('wasm-signatures');
const moduleBytes = (name: string) => readFileSync(path.join(VECTORS, 'modules', name));

const signatureRules = (a: ModuleAnalysis) =>
  a.findings.filter((f) => /^(missing|invalid|untrusted)-signature$/.test(f.ruleId)).map((f) => f.ruleId);

describe('signing in the analysis', () => {
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
      const check = async (file: string, p: EffectivePolicy = policy) =>
        signatureRules(await analyzeModule({ fileName: 'm.wasm', bytes: moduleBytes(file), policy: p }));
      assert.deepEqual(await check('01_signed_key1_nokeyid.wasm'), []);
      assert.deepEqual(await check('03_signed_key1_key2.wasm'), []);
      const untrusted = policyFrom({ signature: { required: true } });
      assert.equal((await check('01_signed_key1_nokeyid.wasm', untrusted))[0], 'untrusted-signature');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not check WAT text (the compiled binary is what gets signed)', async () => {
    const required = policyFrom({ signature: { required: true } });
    assert.deepEqual(signatureRules(await checkText('(module)', { policy: required })), []);
  });
});
