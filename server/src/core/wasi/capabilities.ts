/**
 * Capability groups: the coarse permissions a policy grants with `imports.capabilities`. Each group
 * names what a module can do with it, so hovers and generated policies can say it in one line.
 */
export type Capability =
  | 'io'
  | 'filesystem'
  | 'network'
  | 'clock'
  | 'random'
  | 'environment'
  | 'args'
  | 'process'
  | 'poll'
  // WASI proposals the hosts teams deploy on (Spin, wasmCloud, Wasmtime serve) implement.
  | 'keyvalue'
  | 'config'
  | 'blobstore'
  | 'messaging'
  | 'logging';

export interface CapabilityInfo {
  name: Capability;
  /** What granting the group lets a module do. */
  grants: string;
}

export const CAPABILITIES: readonly CapabilityInfo[] = [
  {
    name: 'io',
    grants: 'read and write already-open streams (stdin, stdout, stderr and descriptors it was given)',
  },
  {
    name: 'filesystem',
    grants: 'open, read, write, create and delete files and directories under the preopened folders',
  },
  { name: 'network', grants: 'use sockets and make or accept network connections (including HTTP)' },
  { name: 'clock', grants: 'read the wall clock and monotonic clock (time can fingerprint the host)' },
  { name: 'random', grants: 'read random bytes from the host' },
  { name: 'environment', grants: 'read the environment variables the host passes in' },
  { name: 'args', grants: 'read the command-line arguments the host passes in' },
  { name: 'process', grants: 'exit the process, raise signals and yield the scheduler' },
  { name: 'poll', grants: 'wait for several events (timers, readiness of streams and sockets) at once' },
  {
    name: 'keyvalue',
    grants: 'read, write and delete keys in the key-value buckets the host opens by name (wasi:keyvalue)',
  },
  { name: 'config', grants: 'read the configuration values (often secrets) the host provides (wasi:config)' },
  {
    name: 'blobstore',
    grants:
      "create, read, write and delete containers and blobs in the host's object storage (wasi:blobstore)",
  },
  {
    name: 'messaging',
    grants:
      "publish to and subscribe to the host's message channels, and handle incoming messages (wasi:messaging)",
  },
  { name: 'logging', grants: "write log messages to the host's logs at any level (wasi:logging)" },
];

export const CAPABILITY_NAMES: readonly Capability[] = CAPABILITIES.map((c) => c.name);

export function isCapability(name: string): name is Capability {
  return (CAPABILITY_NAMES as readonly string[]).includes(name);
}

export function capabilityInfo(name: string): CapabilityInfo | undefined {
  return CAPABILITIES.find((c) => c.name === name);
}
