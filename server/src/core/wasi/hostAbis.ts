/**
 * Host ABIs beside WASI: what the imports of Emscripten's `env`, wasm-bindgen, Go and TinyGo
 * (`gojs`), AssemblyScript, the Extism PDK and proxy-wasm do, and which capability group each
 * belongs to (so a policy's `capabilities: ["network"]` covers Extism's `http_request` and
 * proxy-wasm's `proxy_http_call` as it covers WASI sockets). Names are matched exactly or by a
 * family pattern (`__syscall_*`, `invoke_*`, `__wbg_<shim>_<hash>`), never by the module name
 * alone, so an unrelated `env.log` is not claimed by any ABI.
 */
import type { Capability } from './capabilities';

export type HostAbiId = 'emscripten' | 'wasm-bindgen' | 'go' | 'assemblyscript' | 'extism' | 'proxy-wasm';

export const HOST_ABI_NAMES: Record<HostAbiId, string> = {
  emscripten: 'Emscripten',
  'wasm-bindgen': 'wasm-bindgen (Rust)',
  go: 'Go / TinyGo (syscall/js)',
  assemblyscript: 'AssemblyScript',
  extism: 'Extism PDK',
  'proxy-wasm': 'proxy-wasm',
};

export interface AbiFunction {
  abi: HostAbiId;
  description: string;
  capability?: Capability;
}

interface Entry extends AbiFunction {
  modules: readonly string[];
  /** An exact name, or a pattern over the whole name. */
  name: string | RegExp;
}

const EMSCRIPTEN = ['env'] as const;
const BINDGEN = ['wbg', '__wbindgen_placeholder__'] as const;
const GO = ['gojs', 'go'] as const;
const EXTISM = ['extism:host/env'] as const;

function family(
  abi: HostAbiId,
  modules: readonly string[],
  entries: Array<[string | RegExp, string, Capability?]>,
): Entry[] {
  return entries.map(([name, description, capability]) => ({
    abi,
    modules,
    name,
    description,
    ...(capability ? { capability } : {}),
  }));
}

const FS_SYSCALLS =
  /^__syscall_(?:openat|open|stat64|fstat64|lstat64|newfstatat|getdents64|unlinkat|rmdir|mkdirat|renameat|readlinkat|symlinkat|faccessat|chdir|fchdir|getcwd|chmod|fchmod|fchmodat2?|fchown32|fchownat|utimensat|truncate64|ftruncate64|statfs64|fstatfs64|fdatasync|fallocate|dup|dup3|pipe)$/;
const NET_SYSCALLS =
  /^__syscall_(?:socket|socketpair|connect|bind|listen|accept4|sendto|recvfrom|sendmsg|recvmsg|getsockopt|setsockopt|getsockname|getpeername|shutdown)$/;

