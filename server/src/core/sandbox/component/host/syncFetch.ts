/**
 * A blocking HTTP request for the sandbox thread: WASI 0.2 calls are synchronous here, so a
 * worker thread does the `fetch` and the sandbox thread waits on a shared buffer. The worker is
 * started only for runs whose policy allows network endpoints (the sandbox process then gets
 * `--allow-worker`); redirects are not followed, so the component sees each hop and each is checked.
 */
import { Worker } from 'node:worker_threads';

export interface FetchResult {
  status?: number;
  headers?: [string, string][];
  body?: Uint8Array;
  error?: string;
}

/** Largest response body the sandbox accepts from the network. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const WAIT_LIMIT_MS = 60_000;

const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', async ({ request, control, data }) => {
  const flag = new Int32Array(control);
  const out = new Uint8Array(data);
  let head;
  let body = new Uint8Array(0);
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body.byteLength ? request.body : undefined,
      redirect: 'manual',
    });
    body = new Uint8Array(await response.arrayBuffer());
    if (body.byteLength > out.byteLength - 65536) body = body.subarray(0, out.byteLength - 65536);
    head = { status: response.status, headers: [...response.headers], bodyBytes: body.byteLength };
  } catch (error) {
    head = { error: String(error && error.cause ? error.cause.message || error.cause : error) };
  }
  const text = new TextEncoder().encode(JSON.stringify(head));
  new DataView(data).setUint32(0, text.byteLength, true);
  out.set(text.subarray(0, 65528), 4);
  out.set(body, 65536);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

let worker: Worker | undefined;

export function fetchSync(request: {
  url: string;
  method: string;
  headers: [string, string][];
  body: Uint8Array;
}): FetchResult {
  try {
    worker ??= new Worker(WORKER_CODE, { eval: true });
    worker.unref();
  } catch (error) {
    return { error: `the sandbox cannot reach the network: ${(error as Error).message}` };
  }
  const control = new SharedArrayBuffer(4);
  const data = new SharedArrayBuffer(MAX_RESPONSE_BYTES + 65536);
  worker.postMessage({ request, control, data });
  const flag = new Int32Array(control);
  if (Atomics.wait(flag, 0, 0, WAIT_LIMIT_MS) === 'timed-out') return { error: 'no response in time' };
  const length = new DataView(data).getUint32(0, true);
  const head = JSON.parse(Buffer.from(new Uint8Array(data, 4, length)).toString('utf8')) as {
    status?: number;
    headers?: [string, string][];
    bodyBytes?: number;
    error?: string;
  };
  if (head.error !== undefined) return { error: head.error };
  return {
    status: head.status,
    headers: head.headers,
    body: new Uint8Array(data, 65536, head.bodyBytes ?? 0).slice(),
  };
}

export function stopFetchWorker(): void {
  void worker?.terminate();
  worker = undefined;
}
