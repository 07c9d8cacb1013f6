import { ruleTester } from './ruleTester';

/** Host functions that run code or commands outside the sandbox, and what each does. */
const BRIDGES: Array<[string, string, string]> = [
  ['env', 'emscripten_run_script', 'evaluates a JavaScript string in the host'],
  ['env', 'emscripten_run_script_int', 'evaluates a JavaScript string in the host'],
  ['env', '_emscripten_run_script_string', 'evaluates a JavaScript string in the host'],
  ['wbg', '__wbg_eval_1a2b3c4d5e6f7a8b', 'calls JavaScript eval() through wasm-bindgen'],
  ['env', 'eval', 'evaluates a string as code in the host'],
  ['env', 'system', 'runs a shell command'],
  ['env', 'popen', 'runs a shell command'],
  ['env', 'execve', 'replaces or spawns a process'],
  ['env', 'execvp', 'replaces or spawns a process'],
  ['env', '__syscall_fork', 'replaces or spawns a process'],
  ['env', 'dlopen', 'loads and links code at run time'],
  ['env', '_dlsym_js', 'loads and links code at run time'],
];

/** Names that look like a bridge but are not one. */
const HARMLESS = [
  '__wbg_newnoargs_105ed471475aaf50', // wasm-bindgen's global-object lookup
  '__wbindgen_throw',
  'evaluate_polynomial',
  'system_time',
  'executor_poll',
  'fd_write',
  'emscripten_memcpy_js',
  'dlerror',
];

// The one import's entry starts at byte 17 (after the header and a 6-byte type section) and spans
// its two length-prefixed names, its kind and its type index.
ruleTester('dangerous-import', {
  valid: [
    ...HARMLESS.map((name) => ({ name: `env.${name}`, wat: `(module (import "env" "${name}" (func)))` })),
    {
      name: 'a non-function import with a dangerous-looking name',
      wat: '(module (import "env" "system" (global i32)))',
    },
  ],
  invalid: [
    ...BRIDGES.map(([module, name, what]) => ({
      name: `${module}.${name}`,
      wat: `(module (import "${module}" "${name}" (func $f)) (func (export "run") (call $f)))`,
      findings: [
        {
          severity: 'warning' as const,
          message: `Import "${module}.${name}" ${what}: anything that reaches it runs outside the sandbox. Reached from export \`run\`.`,
          where: [17, 4 + module.length + name.length],
        },
      ],
    })),
    {
      name: 'in text at the import, raised to error by the policy',
      text: '(module\n  (import "env" "emscripten_run_script" (func (param i32))))',
      policy: { rules: { 'dangerous-import': 'error' } },
      findings: [
        {
          severity: 'error',
          // A severity set in the policy holds for every finding, never-called ones too, and the
          // message does not claim otherwise.
          message:
            'Import "env.emscripten_run_script" evaluates a JavaScript string in the host: anything that reaches it runs outside the sandbox. Declared but never called: no export, start function or exported table reaches it.',
          where: [1, 2, 1, 59],
        },
      ],
    },
  ],
});
