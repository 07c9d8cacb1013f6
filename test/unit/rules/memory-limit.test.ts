import * as assert from 'node:assert/strict';
import { byteSpan } from '../../../server/src/core/location';
import { readBinaryModule } from '../../../server/src/core/module/binary';
import type { ModuleFacts } from '../../../server/src/core/module/model';
import { findRule } from '../../../server/src/core/rules/registry';
import { runRules } from '../../../server/src/core/rules/runner';
import { policyFrom, wat2wasm } from './helpers';
import { ruleTester } from './ruleTester';

// `(module (memory …))`: the memory entry starts at byte 11 (preamble, section id, size, count).
ruleTester('memory-limit', {
  valid: [
    {
      name: 'within the limit, at the limit',
      wat: '(module (memory 16 16))',
      policy: { memory: { maxPages: 16 } },
    },
    {
      name: 'no maximum, where the policy does not require one',
      wat: '(module (memory 1))',
      policy: { memory: { requireMaximum: false } },
    },
    { name: 'no memory at all', wat: '(module)' },
  ],
  invalid: [
    {
      name: 'initial and maximum above maxPages, in pages and bytes, decided by the maxPages line',
      wat: '(module (memory 17 32))',
      policy: { memory: { maxPages: 16 } },
      findings: [
        {
          severity: 'error',
          message: 'Memory 0 starts at 17 pages (1.1 MiB), above the policy limit of 1 MiB.',
          where: [11, 3],
          decidedBy: '"maxPages": 16',
        },
        {
          severity: 'error',
          message: 'Memory 0 may grow to 32 pages (2 MiB), above the policy limit of 1 MiB.',
          where: [11, 3],
          decidedBy: '"maxPages": 16',
          data: {
            memoryIndex: 0,
            limitPages: 16,
            limitBytes: 1048576,
            pageSize: 65536,
            problem: 'maximum',
            pages: 32,
          },
        },
      ],
    },
    {
      name: 'a limit given in bytes',
      wat: '(module (memory 1 17))',
      policy: { memory: { maxBytes: '1MiB' } },
      findings: [
        {
          severity: 'error',
          message: 'Memory 0 may grow to 17 pages (1.1 MiB), above the policy limit of 1 MiB.',
          where: [11, 3],
        },
      ],
    },
    {
      name: 'no maximum, which the default policy requires',
      wat: '(module (memory 1))',
      findings: [
        {
          severity: 'warning',
          message: 'Memory 0 declares no maximum, so it can grow to 4 GiB.',
          where: [11, 2],
          decidedBy: '"requireMaximum": true',
        },
      ],
    },
    {
      name: 'text: a shared memory where the policy forbids it',
      text: '(module (memory 1 1 shared))',
      policy: { memory: { allowShared: false } },
      findings: [
        {
          severity: 'error',
          message: 'Memory 0 is shared between threads; the policy does not allow shared memory.',
          where: [0, 8, 0, 27],
          decidedBy: '"allowShared": false',
        },
      ],
    },
    {
      name: 'a 64-bit memory where the policy forbids it',
      wat: '(module (memory i64 1 1))',
      policy: { memory: { allowMemory64: false } },
      findings: [
        {
          severity: 'error',
          message: 'Memory 0 uses 64-bit addresses; the policy does not allow memory64.',
          where: [11, 3],
          decidedBy: '"allowMemory64": false',
        },
      ],
    },
    {
      name: 'an imported memory, at its import',
      wat: '(module (import "env" "memory" (memory 1 2)))',
      policy: { memory: { allowImported: false }, imports: { otherwise: 'allow' } },
      findings: [
        {
          severity: 'error',
          message:
            'Memory 0 (imported) comes from "env.memory": the host hands this module memory it shares with others; the policy does not allow imported memory.',
          where: [11, 15],
        },
      ],
    },
    {
      name: 'text: each problem at the (memory …) range',
      text: '(module\n  (memory $m 2 2))',
      policy: { memory: { maxPages: 1 } },
      findings: [
        { severity: 'error', message: /^Memory 0 starts at 2 pages/, where: [1, 2, 1, 17] },
        { severity: 'error', message: /^Memory 0 may grow to 2 pages/, where: [1, 2, 1, 17] },
      ],
    },
  ],
});

describe('rule memory-limit with a custom page size', () => {
  it('compares pages of one byte with the limit in bytes', async () => {
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
    const rules = [findRule('memory-limit')!];
    assert.deepEqual(
      runRules({ facts, policy, rules }),
      [],
      '65536 one-byte pages are 64 KiB, under 2 pages',
    );
    facts.memories[0].maximum = 200000;
    assert.deepEqual(
      runRules({ facts, policy, rules }).map((f) => f.message),
      ['Memory 0 may grow to 200000 pages of 1 byte (195.3 KiB), above the policy limit of 128 KiB.'],
    );
  });
});
