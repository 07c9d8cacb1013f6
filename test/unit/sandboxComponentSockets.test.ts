/**
 * Raw sockets from a component: a TCP client written in C against wasi:sockets (built here, offline)
 * runs in a real sandbox process and talks to servers on 127.0.0.1, under sandbox.network.allow.
 */
import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SandboxPolicy } from '../../server/src/core/policy/types';
import { formatIp, parseIp } from '../../server/src/core/sandbox/component/ipAddress';
import { endpointAllowed, hostAllowed } from '../../server/src/core/sandbox/component/networkAllow';
import type { HostContext } from '../../server/src/core/sandbox/component/host/context';
import { socketErrorCode, socketInterfaces } from '../../server/src/core/sandbox/component/host/sockets';
import { DEFAULT_SANDBOX_POLICY } from '../../server/src/core/sandbox/defaults';
import type { SandboxReport } from '../../server/src/core/sandbox/report';
import { startSandboxRun, type SandboxRunOptions } from '../../server/src/core/sandbox/runner';
import { buildCComponent } from '../support/componentBuild';
import { processGone } from '../support/processes';
import { witErrorOf } from '../support/witError';

const root = path.resolve(__dirname, '../../..');
const fixtures = path.join(root, 'test/fixtures/components');

describe('sandbox: component sockets, addresses', () => {
  it('reads and writes IP addresses as wasi:sockets has them, IPv6 canonical', () => {
    assert.deepEqual(parseIp('127.0.0.1'), { tag: 'ipv4', val: [127, 0, 0, 1] });
    assert.deepEqual(parseIp('[::1]'), { tag: 'ipv6', val: [0, 0, 0, 0, 0, 0, 0, 1] });
    assert.deepEqual(parseIp('2001:db8::8:800:200c:417a'), {
      tag: 'ipv6',
      val: [0x2001, 0xdb8, 0, 0, 0x8, 0x800, 0x200c, 0x417a],
    });
    assert.deepEqual(parseIp('fe80::1:2'), { tag: 'ipv6', val: [0xfe80, 0, 0, 0, 0, 0, 1, 2] });
    assert.equal(parseIp('localhost'), undefined);
    assert.equal(parseIp('1.2.3'), undefined);
    assert.equal(formatIp({ tag: 'ipv6', val: [0, 0, 0, 0, 0, 0, 0, 1] }), '[::1]');
    assert.equal(formatIp({ tag: 'ipv6', val: [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1] }), '[2001:db8::1]');
    assert.equal(formatIp({ tag: 'ipv4', val: [10, 0, 0, 1] }), '10.0.0.1');
  });

  it('matches IPv6 endpoints whatever their spelling', () => {
    assert.ok(endpointAllowed(['[::1]:8080'], '[0:0:0:0:0:0:0:1]', 8080));
    assert.ok(endpointAllowed(['[0::1]:8080'], '[::1]', 8080));
    assert.ok(!endpointAllowed(['[::1]:8080'], '[::2]', 8080));
    assert.ok(hostAllowed(['[::1]:*'], '0:0::1'));
  });

  it("names Node's socket errors with the spec's error-codes", () => {
    assert.equal(socketErrorCode('ECONNREFUSED'), 'connection-refused');
    assert.equal(socketErrorCode('ECONNRESET'), 'connection-reset');
    assert.equal(socketErrorCode('ETIMEDOUT'), 'timeout');
    assert.equal(socketErrorCode('EHOSTUNREACH'), 'remote-unreachable');
    assert.equal(socketErrorCode('ENOTFOUND'), 'name-unresolvable');
    assert.equal(socketErrorCode('EAI_AGAIN'), 'temporary-resolver-failure');
    assert.equal(socketErrorCode('EWHATEVER'), 'unknown');
    assert.equal(socketErrorCode(undefined), 'unknown');
  });
});