const ENTRIES: Entry[] = [
  // ---- Emscripten (`env`, non-minified builds) ----
  ...family('emscripten', EMSCRIPTEN, [
    [
      /^_*emscripten_run_script(?:_int|_string)?$/,
      'Evaluates a JavaScript string in the host (eval): anything JavaScript can do.',
    ],
    [/^_*emscripten_asm_const_/, 'Runs an inline JavaScript snippet (EM_ASM / EM_JS) from the JS glue.'],
    [
      /^invoke_[a-z]+$/,
      'Calls an entry of the function table from JavaScript inside try/catch (C++ exceptions, setjmp/longjmp): runs module code again, not host code.',
    ],
    [
      FS_SYSCALLS,
      "A file-system system call, emulated by Emscripten's JavaScript file system (MEMFS, or the real disk under NODEFS).",
      'filesystem',
    ],
    [
      NET_SYSCALLS,
      "A socket system call, emulated by Emscripten's JavaScript library (WebSockets in a browser, real sockets under Node).",
      'network',
    ],
    [
      /^__syscall_(?:fcntl64|ioctl|read|write|readv|writev|pread64|pwrite64|_llseek)$/,
      'A descriptor system call emulated by Emscripten (read, write or control an open stream).',
      'io',
    ],
    [
      /^__syscall_(?:poll|_newselect|pselect6)$/,
      'Waits for descriptors to become ready, emulated by Emscripten.',
      'poll',
    ],
    [
      /^__syscall_(?:getpid|getppid|kill|exit_group|wait4|getrusage|setrlimit|prlimit64|ugetrlimit|uname|madvise|mprotect|munlock|mlock|sync)$/,
      'A process system call emulated by Emscripten.',
      'process',
    ],
    [/^__syscall_/, "A Linux system call emulated by Emscripten's JavaScript library."],
    [
      /^(?:fd_write|fd_read|fd_pwrite|fd_pread|fd_close|fd_seek|fd_sync|fd_fdstat_get)$/,
      "WASI-style descriptor call served by Emscripten's JS glue from `env` (stdout, stderr, its file system).",
      'io',
    ],
    [/^_*emscripten_resize_heap$/, "Grows the module's memory (the host's ArrayBuffer)."],
    [
      /^_*emscripten_(?:memcpy_js|memcpy_big|memset_js)$/,
      'Copies or fills memory with JavaScript typed arrays (faster than a loop in the module).',
    ],
    [/^_*emscripten_get_heap_max$/, 'Reports how large memory may grow.'],
    [
      /^_*emscripten_(?:date_now|get_now|get_now_res|get_now_is_monotonic)$/,
      "Reads the host's clock (Date.now / performance.now).",
      'clock',
    ],
    [
      /^_*(?:tzset_js|localtime_js|gmtime_js|mktime_js|timegm_js)$/,
      "Time-zone and calendar conversion through JavaScript's Date.",
      'clock',
    ],
    [
      /^(?:clock_time_get|clock_res_get)$/,
      "Reads the host's clock (served by Emscripten from `env`).",
      'clock',
    ],
    [
      /^(?:environ_get|environ_sizes_get)$/,
      'Reads the environment variables the JS glue provides.',
      'environment',
    ],
    [
      /^(?:getentropy|_*emscripten_get_random|random_get)$/,
      'Reads random bytes from the host (crypto.getRandomValues).',
      'random',
    ],
    [
      /^_*(?:abort_js|assert_fail|__assert_fail|emscripten_throw_longjmp|cxa_throw|__cxa_throw)$/,
      'Aborts or unwinds the program (abort, failed assertion, C++ throw, longjmp).',
      'process',
    ],
    [/^_*(?:exit|proc_exit|emscripten_force_exit)$/, 'Exits the program.', 'process'],
    [
      /^_*(?:mmap_js|munmap_js|msync_js)$/,
      "Maps a file of Emscripten's file system into memory.",
      'filesystem',
    ],
    [/^_*embind_register_/, "Registers a C++ type or function with embind's JavaScript bindings."],
    [
      /^_*emval_/,
      'embind: operates on a JavaScript value handle (reads properties, calls methods and functions).',
    ],
    [/^_*emscripten_websocket_/, 'Opens or uses a WebSocket from the host.', 'network'],
    [/^_*emscripten_fetch/, 'Makes an HTTP request with the Fetch API.', 'network'],
    [
      /^_*emscripten_(?:set_main_loop|cancel_main_loop|set_timeout|set_interval|clear_timeout|clear_interval|sleep)$/,
      'Schedules or waits for a callback from the host event loop.',
      'poll',
    ],
    [
      /^_*(?:dlopen|dlsym|dlopen_js|dlsym_js|emscripten_dlopen)$/,
      'Loads and links another module at run time (dynamic linking).',
    ],
  ]),
  // ---- wasm-bindgen (`wbg` / `__wbindgen_placeholder__`) ----
  ...family('wasm-bindgen', BINDGEN, [
    ['__wbindgen_throw', 'Throws a JavaScript Error with a message read from memory.'],
    ['__wbindgen_rethrow', 'Rethrows a JavaScript exception held in a handle.'],
    [/^__wbindgen_object_(?:drop|clone)_ref$/, 'Releases or duplicates a handle to a JavaScript object.'],
    [
      /^__wbindgen_(?:string|number|bigint|boolean)_(?:new|get)$/,
      'Converts a value between memory and JavaScript (strings, numbers, booleans).',
    ],
    [/^__wbindgen_bigint_/, 'Converts a BigInt between memory and JavaScript.'],
    [
      /^__wbindgen_is_[a-z_]+$/,
      'Tests the JavaScript type of a value (undefined, object, string, function...).',
    ],
    [
      /^__wbindgen_(?:jsval_eq|jsval_loose_eq|in|typeof|as_number|debug_string)$/,
      'Compares, inspects or formats a JavaScript value.',
    ],
    [/^__wbindgen_json_(?:serialize|parse)$/, 'Converts between a JavaScript value and JSON text.'],
    ['__wbindgen_error_new', 'Creates a JavaScript Error object.'],
    [
      /^__wbindgen_(?:memory|function_table|module|exports)$/,
      "Returns the module's own memory, table or module object to JavaScript.",
    ],
    [
      /^__wbindgen_(?:cb_drop|closure_wrapper\d*)$/,
      'Creates or drops a JavaScript closure that calls back into the module.',
    ],
    [
      /^__wbindgen_(?:init_externref_table|externref_table_grow|externref_table_set_null)$/,
      'Manages the table of JavaScript references.',
    ],
    [
      /^__wbindgen_describe/,
      'Describes types at build time (the CLI removes it; present only in unprocessed output).',
    ],
    [/^__wbindgen_cast_/, 'Converts a Rust value into a JavaScript value.'],
    [
      /^__wbg_(?:fetch|send|open|connect)_[0-9a-f]+$/,
      'wasm-bindgen shim calling a network API of the host (fetch, XMLHttpRequest, WebSocket).',
      'network',
    ],
    [
      /^__wbg_(?:getRandomValues|randomFillSync|random)_[0-9a-f]+$/,
      'wasm-bindgen shim reading random values from the host (crypto.getRandomValues, Math.random).',
      'random',
    ],
    [
      /^__wbg_(?:now|getTime|getTimezoneOffset|performance)_[0-9a-f]+$/,
      "wasm-bindgen shim reading the host's clock (Date.now, performance.now).",
      'clock',
    ],
    [
      /^__wbg_(?:log|error|warn|info|debug|trace)_[0-9a-f]+$/,
      'wasm-bindgen shim writing to the console.',
      'io',
    ],
    [
      /^__wbg_(?:setTimeout|setInterval|clearTimeout|clearInterval|queueMicrotask)_[0-9a-f]+$/,
      'wasm-bindgen shim scheduling a callback on the host event loop.',
      'poll',
    ],
    [
      /^__wbg_(?:require|process|versions|node|crypto|msCrypto)_[0-9a-f]+$/,
      'wasm-bindgen shim probing the host for Node.js or Web Crypto (getrandom glue).',
    ],
    [
      /^__wbg_[A-Za-z0-9_$]+_[0-9a-f]{8,16}$/,
      'A JavaScript function or web API the Rust crate imported (#[wasm_bindgen] extern), called through the generated JS shim; the shim name says which.',
    ],
  ]),
  // ---- Go (`gojs`; `go` before Go 1.21) and TinyGo ----
  ...family('go', GO, [
    [/^runtime\.wasmExit$/, 'Exits the Go program with a status code.', 'process'],
    [
      /^runtime\.wasmWrite$/,
      'Writes bytes to a file descriptor (stdout, stderr) through the JS glue (fs.writeSync).',
      'io',
    ],
    [/^runtime\.(?:nanotime1?|walltime1?|ticks)$/, "Reads the host's clock.", 'clock'],
    [
      /^runtime\.(?:scheduleTimeoutEvent|clearTimeoutEvent|sleepTicks)$/,
      'Schedules or cancels a wake-up on the host event loop.',
      'poll',
    ],
    [/^runtime\.getRandomData$/, 'Fills memory with random bytes (crypto.getRandomValues).', 'random'],
    [/^runtime\.resetMemoryDataView$/, 'Tells the JS glue that memory grew (it rebuilds its DataView).'],
    [/^runtime\.debug$/, 'Prints a debug value to the console.', 'io'],
    [
      /^syscall\/js\.(?:valueGet|valueSet|valueDelete|valueIndex|valueSetIndex)$/,
      'Reads or writes a property of a JavaScript value (syscall/js): the JS side decides what that reaches.',
    ],
    [
      /^syscall\/js\.(?:valueCall|valueInvoke|valueNew)$/,
      'Calls a JavaScript function or method, or a constructor (syscall/js): anything the page or Node can do.',
    ],
    [
      /^syscall\/js\.(?:stringVal|valuePrepareString|valueLoadString|valueLength|valueInstanceOf|finalizeRef|copyBytesToGo|copyBytesToJS)$/,
      'Moves strings, bytes or references between Go and JavaScript (syscall/js).',
    ],
  ]),
  // ---- AssemblyScript (`env`) ----
  ...family('assemblyscript', EMSCRIPTEN, [
    [
      'abort',
      'Aborts with a message, file name, line and column (a failed assertion or a runtime error).',
      'process',
    ],
    ['trace', 'Prints a message and up to five numbers to the host console.', 'io'],
    ['seed', 'Returns a seed for Math.random from the host.', 'random'],
    [/^console\.(?:log|info|warn|error|debug)$/, 'Prints a string to the host console.', 'io'],
    ['Date.now', "Reads the host's clock.", 'clock'],
  ]),
  // ---- Extism PDK (`extism:host/env`) ----
  ...family('extism', EXTISM, [
    ['http_request', 'Makes an HTTP request through the host (to the hosts the manifest allows).', 'network'],
    [
      /^http_(?:status_code|headers)$/,
      'Reads the status code or headers of the last HTTP response.',
      'network',
    ],
    ['config_get', "Reads a configuration value from the plug-in's manifest.", 'environment'],
    [/^var_(?:get|set)$/, 'Reads or writes a plug-in variable the host keeps between calls.'],
    [/^log_(?:info|debug|warn|error|trace)$/, 'Writes a log line through the host.', 'io'],
    ['get_log_level', "Reads the host's log level.", 'io'],
    [/^input_(?:length|load_u8|load_u64|offset)$/, 'Reads the input the host passed to the call.'],
    [/^(?:output_set|error_set)$/, 'Sets the output or the error of the call.'],
    [
      /^(?:alloc|free|length|length_unsafe|load_u8|load_u64|store_u8|store_u64)$/,
      "Manages or accesses the host's memory blocks shared with the plug-in.",
    ],
  ]),
  // ---- proxy-wasm (`env`, proxy_*) ----
  ...family('proxy-wasm', EMSCRIPTEN, [
    [/^proxy_(?:http_call|dispatch_http_call)$/, 'Sends an HTTP request to an upstream cluster.', 'network'],
    [
      /^proxy_grpc_(?:call|stream|send|cancel|close)$/,
      'Makes or drives a gRPC call to an upstream cluster.',
      'network',
    ],
    [
      'proxy_send_local_response',
      'Answers the downstream client directly instead of forwarding the request.',
      'network',
    ],
    [
      /^proxy_(?:get|set|add|replace|remove)_header_map_(?:pairs|value|size)$/,
      'Reads or changes request or response headers or trailers.',
      'network',
    ],
    [
      /^proxy_(?:get|set)_buffer_(?:bytes|status)$/,
      'Reads or changes a body, a call response or the plug-in configuration buffer.',
      'network',
    ],
    [
      /^proxy_(?:continue_stream|close_stream|continue_request|continue_response|resume_http_request|resume_http_response|clear_route_cache)$/,
      'Resumes, stops or reroutes the stream being filtered.',
      'network',
    ],
    ['proxy_log', 'Writes a log line through the proxy.', 'io'],
    ['proxy_get_log_level', "Reads the proxy's log level.", 'io'],
    ['proxy_get_current_time_nanoseconds', "Reads the proxy's clock.", 'clock'],
    ['proxy_set_tick_period_milliseconds', 'Asks the proxy to call the plug-in on a timer.', 'poll'],
    [
      /^proxy_(?:get|set)_property$/,
      'Reads or writes a property of the proxy (request metadata, node, cluster, plug-in configuration).',
      'environment',
    ],
    [/^proxy_(?:get|set)_shared_data$/, 'Reads or writes data shared by all plug-in instances of the proxy.'],
    [
      /^proxy_(?:register|resolve|enqueue|dequeue)_shared_queue$/,
      'Uses a queue shared with other plug-in instances.',
    ],
    [/^proxy_(?:define|increment|record|get)_metric$/, 'Defines or updates a proxy metric.'],
    ['proxy_call_foreign_function', 'Calls a host extension function by name: whatever the proxy exposes.'],
    [
      /^proxy_(?:done|set_effective_context|get_configuration)$/,
      'Lifecycle call to the proxy (context switch, configuration, done).',
    ],
    [/^proxy_/, 'A proxy-wasm host call.'],
  ]),
];

