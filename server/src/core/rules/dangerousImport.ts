/** `dangerous-import`: imports that let a module run arbitrary host code (eval, exec, dlopen). */
import type { Finding } from '../findings';
import type { ImportFixData } from './fixData';
import { createRule } from './rule';
import { importReach } from './support/importReach';

interface Bridge {
  /** Matches the import's item name. */
  pattern: RegExp;
  what: string;
}

// Matched against the item name only: the module half (`env`, `a`, a minified name) says nothing.
// wasm-bindgen appends a hash (`__wbg_eval_1a2b3c4d`); its `__wbg_newnoargs_*` (`new Function`)
// is deliberately absent: wasm-bindgen's own glue uses it to find the global object, so flagging
// it would fire on nearly every wasm-bindgen module.
const BRIDGES: Bridge[] = [
  {
    pattern: /^_*emscripten_run_script(?:_int|_string)?$/,
    what: 'evaluates a JavaScript string in the host',
  },
  { pattern: /^_*emscripten_asm_const_/, what: 'runs inline JavaScript (EM_ASM) in the host' },
  { pattern: /^__wbg_eval_[0-9a-f]+$/, what: 'calls JavaScript eval() through wasm-bindgen' },
  {
    pattern: /^__wbg_(?:newwithargs|new_with_args)_[0-9a-f]+$/,
    what: 'builds a JavaScript Function from a string through wasm-bindgen',
  },
  { pattern: /^_*eval$/i, what: 'evaluates a string as code in the host' },
  { pattern: /^_*(?:system|popen)$/, what: 'runs a shell command' },
  { pattern: /^_*(?:exec[lv]p?e?|execvpe|fexecve|posix_spawnp?)$/, what: 'replaces or spawns a process' },
  { pattern: /^(?:__syscall_)?(?:execve|execveat|fork|vfork)$/, what: 'replaces or spawns a process' },
  { pattern: /^_*(?:emscripten_)?(?:dlopen|dlsym)(?:_js)?$/, what: 'loads and links code at run time' },
];

export function findBridge(name: string): Bridge | undefined {
  return BRIDGES.find((b) => b.pattern.test(name));
}

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
      const reach = importReach(context.code, context.facts, context.policy, imp.index, 'warning');
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