describe('sandbox: component UDP, without the network', () => {
  const udpSocket = (allow: string[], seen: string[]) => {
    const ctx: HostContext = {
      policy: { ...DEFAULT_SANDBOX_POLICY, network: { allow } },
      args: ['x'],
      stdout: () => undefined,
      stderr: () => undefined,
      violation: (v) => seen.push(`${v.call} ${String(v.args.endpoint)}: ${v.reason}`),
      networkConfirmed: false,
      exchanges: [],
      notes: [],
    };
    const create = socketInterfaces(ctx)['wasi:sockets/udp-create-socket'].functions!.createUdpSocket;
    return create('ipv4') as {
      startBind(n: unknown, a: unknown): void;
      finishBind(): void;
      stream(remote?: unknown): [unknown, { send(d: unknown[]): bigint }];
    };
  };
  const address = (port: number, address = [127, 0, 0, 1]) => ({ tag: 'ipv4', val: { port, address } });

  it('lets a client bind port 0 but no fixed port (the sandbox serves nothing)', () => {
    const seen: string[] = [];
    assert.equal(
      witErrorOf(() => udpSocket([], seen).startBind({}, address(5353, [0, 0, 0, 0]))),
      'access-denied',
    );
    assert.equal(
      witErrorOf(() => udpSocket([], seen).startBind({}, address(0, [10, 1, 2, 3]))),
      'access-denied',
    );
    const client = udpSocket([], seen);
    assert.equal(
      witErrorOf(() => client.stream()),
      'invalid-state',
      'stream needs a bound socket',
    );
    client.startBind({}, address(0, [0, 0, 0, 0]));
    client.finishBind();
    assert.deepEqual(seen, [
      'wasi:sockets/udp#[method]udp-socket.start-bind 0.0.0.0:5353: binding a local address is not allowed in the sandbox',
      'wasi:sockets/udp#[method]udp-socket.start-bind 10.1.2.3:0: binding a local address is not allowed in the sandbox',
    ]);
  });

  it('checks each datagram of an unconnected stream, and sends nothing unconfirmed', () => {
    const seen: string[] = [];
    const client = udpSocket(['127.0.0.1:5300'], seen);
    client.startBind({}, address(0, [0, 0, 0, 0]));
    client.finishBind();
    const [, outgoing] = client.stream();
    const datagram = (port: number) => ({ data: new Uint8Array([1]), remoteAddress: address(port) });
    assert.equal(
      witErrorOf(() => outgoing.send([datagram(5301)])),
      'access-denied',
    );
    assert.equal(
      witErrorOf(() => outgoing.send([datagram(5300)])),
      'access-denied',
    );
    assert.equal(
      witErrorOf(() => outgoing.send([{ data: new Uint8Array([1]) }])),
      'invalid-argument',
    );
    assert.deepEqual(seen, [
      'wasi:sockets/udp#[method]outgoing-datagram-stream.send 127.0.0.1:5301: 127.0.0.1:5301 is not in sandbox.network.allow',
      'wasi:sockets/udp#[method]outgoing-datagram-stream.send 127.0.0.1:5300: 127.0.0.1:5300 is allowed by sandbox.network.allow, but the run was not confirmed for network access',
    ]);
  });
});

