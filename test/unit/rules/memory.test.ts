import * as assert from 'node:assert/strict';
import { byteSpan } from '../../../server/src/core/location';
import { readBinaryModule } from '../../../server/src/core/module/binary';
import type { ModuleFacts } from '../../../server/src/core/module/model';
import { findRule } from '../../../server/src/core/rules/registry';
import { runRules } from '../../../server/src/core/rules/runner';
import { checkText, checkWat, ofRule, policyFrom, wat2wasm, where } from './helpers';

const messages = (findings: { message: string }[]) => findings.map((f) => f.message);

describe('rules: memory-limit', () => {
  it('reports initial and maximum above maxPages, in pages and bytes, decided by the maxPages line', async () => {
    const policy = policyFrom({ memory: { maxPages: 16 } });
    const analysis = await checkWat('(module (memory 17 32))', { policy });
    const findings = ofRule(analysis, 'memory-limit');
    assert.deepEqual(messages(findings), [
      'Memory 0 starts at 17 pages (1.1 MiB), above the policy limit of 1 MiB.',
      'Memory 0 may grow to 32 pages (2 MiB), above the policy limit of 1 MiB.',
    ]);
    for (const f of findings) {
      assert.equal(f.severity, 'error');
      assert.deepEqual(where(f), where(analysis.facts[0].memories[0]));
      assert.equal(f.decidedBy?.text, '"maxPages": 16');
    }
    assert.deepEqual(findings[1].data, {
      memoryIndex: 0,
      limitPages: 16,
      limitBytes: 1048576,
      pageSize: 65536,
      problem: 'maximum',
      pages: 32,
    });
  });

  it('reads a limit given in bytes', async () => {
    const policy = policyFrom({ memory: { maxBytes: '1MiB' } });
    const findings = ofRule(await checkWat('(module (memory 1 17))', { policy }), 'memory-limit');
    assert.deepEqual(messages(findings), [
      'Memory 0 may grow to 17 pages (1.1 MiB), above the policy limit of 1 MiB.',
    ]);
  });

  it('accepts memories within the limit, at the limit', async () => {
    const policy = policyFrom({ memory: { maxPages: 16 } });
    assert.deepEqual(ofRule(await checkWat('(module (memory 16 16))', { policy }), 'memory-limit'), []);
  });

  it('warns about a memory without a maximum when one is required (the default policy requires one)', async () => {
    const findings = ofRule(await checkWat('(module (memory 1))'), 'memory-limit');
    assert.deepEqual(
      findings.map((f) => [f.severity, f.message, f.decidedBy?.text]),
      [['warning', 'Memory 0 declares no maximum, so it can grow to 4 GiB.', '"requireMaximum": true']],
    );
    const relaxed = policyFrom({ memory: { requireMaximum: false } });
    assert.deepEqual(ofRule(await checkWat('(module (memory 1))', { policy: relaxed }), 'memory-limit'), []);
  });

  it('reports shared and 64-bit memories where the policy forbids them', async () => {
    const policy = policyFrom({ memory: { allowShared: false, allowMemory64: false } });
    const shared = ofRule(await checkText('(module (memory 1 1 shared))', { policy }), 'memory-limit');
    const wide = ofRule(await checkWat('(module (memory i64 1 1))', { policy }), 'memory-limit');
    const findings = [...shared, ...wide];
    assert.deepEqual(messages(findings), [
      'Memory 0 is shared between threads; the policy does not allow shared memory.',
      'Memory 0 uses 64-bit addresses; the policy does not allow memory64.',
    ]);
    assert.deepEqual(
      findings.map((f) => f.decidedBy?.text),
      ['"allowShared": false', '"allowMemory64": false'],
    );
  });

  it('reports an imported memory at its import', async () => {
    const policy = policyFrom({ memory: { allowImported: false }, imports: { otherwise: 'allow' } });
    const analysis = await checkWat('(module (import "env" "memory" (memory 1 2)))', { policy });
    const findings = ofRule(analysis, 'memory-limit');
    assert.deepEqual(messages(findings), [
      'Memory 0 (imported) comes from "env.memory": the host hands this module memory it shares with others; the policy does not allow imported memory.',
    ]);
    assert.deepEqual(where(findings[0]), where(analysis.facts[0].imports[0]));
  });

  it('reports text memories at their (memory …) range', async () => {
    const policy = policyFrom({ memory: { maxPages: 1 } });
    const findings = ofRule(await checkText('(module\n  (memory $m 2 2))', { policy }), 'memory-limit');
    assert.deepEqual(findings.map(where), [
      [1, 2, 1, 17],
      [1, 2, 1, 17],
    ]);
  });

  it('honours a custom page size when comparing with the limit', async () => {
    const facts: ModuleFacts = readBinaryModule(await wat2wasm('(module)'));
    facts.memories = [
      {
        index: 0,
        initial: 65536,
        maximum: 65536,
        shared: false,
        memory64: false,
        pageSize: 1,
        imported: false,
        exportedAs: [],
        location: byteSpan(20, 5),
      },
    ];
    const policy = policyFrom({ memory: { maxPages: 2 } });
    const within = runRules({ facts, policy, rules: [findRule('memory-limit')!] });
    assert.deepEqual(within, [], '65536 one-byte pages are 64 KiB, under 2 pages');
    facts.memories[0].maximum = 200000;
    const over = runRules({ facts, policy, rules: [findRule('memory-limit')!] });
    assert.deepEqual(messages(over), [
      'Memory 0 may grow to 200000 pages of 1 byte (195.3 KiB), above the policy limit of 128 KiB.',
    ]);
  });
});
