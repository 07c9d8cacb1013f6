/**
 * What each WASI import grants: the preview1 functions (`wasi_snapshot_preview1`, and its older
 * name `wasi_unstable`) with their core signatures, and the WASI 0.2 component interfaces. Policy
 * validation uses it to catch misspelt names, hovers to explain them, generated policies to
 * comment them.
 */
import type { FuncSignature } from '../module/model';
import { findAbiFunction } from './hostAbis';
import type { Capability } from './capabilities';

/** Module names under which preview1 functions are imported. */
export const WASI_PREVIEW1_MODULES = ['wasi_snapshot_preview1', 'wasi_unstable'] as const;

export interface WasiFunction {
  name: string;
  capability: Capability;
  /** One line: what a module can do by importing it. */
  description: string;
  /** The core WebAssembly signature (pointers and sizes are i32, 64-bit values i64). */
  signature: FuncSignature;
  /** Only in `wasi_snapshot_preview1`, not in the older `wasi_unstable`. */
  preview1Only?: boolean;
}

export interface WasiInterface {
  /** Package and interface without a version, e.g. `wasi:filesystem/types`. */
  name: string;
  capability: Capability;
  /** Further groups whose grant also covers it (`wasi:cli/environment` is both environment and args). */
  alsoIn?: Capability[];
  description: string;
}

/** Builds a signature from a compact spelling: `'i32 i64 -> i32'`. */
function sig(spec: string): FuncSignature {
  const [params, results] = spec.split('->').map((side) => side.trim().split(/\s+/).filter(Boolean));
  return { params, results };
}

