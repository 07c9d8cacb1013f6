/**
 * `wasi:sockets`: TCP connections and name lookups to what `sandbox.network.allow` lists, carried
 * out by the network worker once the run is confirmed. An endpoint or name outside the list, an
 * unconfirmed run, or a bind (the sandbox serves nothing) is a violation naming the endpoint, and
 * the component gets `access-denied`. A name the policy allows may be looked up, and the addresses
 * it resolved to are then allowed on the ports its pattern allows. UDP works the same way: a client
 * bind (port 0) is allowed, each destination is checked, and a socket without a fixed remote
 * hears only from allowed endpoints.
 */
import { formatIp, parseIp, type IpAddress } from '../ipAddress';
import { endpointAllowed, hostAllowed } from '../networkAllow';
import { WitError, type HostContext } from './context';
import type { HostInterfaces } from './instrument';
import { InputStream, IoError, OutputStream, Pollable, type PollWaiter } from './io';
import { netCall } from './netWorker';

type IpSocketAddress =
  | { tag: 'ipv4'; val: { port: number; address: number[] } }
  | { tag: 'ipv6'; val: { port: number; flowInfo?: number; address: number[]; scopeId?: number } };

/** How long a connection attempt may take before `timeout`. */
const CONNECT_LIMIT_MS = 30_000;
/** The most bytes one socket read hands the component. */
const READ_CHUNK = 64 * 1024;
/** Open connections a run may hold at once (more: `new-socket-limit`). */
export const MAX_OPEN_SOCKETS = 64;

/** Node's error codes as `wasi:sockets/network` error-codes. */
export function socketErrorCode(nodeCode: string | undefined): string {
  switch (nodeCode) {
    case 'ECONNREFUSED':
      return 'connection-refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection-reset';
    case 'ECONNABORTED':
      return 'connection-aborted';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return 'remote-unreachable';
    case 'EADDRINUSE':
    case 'EADDRNOTAVAIL':
      return 'address-in-use';
    case 'ENOTFOUND':
    case 'ENODATA':
    case 'EAI_NONAME':
      return 'name-unresolvable';
    case 'EAI_AGAIN':
      return 'temporary-resolver-failure';
    case 'EAI_FAIL':
      return 'permanent-resolver-failure';
    default:
      return 'unknown';
  }
}

const fail = (code: string): never => {
  throw new WitError(code);
};

/** A socket option's new value, which the spec wants above zero. */
const positive = <T extends bigint | number>(value: T): T => (value > 0 ? value : fail('invalid-argument'));

function asIp(a: IpSocketAddress): IpAddress {
  return { tag: a.tag, val: a.val.address } as IpAddress;
}

function endpointOf(a: IpSocketAddress): { host: string; port: number } {
  return { host: formatIp(asIp(a)), port: a.val.port };
}

function socketAddress(ip: IpAddress, port: number): IpSocketAddress {
  return ip.tag === 'ipv4'
    ? { tag: 'ipv4', val: { port, address: ip.val } }
    : { tag: 'ipv6', val: { port, flowInfo: 0, address: ip.val, scopeId: 0 } };
}

/** Readiness of sockets, asked of the network worker; waiting blocks until one has data or ends. */
const socketWaiter: PollWaiter = {
  waitAny(pollables, timeoutMs) {
    const ids = pollables.map((p) => (p as SocketPollable).socket);
    netCall('wait', { ids, timeoutMs: Math.max(0, timeoutMs) });
  },
};

class SocketPollable extends Pollable {
  constructor(readonly socket: number) {
    super(Infinity, socketWaiter);
  }
  override _ready(): boolean {
    return ((netCall('ready', { ids: [this.socket] }).head.ready as number[] | undefined) ?? []).length > 0;
  }
}

/** The stream error for a socket that failed: `last-operation-failed` carrying the error-code. */
function streamFailure(nodeCode: string): WitError {
  const code = socketErrorCode(nodeCode);
  return new WitError({ tag: 'last-operation-failed', val: new IoError(`socket: ${nodeCode}`, code) });
}

