/**
 * Host functions that turn data into code or processes on the host (eval, shell commands, process
 * spawning, dynamic loading), by item name across the common host ABIs. The `dangerous-import`
 * rule reports them; `policy init` marks them when it grants them.
 */

export interface Bridge {
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