function matchesName(entry: Entry, name: string): boolean {
  return typeof entry.name === 'string' ? entry.name === name : entry.name.test(name);
}

/**
 * What an import of a host ABI does. Extism's older PDKs import from `env` with an `extism_`
 * prefix; those names are looked up as their `extism:host/env` counterparts.
 */
export function findAbiFunction(module: string, name: string): AbiFunction | undefined {
  if (module === 'env' && name.startsWith('extism_'))
    return findAbiFunction('extism:host/env', name.slice(7));
  const entry = ENTRIES.find((e) => e.modules.includes(module) && matchesName(e, name));
  if (!entry) return undefined;
  const { abi, description, capability } = entry;
  return capability ? { abi, description, capability } : { abi, description };
}

export interface DetectedAbi {
  abi: HostAbiId | 'emscripten-minified';
  /** How many of the module's function imports the ABI explains. */
  imports: number;
  /** What to show in a summary. */
  label: string;
}

/**
 * The host ABIs a module's imports belong to, most imports first. A minified Emscripten build
 * (`a.a`, `a.b`, ...) explains nothing by name, so it is recognised by its shape and said so.
 */
export function detectAbis(
  imports: ReadonlyArray<{ module: string; name: string; kind: string }>,
): DetectedAbi[] {
  const counts = new Map<HostAbiId, number>();
  const functions = imports.filter((i) => i.kind === 'func');
  for (const i of functions) {
    const fn = findAbiFunction(i.module, i.name);
    if (fn) counts.set(fn.abi, (counts.get(fn.abi) ?? 0) + 1);
  }
  // AssemblyScript's three names are common words: count it only with `abort` and nothing
  // Emscripten-specific beside it.
  if (
    counts.has('assemblyscript') &&
    (counts.has('emscripten') || !functions.some((i) => i.module === 'env' && i.name === 'abort'))
  )
    counts.delete('assemblyscript');
  const found: DetectedAbi[] = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([abi, n]) => ({ abi, imports: n, label: HOST_ABI_NAMES[abi] }));
  if (
    found.length === 0 &&
    functions.length >= 3 &&
    functions.every((i) => i.module === 'a' && /^[A-Za-z_$]{1,2}$/.test(i.name))
  )
    found.push({
      abi: 'emscripten-minified',
      imports: functions.length,
      label: 'Emscripten (minified: import names do not say what they do; read the JS glue)',
    });
  return found;
}
