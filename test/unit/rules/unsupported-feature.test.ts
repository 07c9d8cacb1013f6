import { engineName, engineSupports } from '../../../server/src/core/module/engineSupport';
import { ruleTester, type InvalidCase, type RuleCase } from './ruleTester';

// Node 20 (the supported floor) has no memory64; a later Node may, and then nothing is said.
const memory64: RuleCase = {
  name: 'a memory64 module, for the sandbox engine',
  wat: '(module (memory i64 1 1))',
};
const memory64Unsupported: InvalidCase = {
  ...memory64,
  findings: [
    {
      severity: 'warning',
      message: `The module uses the memory64 proposal, which the sandbox engine (${engineName()}) cannot run: "Run in Sandbox" will fail.`,
      // The whole module: preamble, memory section and the 10-byte name section wabt writes.
      where: [0, 24],
    },
  ],
};

ruleTester('unsupported-feature', {
  valid: [
    { name: 'an MVP module', wat: '(module (func (result i32) (i32.const 1)))' },
    {
      name: 'a proposal the policy runtime lists',
      wat: '(module (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))',
      policy: { runtime: { name: 'edge-host', features: ['bulk-memory'] } },
    },
    ...(engineSupports('memory64') ? [memory64] : []),
  ],
  invalid: [
    ...(engineSupports('memory64') ? [] : [memory64Unsupported]),
    {
      name: 'a proposal only visible in code, missing from the policy runtime',
      wat: '(module (func (result v128) (v128.const i32x4 0 0 0 0)))',
      policy: { runtime: { name: 'edge-host', features: ['bulk-memory'] } },
      findings: [
        {
          severity: 'error',
          message:
            'The module uses the simd proposal, which the target runtime "edge-host" does not list in its features.',
          where: [0, 55],
        },
      ],
    },
  ],
});
