/**
 * `wasi:sockets`: sockets can be created, but a connection, a bind or a name lookup is checked
 * against `sandbox.network.allow` first. Anything else is a violation naming the endpoint, and the
 * component gets `access-denied`. Raw sockets to allowed endpoints are not carried out by the
 * preview yet (`not-supported`, with a note); HTTP requests to them are.
 */
import { endpointAllowed, hostAllowed } from '../networkAllow';
import { WitError, type HostContext } from './context';
import type { HostInterfaces } from './instrument';
import { Pollable } from './io';

type IpSocketAddress = { tag: 'ipv4' | 'ipv6'; val: { port: number; address: number[] } };

function formatAddress(a: IpSocketAddress): { host: string; port: number } {
  if (a.tag === 'ipv4') return { host: a.val.address.join('.'), port: a.val.port };
  return { host: `[${a.val.address.map((n) => n.toString(16)).join(':')}]`, port: a.val.port };
}

export function socketInterfaces(ctx: HostContext): HostInterfaces {
  const refuse = (call: string, endpoint: string, reason: string): never => {
    ctx.violation({ call, args: { endpoint }, reason });
    throw new WitError('access-denied');
  };
  const unsupported = (endpoint: string): never => {
    const note = `raw socket connections (to ${endpoint}) are allowed by the policy but not carried out by the preview`;
    if (!ctx.notes.includes(note)) ctx.notes.push(note);
    throw new WitError('not-supported');
  };
  const connect = (iface: string, kind: string) => (_network: unknown, remote: IpSocketAddress) => {
    const { host, port } = formatAddress(remote);
    const endpoint = `${host}:${port}`;
    if (!endpointAllowed(ctx.policy.network.allow, host, port))
      refuse(
        `${iface}#[method]${kind}.start-connect`,
        endpoint,
        `${endpoint} is not in sandbox.network.allow`,
      );
    return unsupported(endpoint);
  };
  const bind = (iface: string, kind: string) => (_network: unknown, local: IpSocketAddress) => {
    const { host, port } = formatAddress(local);
    return refuse(
      `${iface}#[method]${kind}.start-bind`,
      `${host}:${port}`,
      'listening for connections is not allowed in the sandbox',
    );
  };

  const tcpBind = bind('wasi:sockets/tcp', 'tcp-socket');
  const tcpConnect = connect('wasi:sockets/tcp', 'tcp-socket');
  const udpBind = bind('wasi:sockets/udp', 'udp-socket');
  class Network {}
  class TcpSocket {
    constructor(readonly family: string) {}
    startBind(network: unknown, local: IpSocketAddress): never {
      return tcpBind(network, local);
    }
    startConnect(network: unknown, remote: IpSocketAddress): never {
      return tcpConnect(network, remote);
    }
    finishBind(): never {
      throw new WitError('not-in-progress');
    }
    finishConnect(): never {
      throw new WitError('not-in-progress');
    }
    addressFamily(): string {
      return this.family;
    }
    subscribe(): Pollable {
      return new Pollable();
    }
    shutdown(): void {}
  }
  class UdpSocket {
    constructor(readonly family: string) {}
    startBind(network: unknown, local: IpSocketAddress): never {
      return udpBind(network, local);
    }
    finishBind(): never {
      throw new WitError('not-in-progress');
    }
    stream(_remote?: IpSocketAddress): never {
      if (_remote) {
        const { host, port } = formatAddress(_remote);
        const endpoint = `${host}:${port}`;
        if (!endpointAllowed(ctx.policy.network.allow, host, port))
          refuse(
            'wasi:sockets/udp#[method]udp-socket.stream',
            endpoint,
            `${endpoint} is not in sandbox.network.allow`,
          );
        return unsupported(endpoint);
      }
      throw new WitError('invalid-state');
    }
    addressFamily(): string {
      return this.family;
    }
    subscribe(): Pollable {
      return new Pollable();
    }
  }
  class ResolveAddressStream {
    resolveNextAddress(): undefined {
      return undefined;
    }
    subscribe(): Pollable {
      return new Pollable();
    }
  }
  const network = new Network();
  return {
    'wasi:sockets/network': { functions: { networkErrorCode: () => undefined }, resources: { Network } },
    'wasi:sockets/instance-network': { functions: { instanceNetwork: () => network } },
    'wasi:sockets/tcp-create-socket': {
      functions: { createTcpSocket: (family: string) => new TcpSocket(family) },
    },
    'wasi:sockets/tcp': { resources: { TcpSocket } },
    'wasi:sockets/udp-create-socket': {
      functions: { createUdpSocket: (family: string) => new UdpSocket(family) },
    },
    'wasi:sockets/udp': { resources: { UdpSocket } },
    'wasi:sockets/ip-name-lookup': {
      functions: {
        resolveAddresses: (_network: unknown, name: string) => {
          if (!hostAllowed(ctx.policy.network.allow, name))
            return refuse(
              'wasi:sockets/ip-name-lookup#resolve-addresses',
              name,
              `DNS lookups are allowed only for names in sandbox.network.allow; ${name} is not`,
            );
          return unsupported(name);
        },
      },
      resources: { ResolveAddressStream },
    },
  };
}
