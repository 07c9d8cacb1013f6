/**
 * The sandbox's one way to the network: a worker thread that does the I/O (fetch, TCP and UDP
 * sockets, DNS lookups) while the sandbox thread, whose WASI 0.2 calls are synchronous, waits on a shared
 * buffer. Only the host's policy checks decide what is asked of it. The worker is started only for
 * runs whose policy allows endpoints and that were confirmed (the sandbox process then gets
 * `--allow-worker`), and ends with the run, closing every socket.
 */
import { Worker } from 'node:worker_threads';

export interface NetReply {
  /** What the operation answers; `error` is a Node error code or message. */
  head: Record<string, unknown> & { error?: string };
  body: Uint8Array;
}

/** Room for the reply's JSON head before its bytes. */
const HEAD_BYTES = 65536;
/** A reply that does not come in this time is an error (the run's wall clock is the real bound). */
const REPLY_LIMIT_MS = 90_000;

const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const net = require('node:net');
const dns = require('node:dns');
const dgram = require('node:dgram');
const HEAD = ${HEAD_BYTES};
const HIGH_WATER = 1 << 20;
const sockets = new Map();
const waiters = new Set();
let nextId = 1;
const empty = new Uint8Array(0);
const codeOf = (e) => (e && (e.code || (e.cause && (e.cause.code || e.cause.message)) || e.message)) || String(e);
const readable = (id) => {
  const s = sockets.get(id);
  return !s || (s.queue ? s.queue.length > 0 : s.size > 0) || s.ended || s.error !== undefined;
};
const wake = () => { for (const w of [...waiters]) w(); };
function take(s, max) {
  const parts = [];
  let n = 0;
  while (s.chunks.length && n < max) {
    const c = s.chunks[0];
    const part = c.subarray(0, max - n);
    parts.push(part);
    n += part.length;
    if (part.length === c.length) s.chunks.shift(); else s.chunks[0] = c.subarray(part.length);
  }
  s.size -= n;
  if (s.size <= HIGH_WATER && !s.ended) s.sock.resume();
  return Buffer.concat(parts);
}
const ops = {
  async fetch({ request }, bytes, room) {
    let response;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: bytes.byteLength ? bytes : undefined,
        redirect: 'manual',
      });
    } catch (e) {
      return { head: { error: String((e && e.cause && (e.cause.message || e.cause)) || e) } };
    }
    let body = new Uint8Array(await response.arrayBuffer());
    if (body.byteLength > room) body = body.subarray(0, room);
    return { head: { status: response.status, headers: [...response.headers] }, body };
  },
  connect({ host, port, timeoutMs }) {
    return new Promise((resolve) => {
      const sock = net.connect({ host, port });
      const s = { sock, chunks: [], size: 0, ended: false, error: undefined };
      let id;
      const timer = setTimeout(() => { sock.destroy(); resolve({ head: { error: 'ETIMEDOUT' } }); }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        id = nextId++;
        sockets.set(id, s);
        resolve({ head: { id, localAddress: sock.localAddress, localPort: sock.localPort } });
      });
      sock.on('error', (e) => {
        clearTimeout(timer);
        if (id === undefined) resolve({ head: { error: codeOf(e) } });
        s.error = codeOf(e);
        wake();
      });
      sock.on('data', (d) => {
        if (s.discard) return;
        s.chunks.push(d);
        s.size += d.length;
        if (s.size > HIGH_WATER) sock.pause();
        wake();
      });
      sock.on('end', () => { s.ended = true; wake(); });
      sock.on('close', () => { s.ended = true; wake(); });
    });
  },
  read({ id, max }) {
    const s = sockets.get(id);
    if (!s) return { head: { closed: true } };
    if (s.size > 0) return { head: {}, body: take(s, max) };
    if (s.error !== undefined) return { head: { error: s.error } };
    if (s.ended) return { head: { closed: true } };
    return { head: {} };
  },
  ready({ ids }) {
    return { head: { ready: ids.filter(readable) } };
  },
  wait({ ids, timeoutMs }) {
    return new Promise((resolve) => {
      const check = () => {
        const ready = ids.filter(readable);
        if (!ready.length) return;
        finish(ready);
      };
      const finish = (ready) => { waiters.delete(check); clearTimeout(timer); resolve({ head: { ready } }); };
      const timer = setTimeout(() => finish([]), Math.max(0, timeoutMs));
      waiters.add(check);
      check();
    });
  },
  write({ id }, bytes) {
    const s = sockets.get(id);
    if (!s) return { head: { error: 'EPIPE' } };
    if (s.error !== undefined) return { head: { error: s.error } };
    return new Promise((resolve) => s.sock.write(bytes, (e) => resolve({ head: e ? { error: codeOf(e) } : {} })));
  },
  shutdown({ id, send, receive }) {
    const s = sockets.get(id);
    if (!s) return { head: {} };
    if (send) s.sock.end();
    if (receive) { s.discard = true; s.chunks = []; s.size = 0; s.ended = true; s.sock.resume(); }
    return { head: {} };
  },
  udpOpen({ family, address, port, remoteHost, remotePort }) {
    return new Promise((resolve) => {
      const sock = dgram.createSocket(family === 'ipv6' ? 'udp6' : 'udp4');
      const s = { sock, queue: [], bytes: 0, error: undefined };
      let id;
      const fail = (e) => {
        if (id === undefined) { sock.close(); resolve({ head: { error: codeOf(e) } }); }
        else { s.error = codeOf(e); wake(); }
      };
      sock.on('error', fail);
      sock.on('message', (data, from) => {
        // Datagrams past the bound are dropped, as a full receive buffer would.
        if (s.queue.length >= 1024 || s.bytes + data.length > HIGH_WATER) return;
        s.queue.push({ data, address: from.address, port: from.port });
        s.bytes += data.length;
        wake();
      });
      sock.bind({ address, port }, () => {
        const opened = () => {
          id = nextId++;
          sockets.set(id, s);
          const local = sock.address();
          resolve({ head: { id, localAddress: local.address, localPort: local.port } });
        };
        if (remoteHost === undefined) opened();
        else sock.connect(remotePort, remoteHost, (e) => (e ? fail(e) : opened()));
      });
    });
  },
  udpSend({ id, host, port }, bytes) {
    const s = sockets.get(id);
    if (!s) return { head: { error: 'EBADF' } };
    return new Promise((resolve) => {
      const done = (e) => resolve({ head: e ? { error: codeOf(e) } : {} });
      if (host === undefined) s.sock.send(bytes, done);
      else s.sock.send(bytes, port, host, done);
    });
  },
  udpReceive({ id, max }) {
    const s = sockets.get(id);
    if (!s) return { head: { datagrams: [] } };
    if (!s.queue.length && s.error !== undefined) return { head: { error: s.error } };
    const taken = s.queue.splice(0, max);
    for (const d of taken) s.bytes -= d.data.length;
    return {
      head: { datagrams: taken.map((d) => ({ address: d.address, port: d.port, length: d.data.length })) },
      body: Buffer.concat(taken.map((d) => d.data)),
    };
  },
  close({ id }) {
    const s = sockets.get(id);
    if (s) s.queue ? s.sock.close() : s.sock.destroy();
    sockets.delete(id);
    return { head: {} };
  },
  lookup({ name }) {
    return new Promise((resolve) =>
      dns.lookup(name, { all: true, verbatim: true }, (e, addresses) =>
        resolve({ head: e ? { error: codeOf(e) } : { addresses } }),
      ),
    );
  },
};
parentPort.on('message', async ({ op, args, bytes, control, data }) => {
  let reply;
  try {
    reply = await ops[op](args, bytes, data.byteLength - HEAD);
  } catch (e) {
    reply = { head: { error: codeOf(e) } };
  }
  const body = reply.body || empty;
  const text = new TextEncoder().encode(JSON.stringify({ ...reply.head, bodyBytes: body.byteLength }));
  new DataView(data).setUint32(0, text.byteLength, true);
  new Uint8Array(data).set(text.subarray(0, HEAD - 4), 4);
  new Uint8Array(data).set(body, HEAD);
  Atomics.store(new Int32Array(control), 0, 1);
  Atomics.notify(new Int32Array(control), 0);
});
`;

let worker: Worker | undefined;

/**
 * Runs one operation on the network worker and waits for its answer. `maxBody`: the most bytes
 * the answer may carry (larger bodies are cut).
 */
export function netCall(
  op:
    | 'fetch'
    | 'connect'
    | 'read'
    | 'ready'
    | 'wait'
    | 'write'
    | 'shutdown'
    | 'close'
    | 'lookup'
    | 'udpOpen'
    | 'udpSend'
    | 'udpReceive',
  args: Record<string, unknown>,
  options: { bytes?: Uint8Array; maxBody?: number } = {},
): NetReply {
  const empty = new Uint8Array(0);
  try {
    if (!worker) {
      worker = new Worker(WORKER_CODE, { eval: true });
      worker.unref();
    }
  } catch (error) {
    return {
      head: { error: `the sandbox cannot reach the network: ${(error as Error).message}` },
      body: empty,
    };
  }
  const control = new SharedArrayBuffer(4);
  const data = new SharedArrayBuffer(HEAD_BYTES + (options.maxBody ?? 0));
  worker.postMessage({ op, args, bytes: options.bytes ?? empty, control, data });
  const flag = new Int32Array(control);
  if (Atomics.wait(flag, 0, 0, REPLY_LIMIT_MS) === 'timed-out')
    return { head: { error: 'ETIMEDOUT' }, body: empty };
  const length = new DataView(data).getUint32(0, true);
  const head = JSON.parse(
    Buffer.from(new Uint8Array(data, 4, length)).toString('utf8'),
  ) as NetReply['head'] & {
    bodyBytes: number;
  };
  return { head, body: new Uint8Array(data, HEAD_BYTES, head.bodyBytes).slice() };
}

/** Ends the worker and with it every socket the run opened. */
export function stopNetWorker(): void {
  void worker?.terminate();
  worker = undefined;
}