function socketStreams(id: number, shut: { send: boolean }): [InputStream, OutputStream] {
  const read = (max: number, blocking: boolean): Uint8Array | undefined => {
    for (;;) {
      const { head, body } = netCall('read', { id, max: Math.min(max, READ_CHUNK) }, { maxBody: READ_CHUNK });
      if (head.error !== undefined) throw streamFailure(head.error);
      if (head.closed) return undefined;
      if (body.byteLength || !blocking || max === 0) return body;
      socketWaiter.waitAny([new SocketPollable(id)], 60_000);
    }
  };
  const input = new InputStream({
    read: (max) => read(max, true),
    readNow: (max) => read(max, false),
    subscribe: () => new SocketPollable(id),
  });
  const output = new OutputStream({
    write(bytes) {
      if (shut.send) throw new WitError({ tag: 'closed' });
      const { head } = netCall('write', { id }, { bytes });
      if (head.error !== undefined) throw streamFailure(head.error);
      return undefined;
    },
  });
  return [input, output];
}

export function socketInterfaces(ctx: HostContext): HostInterfaces {
  /** Addresses an allowed name resolved to, with the names: connecting to them is judged by the name. */
  const resolved = new Map<string, Set<string>>();
  let openSockets = 0;
  const refuse = (call: string, endpoint: string, reason: string): never => {
    ctx.violation({ call, args: { endpoint }, reason });
    return fail('access-denied');
  };
  const unconfirmed = (what: string): string =>
    `${what} is allowed by sandbox.network.allow, but the run was not confirmed for network access`;
  const allowedEndpoint = (host: string, port: number): boolean =>
    endpointAllowed(ctx.policy.network.allow, host, port) ||
    [...(resolved.get(host) ?? [])].some((name) => endpointAllowed(ctx.policy.network.allow, name, port));
  const noBind = (call: string, local: IpSocketAddress): never => {
    const { host, port } = endpointOf(local);
    return refuse(call, `${host}:${port}`, 'binding a local address is not allowed in the sandbox');
  };

  class Network {}

  class TcpSocket {
    private state: 'unbound' | 'connecting' | 'connected' | 'closed' = 'unbound';
    private pending?: { id?: number; error?: string; local?: IpSocketAddress };
    private id?: number;
    private local?: IpSocketAddress;
    private remote?: IpSocketAddress;
    private readonly shut = { send: false };
    private readonly options = {
      keepAlive: false,
      keepAliveIdle: 7_200_000_000_000n,
      keepAliveInterval: 75_000_000_000n,
      keepAliveCount: 9,
      hopLimit: 64,
      receiveBuffer: 65_536n,
      sendBuffer: 65_536n,
    };
    constructor(private readonly family: 'ipv4' | 'ipv6') {}
    startBind(_network: Network, local: IpSocketAddress): never {
      return noBind('wasi:sockets/tcp#[method]tcp-socket.start-bind', local);
    }
    finishBind(): never {
      return fail('not-in-progress');
    }
    startConnect(_network: Network, remote: IpSocketAddress): void {
      if (this.state !== 'unbound') fail('invalid-state');
      if (remote.tag !== this.family) fail('invalid-argument');
      if (remote.val.port === 0 || remote.val.address.every((n) => n === 0)) fail('invalid-argument');
      const { host, port } = endpointOf(remote);
      const endpoint = `${host}:${port}`;
      const call = 'wasi:sockets/tcp#[method]tcp-socket.start-connect';
      if (!allowedEndpoint(host, port)) refuse(call, endpoint, `${endpoint} is not in sandbox.network.allow`);
      if (!ctx.networkConfirmed) refuse(call, endpoint, unconfirmed(endpoint));
      if (openSockets >= MAX_OPEN_SOCKETS) fail('new-socket-limit');
      const { head } = netCall('connect', {
        host: host.replace(/^\[(.*)\]$/, '$1'),
        port,
        timeoutMs: CONNECT_LIMIT_MS,
      });
      const localIp = typeof head.localAddress === 'string' ? parseIp(head.localAddress) : undefined;
      if (head.error === undefined) openSockets++;
      this.pending =
        head.error !== undefined
          ? { error: head.error }
          : {
              id: head.id as number,
              local: localIp && socketAddress(localIp, Number(head.localPort)),
            };
      this.remote = remote;
      this.state = 'connecting';
    }
    finishConnect(): [InputStream, OutputStream] {
      if (this.state !== 'connecting' || !this.pending) return fail('not-in-progress');
      const pending = this.pending;
      this.pending = undefined;
      if (pending.id === undefined) {
        this.state = 'closed';
        return fail(socketErrorCode(pending.error));
      }
      this.state = 'connected';
      this.id = pending.id;
      this.local = pending.local;
      return socketStreams(pending.id, this.shut);
    }
    startListen(): never {
      return fail('invalid-state');
    }
    finishListen(): never {
      return fail('not-in-progress');
    }
    accept(): never {
      return fail('invalid-state');
    }
    localAddress(): IpSocketAddress {
      return this.state === 'connected' && this.local ? this.local : fail('invalid-state');
    }
    remoteAddress(): IpSocketAddress {
      return this.state === 'connected' && this.remote ? this.remote : fail('invalid-state');
    }
    isListening(): boolean {
      return false;
    }
    addressFamily(): string {
      return this.family;
    }
    setListenBacklogSize(): never {
      return fail('invalid-state');
    }
    keepAliveEnabled(): boolean {
      return this.options.keepAlive;
    }
    setKeepAliveEnabled(value: boolean): void {
      this.options.keepAlive = value;
    }
    keepAliveIdleTime(): bigint {
      return this.options.keepAliveIdle;
    }
    setKeepAliveIdleTime(value: bigint): void {
      this.options.keepAliveIdle = positive(value);
    }
    keepAliveInterval(): bigint {
      return this.options.keepAliveInterval;
    }
    setKeepAliveInterval(value: bigint): void {
      this.options.keepAliveInterval = positive(value);
    }
    keepAliveCount(): number {
      return this.options.keepAliveCount;
    }
    setKeepAliveCount(value: number): void {
      this.options.keepAliveCount = positive(value);
    }
    hopLimit(): number {
      return this.options.hopLimit;
    }
    setHopLimit(value: number): void {
      this.options.hopLimit = positive(value);
    }
    receiveBufferSize(): bigint {
      return this.options.receiveBuffer;
    }
    setReceiveBufferSize(value: bigint): void {
      this.options.receiveBuffer = positive(value);
    }
    sendBufferSize(): bigint {
      return this.options.sendBuffer;
    }
    setSendBufferSize(value: bigint): void {
      this.options.sendBuffer = positive(value);
    }
    subscribe(): Pollable {
      // A connection attempt is settled within start-connect, so the socket is always ready.
      return new Pollable();
    }
    shutdown(type: 'receive' | 'send' | 'both'): void {
      if (this.state !== 'connected' || this.id === undefined) fail('invalid-state');
      const send = type !== 'receive';
      if (send) this.shut.send = true;
      netCall('shutdown', { id: this.id, send, receive: type !== 'send' });
    }
    [Symbol.dispose](): void {
      const id = this.id ?? this.pending?.id;
      if (id !== undefined) {
        netCall('close', { id });
        openSockets--;
      }
      this.id = undefined;
      this.pending = undefined;
      this.state = 'closed';
    }
  }

  /** The largest UDP payload (IPv4); larger datagrams get `datagram-too-large`. */
  const MAX_DATAGRAM = 65_507;
  const isLoopback = (a: IpSocketAddress): boolean =>
    a.tag === 'ipv4' ? a.val.address[0] === 127 : a.val.address.every((n, i) => n === (i === 7 ? 1 : 0));
  const isUnspecified = (a: IpSocketAddress): boolean => a.val.address.every((n) => n === 0);
  const checkRemote = (call: string, family: string, remote: IpSocketAddress): string => {
    if (remote.tag !== family || remote.val.port === 0 || isUnspecified(remote)) fail('invalid-argument');
    const { host, port } = endpointOf(remote);
    const endpoint = `${host}:${port}`;
    if (!allowedEndpoint(host, port)) refuse(call, endpoint, `${endpoint} is not in sandbox.network.allow`);
    if (!ctx.networkConfirmed) refuse(call, endpoint, unconfirmed(endpoint));
    return host.replace(/^\[(.*)\]$/, '$1');
  };

  class UdpSocket {
    private state: 'unbound' | 'binding' | 'bound' = 'unbound';
    private requested?: IpSocketAddress;
    /** The worker's socket, opened by `stream` once the run may use the network. */
    _id?: number;
    _local?: IpSocketAddress;
    _remote?: IpSocketAddress;
    private hopLimit = 64;
    private receiveBuffer = 65_536n;
    private sendBuffer = 65_536n;
    constructor(readonly _family: 'ipv4' | 'ipv6') {}
    startBind(_network: Network, local: IpSocketAddress): void {
      if (this.state !== 'unbound') fail('invalid-state');
      if (local.tag !== this._family) fail('invalid-argument');
      // A client's bind (any or loopback address, a port the system picks) is allowed; a fixed
      // port would make the component a server, which the sandbox does not allow.
      if (local.val.port !== 0 || !(isUnspecified(local) || isLoopback(local)))
        noBind('wasi:sockets/udp#[method]udp-socket.start-bind', local);
      this.requested = local;
      this.state = 'binding';
    }
    finishBind(): void {
      if (this.state !== 'binding') fail('not-in-progress');
      this.state = 'bound';
    }
    stream(remote?: IpSocketAddress): [IncomingDatagramStream, OutgoingDatagramStream] {
      if (this.state !== 'bound' || !this.requested) return fail('invalid-state');
      const remoteHost =
        remote && checkRemote('wasi:sockets/udp#[method]udp-socket.stream', this._family, remote);
      if (this._id !== undefined) this._close();
      this._remote = remote;
      if (ctx.networkConfirmed) {
        if (openSockets >= MAX_OPEN_SOCKETS) fail('new-socket-limit');
        const { head } = netCall('udpOpen', {
          family: this._family,
          address: endpointOf(this.requested).host.replace(/^\[(.*)\]$/, '$1'),
          port: 0,
          remoteHost,
          remotePort: remote?.val.port,
        });
        if (head.error !== undefined) fail(socketErrorCode(head.error));
        openSockets++;
        this._id = head.id as number;
        const localIp = typeof head.localAddress === 'string' ? parseIp(head.localAddress) : undefined;
        this._local = localIp && socketAddress(localIp, Number(head.localPort));
      }
      return [new IncomingDatagramStream(this), new OutgoingDatagramStream(this)];
    }
    _close(): void {
      if (this._id === undefined) return;
      netCall('close', { id: this._id });
      openSockets--;
      this._id = undefined;
    }
    localAddress(): IpSocketAddress {
      return this._local ?? this.requested ?? fail('invalid-state');
    }
    remoteAddress(): IpSocketAddress {
      return this._remote ?? fail('invalid-state');
    }
    addressFamily(): string {
      return this._family;
    }
    unicastHopLimit(): number {
      return this.hopLimit;
    }
    setUnicastHopLimit(value: number): void {
      this.hopLimit = positive(value);
    }
    receiveBufferSize(): bigint {
      return this.receiveBuffer;
    }
    setReceiveBufferSize(value: bigint): void {
      this.receiveBuffer = positive(value);
    }
    sendBufferSize(): bigint {
      return this.sendBuffer;
    }
    setSendBufferSize(value: bigint): void {
      this.sendBuffer = positive(value);
    }
    subscribe(): Pollable {
      return new Pollable();
    }
    [Symbol.dispose](): void {
      this._close();
    }
  }

  class IncomingDatagramStream {
    constructor(private readonly socket: UdpSocket) {}
    receive(maxResults: bigint): { data: Uint8Array; remoteAddress: IpSocketAddress }[] {
      const id = this.socket._id;
      if (id === undefined || maxResults === 0n) return [];
      const max = Number(maxResults > 64n ? 64n : maxResults);
      const { head, body } = netCall('udpReceive', { id, max }, { maxBody: max * MAX_DATAGRAM });
      if (head.error !== undefined) return fail(socketErrorCode(head.error));
      let at = 0;
      const datagrams = (head.datagrams as { address: string; port: number; length: number }[]).map((d) => {
        const data = body.slice(at, (at += d.length));
        const ip = parseIp(d.address);
        return { data, ip, port: d.port };
      });
      // A socket without a remote hears from anyone: only datagrams from allowed endpoints get through.
      return datagrams.flatMap(({ data, ip, port }) =>
        ip && allowedEndpoint(formatIp(ip), port) ? [{ data, remoteAddress: socketAddress(ip, port) }] : [],
      );
    }
    subscribe(): Pollable {
      return this.socket._id === undefined ? new Pollable(Infinity) : new SocketPollable(this.socket._id);
    }
  }

  class OutgoingDatagramStream {
    constructor(private readonly socket: UdpSocket) {}
    checkSend(): bigint {
      return 64n;
    }
    send(datagrams: { data: Uint8Array; remoteAddress?: IpSocketAddress }[]): bigint {
      let sent = 0n;
      for (const datagram of datagrams) {
        try {
          this._sendOne(datagram);
        } catch (error) {
          // The spec: an error on the first datagram is the call's error; later, the count so far.
          if (sent === 0n) throw error;
          return sent;
        }
        sent++;
      }
      return sent;
    }
    _sendOne({ data, remoteAddress }: { data: Uint8Array; remoteAddress?: IpSocketAddress }): void {
      const connected = this.socket._remote;
      if (
        connected &&
        remoteAddress &&
        formatIp(asIp(remoteAddress)) + remoteAddress.val.port !==
          formatIp(asIp(connected)) + connected.val.port
      )
        fail('invalid-argument');
      const target = remoteAddress ?? connected ?? fail('invalid-argument');
      if (data.byteLength > MAX_DATAGRAM) fail('datagram-too-large');
      const host = connected
        ? undefined
        : checkRemote('wasi:sockets/udp#[method]outgoing-datagram-stream.send', this.socket._family, target);
      const id = this.socket._id ?? fail('invalid-state');
      const { head } = netCall(
        'udpSend',
        { id, host, port: connected ? undefined : target.val.port },
        { bytes: data },
      );
      if (head.error !== undefined)
        fail(head.error === 'EMSGSIZE' ? 'datagram-too-large' : socketErrorCode(head.error));
    }
    subscribe(): Pollable {
      return new Pollable();
    }
  }

  class ResolveAddressStream {
    private at = 0;
    constructor(
      private readonly addresses: IpAddress[],
      private readonly error?: string,
    ) {}
    resolveNextAddress(): IpAddress | undefined {
      if (this.error !== undefined) return fail(socketErrorCode(this.error));
      return this.addresses[this.at++];
    }
    subscribe(): Pollable {
      return new Pollable();
    }
  }

  const resolveAddresses = (_network: Network, name: string): ResolveAddressStream => {
    const literal = parseIp(name);
    // An address needs no lookup; connecting to it is checked as usual.
    if (literal) return new ResolveAddressStream([literal]);
    if (!/^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})$/.test(name)) fail('invalid-argument');
    const call = 'wasi:sockets/ip-name-lookup#resolve-addresses';
    if (!hostAllowed(ctx.policy.network.allow, name))
      refuse(call, name, `DNS lookups are allowed only for names in sandbox.network.allow; ${name} is not`);
    if (!ctx.networkConfirmed) refuse(call, name, unconfirmed(`looking up ${name}`));
    const { head } = netCall('lookup', { name });
    if (head.error !== undefined) return new ResolveAddressStream([], head.error);
    const addresses = ((head.addresses as { address: string }[] | undefined) ?? []).flatMap(
      ({ address }) => parseIp(address) ?? [],
    );
    for (const address of addresses) {
      const text = formatIp(address);
      resolved.set(text, (resolved.get(text) ?? new Set()).add(name));
    }
    return new ResolveAddressStream(addresses);
  };

  const network = new Network();
  return {
    'wasi:sockets/network': {
      functions: {
        networkErrorCode: (error: IoError) => (error instanceof IoError ? error.code : undefined),
      },
      resources: { Network },
    },
    'wasi:sockets/instance-network': { functions: { instanceNetwork: () => network } },
    'wasi:sockets/tcp-create-socket': {
      functions: {
        createTcpSocket: (family: 'ipv4' | 'ipv6') => new TcpSocket(family),
      },
    },
    'wasi:sockets/tcp': { resources: { TcpSocket } },
    'wasi:sockets/udp-create-socket': {
      functions: { createUdpSocket: (family: 'ipv4' | 'ipv6') => new UdpSocket(family) },
    },
    'wasi:sockets/udp': { resources: { UdpSocket, IncomingDatagramStream, OutgoingDatagramStream } },
    'wasi:sockets/ip-name-lookup': {
      functions: { resolveAddresses },
      resources: { ResolveAddressStream },
    },
  };
}