export const WASI_PREVIEW1_FUNCTIONS: readonly WasiFunction[] = [
  {
    name: 'args_get',
    capability: 'args',
    signature: sig('i32 i32 -> i32'),
    description: 'Copies the command-line arguments into memory.',
  },
  {
    name: 'args_sizes_get',
    capability: 'args',
    signature: sig('i32 i32 -> i32'),
    description: 'Returns the number and total size of the command-line arguments.',
  },
  {
    name: 'environ_get',
    capability: 'environment',
    signature: sig('i32 i32 -> i32'),
    description: 'Copies the environment variables into memory.',
  },
  {
    name: 'environ_sizes_get',
    capability: 'environment',
    signature: sig('i32 i32 -> i32'),
    description: 'Returns the number and total size of the environment variables.',
  },
  {
    name: 'clock_res_get',
    capability: 'clock',
    signature: sig('i32 i32 -> i32'),
    description: 'Returns the resolution of a clock.',
  },
  {
    name: 'clock_time_get',
    capability: 'clock',
    signature: sig('i32 i64 i32 -> i32'),
    description: 'Reads the current time of a clock (wall, monotonic, process or thread CPU time).',
  },
  {
    name: 'fd_advise',
    capability: 'filesystem',
    signature: sig('i32 i64 i64 i32 -> i32'),
    description: 'Advises the host how a file region will be accessed.',
  },
  {
    name: 'fd_allocate',
    capability: 'filesystem',
    signature: sig('i32 i64 i64 -> i32'),
    description: 'Reserves space in a file (may grow it).',
  },
  {
    name: 'fd_close',
    capability: 'io',
    signature: sig('i32 -> i32'),
    description: 'Closes a file descriptor.',
  },
  {
    name: 'fd_datasync',
    capability: 'filesystem',
    signature: sig('i32 -> i32'),
    description: "Flushes a file's data to storage.",
  },
  {
    name: 'fd_fdstat_get',
    capability: 'io',
    signature: sig('i32 i32 -> i32'),
    description: 'Reads the type, flags and rights of a file descriptor.',
  },
  {
    name: 'fd_fdstat_set_flags',
    capability: 'io',
    signature: sig('i32 i32 -> i32'),
    description: 'Changes the flags of a file descriptor (append, non-blocking, sync).',
  },
  {
    name: 'fd_fdstat_set_rights',
    capability: 'io',
    signature: sig('i32 i64 i64 -> i32'),
    description: 'Drops rights from a file descriptor.',
  },
  {
    name: 'fd_filestat_get',
    capability: 'filesystem',
    signature: sig('i32 i32 -> i32'),
    description: 'Reads the attributes of an open file (size, times, type).',
  },
  {
    name: 'fd_filestat_set_size',
    capability: 'filesystem',
    signature: sig('i32 i64 -> i32'),
    description: 'Truncates or extends an open file.',
  },
  {
    name: 'fd_filestat_set_times',
    capability: 'filesystem',
    signature: sig('i32 i64 i64 i32 -> i32'),
    description: 'Sets the access and modification times of an open file.',
  },
  {
    name: 'fd_pread',
    capability: 'filesystem',
    signature: sig('i32 i32 i32 i64 i32 -> i32'),
    description: 'Reads from a file at an offset.',
  },
  {
    name: 'fd_prestat_get',
    capability: 'filesystem',
    signature: sig('i32 i32 -> i32'),
    description: 'Describes a preopened directory (how the sandbox grants folders).',
  },
  {
    name: 'fd_prestat_dir_name',
    capability: 'filesystem',
    signature: sig('i32 i32 i32 -> i32'),
    description: 'Reads the guest path of a preopened directory.',
  },
  {
    name: 'fd_pwrite',
    capability: 'filesystem',
    signature: sig('i32 i32 i32 i64 i32 -> i32'),
    description: 'Writes to a file at an offset.',
  },
  {
    name: 'fd_read',
    capability: 'io',
    signature: sig('i32 i32 i32 i32 -> i32'),
    description: 'Reads from a file descriptor (stdin, a file or a socket).',
  },
  {
    name: 'fd_readdir',
    capability: 'filesystem',
    signature: sig('i32 i32 i32 i64 i32 -> i32'),
    description: 'Lists the entries of a directory.',
  },
  {
    name: 'fd_renumber',
    capability: 'filesystem',
    signature: sig('i32 i32 -> i32'),
    description: 'Moves a file descriptor onto another number (replacing it).',
  },
  {
    name: 'fd_seek',
    capability: 'io',
    signature: sig('i32 i64 i32 i32 -> i32'),
    description: 'Moves the read/write position of a file descriptor.',
  },
  {
    name: 'fd_sync',
    capability: 'filesystem',
    signature: sig('i32 -> i32'),
    description: "Flushes a file's data and metadata to storage.",
  },
  {
    name: 'fd_tell',
    capability: 'io',
    signature: sig('i32 i32 -> i32'),
    description: 'Returns the read/write position of a file descriptor.',
  },
  {
    name: 'fd_write',
    capability: 'io',
    signature: sig('i32 i32 i32 i32 -> i32'),
    description: 'Writes to a file descriptor (stdout, stderr, a file or a socket).',
  },
  {
    name: 'path_create_directory',
    capability: 'filesystem',
    signature: sig('i32 i32 i32 -> i32'),
    description: 'Creates a directory.',
  },
  {
    name: 'path_filestat_get',
    capability: 'filesystem',
    signature: sig('i32 i32 i32 i32 i32 -> i32'),
    description: 'Reads the attributes of a file by path.',
  },
  {
    name: 'path_filestat_set_times',
    capability: 'filesystem',
    signature: sig('i32 i32 i32 i32 i64 i64 i32 -> i32'),
    description: 'Sets the access and modification times of a file by path.',
  },
  {
    name: 'path_link',
    capability: 'filesystem',
    signature: sig('i32 i32 i32 i32 i32 i32 i32 -> i32'),
    description: 'Creates a hard link.',
  },
  {
    name: 'path_open',
    capability: 'filesystem',
    signature: sig('i32 i32 i32 i32 i32 i64 i64 i32 i32 -> i32'),
    description: 'Opens or creates a file or directory under a preopened folder.',
  },
  {
    name: 'path_readlink',
    capability: 'filesystem',
    signature: sig('i32 i32 i32 i32 i32 i32 -> i32'),
    description: 'Reads the target of a symbolic link.',
  },
  {
    name: 'path_remove_directory',
    capability: 'filesystem',
    signature: sig('i32 i32 i32 -> i32'),
    description: 'Removes an empty directory.',
  },
  {
    name: 'path_rename',
    capability: 'filesystem',
    signature: sig('i32 i32 i32 i32 i32 i32 -> i32'),
    description: 'Renames or moves a file or directory.',
  },
  {
    name: 'path_symlink',
    capability: 'filesystem',
    signature: sig('i32 i32 i32 i32 i32 -> i32'),
    description: 'Creates a symbolic link.',
  },
  {
    name: 'path_unlink_file',
    capability: 'filesystem',
    signature: sig('i32 i32 i32 -> i32'),
    description: 'Deletes a file.',
  },
  {
    name: 'poll_oneoff',
    capability: 'poll',
    signature: sig('i32 i32 i32 i32 -> i32'),
    description: 'Waits for timers and descriptor readiness (also how modules sleep).',
  },
  {
    name: 'proc_exit',
    capability: 'process',
    signature: sig('i32 ->'),
    description: 'Ends the process with an exit code.',
  },
  {
    name: 'proc_raise',
    capability: 'process',
    signature: sig('i32 -> i32'),
    description: 'Sends a signal to the process.',
  },
  {
    name: 'sched_yield',
    capability: 'process',
    signature: sig('-> i32'),
    description: 'Yields the CPU to other threads.',
  },
  {
    name: 'random_get',
    capability: 'random',
    signature: sig('i32 i32 -> i32'),
    description: 'Fills memory with random bytes from the host.',
  },
  {
    name: 'sock_accept',
    capability: 'network',
    signature: sig('i32 i32 i32 -> i32'),
    description: 'Accepts an incoming connection on a listening socket.',
    preview1Only: true,
  },
  {
    name: 'sock_recv',
    capability: 'network',
    signature: sig('i32 i32 i32 i32 i32 i32 -> i32'),
    description: 'Receives data from a socket.',
  },
  {
    name: 'sock_send',
    capability: 'network',
    signature: sig('i32 i32 i32 i32 i32 -> i32'),
    description: 'Sends data on a socket.',
  },
  {
    name: 'sock_shutdown',
    capability: 'network',
    signature: sig('i32 i32 -> i32'),
    description: 'Shuts down the sending and/or receiving side of a socket.',
  },
];