describe('sandbox: component sockets, end to end', function () {
  // Building the client and its first run (transpile) take seconds on a loaded machine.
  this.timeout(180_000);
  let work: string;
  let client: string;
  /** An echo server: answers "echo:" and the upper-cased message once the client has sent it all. */
  let echo: net.Server;
  let echoPort: number;
  /** A server the policy never allows: nothing may ever connect to it. */
  let bystander: net.Server;
  let bystanderPort: number;
  let bystanderConnections = 0;
  let echoConnections = 0;

  const listen = async (server: net.Server): Promise<number> => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as net.AddressInfo).port;
  };
  const policy = (allow: string[]): SandboxPolicy => ({
    ...DEFAULT_SANDBOX_POLICY,
    timeoutMs: 20_000,
    network: { allow },
  });
  const run = async (
    options: Omit<SandboxRunOptions, 'componentCacheDir' | 'file'>,
  ): Promise<SandboxReport> => {
    const handle = startSandboxRun({ ...options, file: client, componentCacheDir: path.join(work, 'cache') });
    const report = await handle.done;
    assert.ok(handle.pid !== undefined && processGone(handle.pid), `sandbox process ${handle.pid} is gone`);
    return report;
  };

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-sockets-'));
    client = await buildCComponent({
      source: path.join(fixtures, 'src-sockets/client.c'),
      wit: path.join(fixtures, 'wit/client.wit'),
      world: 'client',
      outDir: work,
    });
    echo = net.createServer((socket) => {
      echoConnections++;
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => socket.end(`echo:${text.toUpperCase()}`));
    });
    bystander = net.createServer((socket) => {
      bystanderConnections++;
      socket.end('you should not be here');
    });
    echoPort = await listen(echo);
    bystanderPort = await listen(bystander);
  });
  after(async () => {
    await new Promise((resolve) => (echo ? echo.close(resolve) : resolve(undefined)));
    await new Promise((resolve) => (bystander ? bystander.close(resolve) : resolve(undefined)));
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('connects to an allowed endpoint, sends and reads until the peer closes', async () => {
    const before = echoConnections;
    const report = await run({
      policy: policy([`127.0.0.1:${echoPort}`]),
      networkConfirmed: true,
      args: ['127.0.0.1', String(echoPort), 'hello socket'],
    });
    assert.deepEqual(report.outcome, { kind: 'exit', code: 0 }, report.stdout.text);
    assert.equal(
      report.stdout.text,
      `connect 127.0.0.1:${echoPort}: connected\nreceived: echo:HELLO SOCKET\n`,
    );
    assert.deepEqual(report.violations, []);
    assert.equal(echoConnections, before + 1);
    assert.equal(report.hostCalls['wasi:sockets/tcp#[method]tcp-socket.start-connect'], 1);
    assert.equal(report.hostCalls['wasi:sockets/tcp#[method]tcp-socket.shutdown'], 1);
    assert.ok(report.hostCalls['wasi:io/streams#[method]input-stream.read'] >= 2);
  });

  it('looks up a name the policy allows and connects to what it resolved to', async () => {
    const report = await run({
      policy: policy([`localhost:${echoPort}`]),
      networkConfirmed: true,
      args: ['localhost', String(echoPort), 'by name'],
    });
    assert.deepEqual(report.outcome, { kind: 'exit', code: 0 }, report.stdout.text);
    // localhost may resolve to ::1 first, where nothing listens: refused, then 127.0.0.1.
    assert.match(
      report.stdout.text,
      new RegExp(`(^|\\n)connect 127\\.0\\.0\\.1:${echoPort}: connected\\nreceived: echo:BY NAME\\n$`),
    );
    assert.deepEqual(report.violations, []);
    assert.equal(report.hostCalls['wasi:sockets/ip-name-lookup#resolve-addresses'], 1);
  });

  it('denies an address outside the allow list with access-denied and a violation naming it', async () => {
    const before = bystanderConnections;
    const report = await run({
      policy: policy([`127.0.0.1:${echoPort}`]),
      networkConfirmed: true,
      args: ['127.0.0.1', String(bystanderPort), 'let me in'],
    });
    assert.deepEqual(report.outcome, { kind: 'exit', code: 1 });
    assert.equal(report.stdout.text, `connect 127.0.0.1:${bystanderPort}: error access-denied\n`);
    assert.deepEqual(
      report.violations.map((v) => [v.call, v.args.endpoint, v.reason]),
      [
        [
          'wasi:sockets/tcp#[method]tcp-socket.start-connect',
          `127.0.0.1:${bystanderPort}`,
          `127.0.0.1:${bystanderPort} is not in sandbox.network.allow`,
        ],
      ],
    );
    assert.equal(bystanderConnections, before, 'no connection reached the denied server');
  });

  it('looks up no name outside the allow list', async () => {
    const report = await run({
      policy: policy([`127.0.0.1:${echoPort}`]),
      networkConfirmed: true,
      args: ['localhost', String(bystanderPort), 'x'],
    });
    assert.deepEqual(report.outcome, { kind: 'exit', code: 1 });
    assert.equal(report.stdout.text, 'lookup localhost: error access-denied\n');
    assert.deepEqual(
      report.violations.map((v) => [v.call, v.args.endpoint]),
      [['wasi:sockets/ip-name-lookup#resolve-addresses', 'localhost']],
    );
  });

  it('connects nowhere until the run is confirmed, even to an allowed endpoint', async () => {
    const before = echoConnections;
    const report = await run({
      policy: policy([`127.0.0.1:${echoPort}`]),
      args: ['127.0.0.1', String(echoPort), 'x'],
    });
    assert.equal(report.stdout.text, `connect 127.0.0.1:${echoPort}: error access-denied\n`);
    assert.match(report.violations[0]?.reason ?? '', /not confirmed/);
    assert.equal(echoConnections, before);
  });

  it("passes a refused connection on as the spec's connection-refused", async () => {
    const closed = net.createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const report = await run({
      policy: policy([`127.0.0.1:${port}`]),
      networkConfirmed: true,
      args: ['127.0.0.1', String(port), 'x'],
    });
    assert.deepEqual(report.outcome, { kind: 'exit', code: 1 });
    assert.equal(report.stdout.text, `connect 127.0.0.1:${port}: error connection-refused\n`);
    assert.deepEqual(report.violations, []);
  });

  it('ends a component waiting on a peer that never answers at the time limit, leaving no process', async () => {
    const held: net.Socket[] = [];
    const silent = net.createServer((socket) => held.push(socket));
    const port = await listen(silent);
    try {
      const report = await run({
        policy: { ...policy([`127.0.0.1:${port}`]), timeoutMs: 1500 },
        networkConfirmed: true,
        args: ['127.0.0.1', String(port), 'anyone there?'],
      });
      assert.equal(report.outcome.kind, 'timeout');
      assert.match(
        report.stdout.text,
        new RegExp(`^connect 127\\.0\\.0\\.1:${port}: connected\\nreceived: `),
      );
      assert.ok(report.hostCalls['wasi:io/poll#[method]pollable.block'] >= 1, 'it was blocked waiting');
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  describe('UDP', () => {
    let udp: dgram.Socket;
    let udpPort: number;
    let heard: string[];
    before(async () => {
      heard = [];
      udp = dgram.createSocket('udp4');
      udp.on('message', (message, from) => {
        heard.push(message.toString());
        udp.send(`echo:${message.toString().toUpperCase()}`, from.port, from.address);
      });
      await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
      udpPort = udp.address().port;
    });
    after(() => udp.close());

    it('sends a datagram to an allowed endpoint and reads the answer', async () => {
      const report = await run({
        policy: policy([`127.0.0.1:${udpPort}`]),
        networkConfirmed: true,
        args: ['127.0.0.1', String(udpPort), 'over udp', 'udp'],
      });
      assert.deepEqual(report.outcome, { kind: 'exit', code: 0 }, report.stdout.text);
      assert.equal(report.stdout.text, `received: echo:OVER UDP from 127.0.0.1:${udpPort}\n`);
      assert.deepEqual(report.violations, []);
      assert.deepEqual(heard, ['over udp']);
      assert.equal(report.hostCalls['wasi:sockets/udp#[method]outgoing-datagram-stream.send'], 1);
    });

    it('denies a stream to an endpoint outside the allow list, sending nothing', async () => {
      const before = heard.length;
      const report = await run({
        policy: policy([`127.0.0.1:${udpPort + 1}`]),
        networkConfirmed: true,
        args: ['127.0.0.1', String(udpPort), 'let me in', 'udp'],
      });
      assert.deepEqual(report.outcome, { kind: 'exit', code: 1 });
      assert.equal(report.stdout.text, 'stream 127.0.0.1: error access-denied\n');
      assert.deepEqual(
        report.violations.map((v) => [v.call, v.args.endpoint]),
        [['wasi:sockets/udp#[method]udp-socket.stream', `127.0.0.1:${udpPort}`]],
      );
      assert.equal(heard.length, before, 'no datagram reached the server');
    });
  });
});
