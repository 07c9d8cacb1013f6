import { ruleTester } from './ruleTester';

const exported = `(module
  (type $t (func (result i32)))
  (table $tab (export "tab") 2 funcref)
  (func $f (result i32) (i32.const 1))
  (elem (i32.const 0) $f)
  (func (export "go") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))
  (func (param i32) (result i32) (call_indirect (type $t) (local.get 0)))
)`;

ruleTester('table-exposure', {
  valid: [
    { name: 'private tables, growable or not', wat: '(module (table 1 funcref) (table 2 2 funcref))' },
    { name: 'no tables', text: '(module (func))' },
  ],
  invalid: [
    {
      name: 'an exported growable table, with the indirect call count (binary)',
      wat: exported,
      findings: [
        {
          severity: 'info',
          message:
            'Table 0 (funcref) is exported as "tab", growable without a maximum; the module makes 2 indirect calls.',
          where: [29, 3],
          data: { tableIndex: 0, imported: false, exportedAs: ['tab'], indirectCalls: 2 },
        },
      ],
    },
    {
      name: 'an imported table, at its import (text)',
      text: '(module\n  (import "env" "table" (table 1 10 funcref))\n)',
      findings: [
        {
          severity: 'info',
          message:
            'Table 0 (funcref) is imported from "env.table", growable to 10; the module makes 0 indirect calls.',
          where: [1, 2, 1, 45],
        },
      ],
    },
  ],
});