export const WASI_INTERFACES: readonly WasiInterface[] = [
  { name: 'wasi:io/error', capability: 'io', description: 'Error values of stream operations.' },
  {
    name: 'wasi:io/poll',
    capability: 'poll',
    description: 'Waits on several pollables (timers, streams, sockets) at once.',
  },
  {
    name: 'wasi:io/streams',
    capability: 'io',
    description: 'Reads and writes byte streams the host hands out.',
  },
  {
    name: 'wasi:cli/environment',
    capability: 'environment',
    alsoIn: ['args'],
    description: 'Reads environment variables, arguments and the initial working directory.',
  },
  { name: 'wasi:cli/exit', capability: 'process', description: 'Ends the program with a status.' },
  {
    name: 'wasi:cli/run',
    capability: 'process',
    description: 'The entry point a command component exports.',
  },
  { name: 'wasi:cli/stdin', capability: 'io', description: 'Reads standard input.' },
  { name: 'wasi:cli/stdout', capability: 'io', description: 'Writes standard output.' },
  { name: 'wasi:cli/stderr', capability: 'io', description: 'Writes standard error.' },
  { name: 'wasi:cli/terminal-input', capability: 'io', description: 'Terminal input handle type.' },
  { name: 'wasi:cli/terminal-output', capability: 'io', description: 'Terminal output handle type.' },
  {
    name: 'wasi:cli/terminal-stdin',
    capability: 'io',
    description: 'Tells whether standard input is a terminal.',
  },
  {
    name: 'wasi:cli/terminal-stdout',
    capability: 'io',
    description: 'Tells whether standard output is a terminal.',
  },
  {
    name: 'wasi:cli/terminal-stderr',
    capability: 'io',
    description: 'Tells whether standard error is a terminal.',
  },
  {
    name: 'wasi:clocks/monotonic-clock',
    capability: 'clock',
    description: 'Reads a monotonic clock and creates timers.',
  },
  { name: 'wasi:clocks/wall-clock', capability: 'clock', description: 'Reads the wall-clock date and time.' },
  {
    name: 'wasi:filesystem/types',
    capability: 'filesystem',
    description: 'Opens, reads, writes and deletes files and directories through descriptors.',
  },
  {
    name: 'wasi:filesystem/preopens',
    capability: 'filesystem',
    description: 'Lists the folders the host preopened for the component.',
  },
  { name: 'wasi:sockets/network', capability: 'network', description: 'Network handles and address types.' },
  {
    name: 'wasi:sockets/instance-network',
    capability: 'network',
    description: 'Obtains the default network handle.',
  },
  {
    name: 'wasi:sockets/ip-name-lookup',
    capability: 'network',
    description: 'Resolves host names to IP addresses (DNS).',
  },
  {
    name: 'wasi:sockets/tcp',
    capability: 'network',
    description: 'Connects, listens and transfers data over TCP.',
  },
  { name: 'wasi:sockets/tcp-create-socket', capability: 'network', description: 'Creates TCP sockets.' },
  { name: 'wasi:sockets/udp', capability: 'network', description: 'Sends and receives UDP datagrams.' },
  { name: 'wasi:sockets/udp-create-socket', capability: 'network', description: 'Creates UDP sockets.' },
  { name: 'wasi:http/types', capability: 'network', description: 'HTTP request, response and header types.' },
  { name: 'wasi:http/outgoing-handler', capability: 'network', description: 'Sends outgoing HTTP requests.' },
  {
    name: 'wasi:http/incoming-handler',
    capability: 'network',
    description: 'Handles incoming HTTP requests (exported by servers).',
  },
  {
    name: 'wasi:random/random',
    capability: 'random',
    description: 'Reads cryptographically secure random bytes.',
  },
  {
    name: 'wasi:random/insecure',
    capability: 'random',
    description: 'Reads fast, non-cryptographic random bytes.',
  },
  {
    name: 'wasi:random/insecure-seed',
    capability: 'random',
    description: 'Reads a seed for a non-cryptographic random generator.',
  },
  // Proposals (wasi:keyvalue@0.2.0-draft, wasi:config@0.2.0-draft, …) teams deploy on.
  {
    name: 'wasi:keyvalue/store',
    capability: 'keyvalue',
    description: 'Opens key-value buckets by name and reads, writes, deletes and lists their keys.',
  },
  {
    name: 'wasi:keyvalue/atomics',
    capability: 'keyvalue',
    description: 'Increments and compare-and-swaps values in a bucket atomically.',
  },
  {
    name: 'wasi:keyvalue/batch',
    capability: 'keyvalue',
    description: 'Reads, writes and deletes many keys of a bucket in one call.',
  },
  {
    name: 'wasi:keyvalue/watcher',
    capability: 'keyvalue',
    description: 'Receives the changes made to watched keys (exported by the component).',
  },
  {
    name: 'wasi:config/store',
    capability: 'config',
    description: 'Reads configuration values by key, as the host provides them (often secrets).',
  },
  {
    name: 'wasi:config/runtime',
    capability: 'config',
    description: 'Reads configuration values by key (the draft name of wasi:config/store).',
  },
  {
    name: 'wasi:blobstore/blobstore',
    capability: 'blobstore',
    description: 'Creates, opens, deletes, copies and moves containers and objects of object storage.',
  },
  {
    name: 'wasi:blobstore/container',
    capability: 'blobstore',
    description: 'Reads, writes, lists and deletes the objects of a container.',
  },
  {
    name: 'wasi:blobstore/types',
    capability: 'blobstore',
    description: 'Object metadata and the value streams of object storage.',
  },
  {
    name: 'wasi:messaging/producer',
    capability: 'messaging',
    description: "Publishes messages to the host's channels.",
  },
  {
    name: 'wasi:messaging/consumer',
    capability: 'messaging',
    description: 'Subscribes to channels and receives or acknowledges messages.',
  },
  {
    name: 'wasi:messaging/request-reply',
    capability: 'messaging',
    description: 'Sends a message and waits for the replies.',
  },
  {
    name: 'wasi:messaging/types',
    capability: 'messaging',
    description: 'Messages, channels and connections to the message broker.',
  },
  {
    name: 'wasi:messaging/incoming-handler',
    capability: 'messaging',
    description: 'Handles incoming messages (exported by the component).',
  },
  {
    name: 'wasi:logging/logging',
    capability: 'logging',
    description: 'Writes log messages at a level (trace to critical), in a context.',
  },
];

