/**
 * The sandbox's WASI 0.2 host: every interface it provides, as jco import objects, counted and
 * policy-enforcing. Interfaces not listed here are not provided; a component importing one is
 * told before it runs.
 */
import type { Shim } from '../../shim';
import type { HttpMockResponse } from '../../../policy/httpSpec';
import { cliInterfaces } from './cli';
import type { HostContext } from './context';
import { FilesystemHost } from './filesystem';
import { httpInterfaces } from './http';
import { instrument, type Instrumented } from './instrument';
import { IoError, InputStream, OutputStream, Pollable, poll } from './io';
import { socketInterfaces } from './sockets';

export interface ComponentHost extends Instrumented {
  provided: Set<string>;
  filesystem: FilesystemHost;
}

export function componentHost(
  shim: Shim,
  ctx: HostContext,
  mock: Record<string, HttpMockResponse>,
  onCall: (name: string) => void,
  onMissing: (name: string) => never,
): ComponentHost {
  const filesystem = new FilesystemHost(shim, ctx);
  const interfaces = {
    'wasi:io/error': { resources: { Error: IoError } },
    'wasi:io/poll': { functions: { poll }, resources: { Pollable } },
    'wasi:io/streams': { resources: { InputStream, OutputStream } },
    ...cliInterfaces(ctx),
    ...filesystem.interfaces,
    ...socketInterfaces(ctx),
    ...httpInterfaces(ctx, mock),
  };
  const instrumented = instrument(interfaces, onCall, onMissing);
  return { ...instrumented, provided: new Set(Object.keys(interfaces)), filesystem };
}
