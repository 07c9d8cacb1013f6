import { ruleTester } from './ruleTester';

ruleTester('start-function', {
  valid: [
    { name: 'no start section', wat: '(module (func (export "_start")))' },
    {
      name: 'turned off by the policy',
      wat: '(module (func) (start 0))',
      policy: { rules: { 'start-function': 'off' } },
    },
  ],
  invalid: [
    {
      name: 'a start section in a binary, naming the function',
      wat: '(module (func $init) (start $init))',
      findings: [
        {
          severity: 'info',
          message:
            'Function $init (index 0) runs automatically when the module is instantiated (start function).',
          where: [18, 3],
          data: { funcIndex: 0 },
        },
      ],
    },
    {
      name: 'the start function is a host import',
      wat: '(module (import "env" "boot" (func)) (start 0))',
      findings: [
        {
          severity: 'info',
          message:
            'Function 0 runs automatically when the module is instantiated (start function); it is the host import "env.boot".',
          where: [28, 3],
        },
      ],
    },
    {
      name: 'text: at (start …)',
      text: '(module\n  (func $init)\n  (start $init))',
      findings: [{ severity: 'info', message: /\$init .*start function/, where: [2, 2, 2, 15] }],
    },
    {
      name: 'raised by the policy',
      wat: '(module (func) (start 0))',
      policy: { rules: { 'start-function': 'error' } },
      findings: [{ severity: 'error', message: /^Function 0 runs automatically/, where: [18, 3] }],
    },
  ],
});