/** Packages (`wasi:io`, `wasi:http`, …) whose interfaces the catalogue lists. */
export const WASI_PACKAGES: readonly string[] = [
  ...new Set(WASI_INTERFACES.map((i) => i.name.split('/')[0])),
];

export function isWasiPreview1Module(module: string): boolean {
  return (WASI_PREVIEW1_MODULES as readonly string[]).includes(module);
}

/** The preview1 function `name`, if `module` is a preview1 module and the name is known there. */
export function findWasiFunction(module: string, name: string): WasiFunction | undefined {
  if (!isWasiPreview1Module(module)) return undefined;
  const fn = WASI_PREVIEW1_FUNCTIONS.find((f) => f.name === name);
  if (fn?.preview1Only && module !== 'wasi_snapshot_preview1') return undefined;
  return fn;
}

/** Splits `wasi:filesystem/types@0.2.0` into the unversioned name and the version. */
export function splitInterfaceVersion(qualified: string): { name: string; version?: string } {
  const at = qualified.indexOf('@');
  return at < 0 ? { name: qualified } : { name: qualified.slice(0, at), version: qualified.slice(at + 1) };
}

/** A WASI 0.2 interface by its name with or without `@version`. */
export function findWasiInterface(qualified: string): WasiInterface | undefined {
  const { name } = splitInterfaceVersion(qualified);
  return WASI_INTERFACES.find((i) => i.name === name);
}

/** The capability group of an import, for core imports (`module`, `name`) and component imports (`module` = interface). */
export function capabilityOfImport(module: string, name: string): Capability | undefined {
  return (
    findWasiFunction(module, name)?.capability ??
    findWasiInterface(module)?.capability ??
    findAbiFunction(module, name)?.capability
  );
}

/** Every group whose grant covers the import (usually one). */
export function capabilitiesCoveringImport(module: string, name: string): Capability[] {
  const fn = findWasiFunction(module, name);
  if (fn) return [fn.capability];
  const iface = findWasiInterface(module);
  if (iface) return [iface.capability, ...(iface.alsoIn ?? [])];
  // Host ABIs beside WASI (Emscripten, Extism, proxy-wasm...): the same groups cover them.
  const abi = findAbiFunction(module, name)?.capability;
  return abi ? [abi] : [];
}

/** Signature text as WAT writes it: `(param i32 i32) (result i32)`. */
export function formatSignature(signature: FuncSignature): string {
  const parts: string[] = [];
  if (signature.params.length) parts.push(`(param ${signature.params.join(' ')})`);
  if (signature.results.length) parts.push(`(result ${signature.results.join(' ')})`);
  return parts.join(' ') || '(no parameters, no results)';
}
