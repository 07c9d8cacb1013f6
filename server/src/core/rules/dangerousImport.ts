/** `dangerous-import`: imports that let a module run arbitrary host code (eval, exec, dlopen). */
import type { Finding } from '../findings';
import type { ImportFixData } from './fixData';
import { createRule } from './rule';
import { importReach } from './support/importReach';
import { findBridge } from '../wasi/codeBridges';

export const dangerousImport = createRule({
  meta: {
    id: 'dangerous-import',
    description: 'Imports that bridge to eval, shell commands, process spawning or dynamic loading.',
    rationale:
      "These imports turn data into code on the host side: whatever string reaches them runs with the host's rights, outside the WebAssembly sandbox.",
    defaultSeverity: 'warning',
    policyFields: ['imports.deny'],
    needsCode: false,
    // Bodies, when they can be had, say what reaches the import (built when a finding needs it).
    usesCallGraph: true,
    messages: {
      bridge:
        'Import "{{module}}.{{name}}" {{what}}: anything that reaches it runs outside the sandbox.{{reach}}',
    },
  },
  check(context) {
    const findings: Finding[] = [];
    for (const imp of context.facts.imports) {
      if (imp.kind !== 'func') continue;
      const bridge = findBridge(imp.name);
      if (!bridge) continue;
      const reach = importReach(
        context.code,
        context.facts,
        context.policy,
        imp.index,
        'warning',
        context.configured,
      );
      findings.push(
        context.report({
          messageId: 'bridge',
          severity: reach.severity,
          location: imp.location,
          data: { module: imp.module, name: imp.name, what: bridge.what, reach: reach.sentence },
          fix: {
            module: imp.module,
            name: imp.name,
            kind: imp.kind,
            ...(reach.data ? { reach: reach.data } : {}),
          } satisfies ImportFixData,
        }),
      );
    }
    return findings;
  },
});
