/**
 * `wasi:http/types` and `wasi:http/outgoing-handler`, plus driving a handler's `incoming-handler`.
 * Outgoing requests are answered by the policy's `sandbox.http.mock` when it has the URL, go to
 * the network only when `sandbox.network.allow` lists the endpoint and the run was confirmed, and
 * are otherwise a violation; the component then gets `HTTP-request-denied`, as the spec defines.
 */
import { performance } from 'node:perf_hooks';
import { endpointAllowed } from '../networkAllow';
import { HTTP_BODY_LIMIT, type HttpExchange, type HttpMessage } from '../httpTypes';
import type { HttpMockResponse, HttpRequestSpec } from '../../../policy/httpSpec';
import { WitError, type HostContext } from './context';
import type { HostInterfaces } from './instrument';
import { bytesSource, InputStream, OutputStream, Pollable } from './io';
import { fetchSync } from './syncFetch';

type Variant = { tag: string; val?: unknown };

const METHODS = ['get', 'head', 'post', 'put', 'delete', 'connect', 'options', 'trace', 'patch'];
const methodVariant = (m: string): Variant =>
  METHODS.includes(m.toLowerCase()) ? { tag: m.toLowerCase() } : { tag: 'other', val: m };
const methodName = (v: Variant): string => (v.tag === 'other' ? String(v.val) : v.tag.toUpperCase());
const schemeName = (v: Variant | undefined): string =>
  !v ? 'https' : v.tag === 'other' ? String(v.val) : v.tag.toLowerCase();

const encoder = new TextEncoder();
const decode = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

export class Fields {
  private list: [string, Uint8Array][] = [];
  immutable = false;
  static fromList(entries: [string, Uint8Array][]): Fields {
    return Fields._of(entries);
  }
  /** The host's own constructor (not counted as the component's call). */
  static _of(entries: [string, Uint8Array][]): Fields {
    const f = new Fields();
    for (const [k, v] of entries) {
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(k)) throw new WitError({ tag: 'invalid-syntax' });
      f.list.push([k.toLowerCase(), v]);
    }
    return f;
  }
  private _mutable(): void {
    if (this.immutable) throw new WitError({ tag: 'immutable' });
  }
  get(name: string): Uint8Array[] {
    return this.list.filter(([k]) => k === name.toLowerCase()).map(([, v]) => v);
  }
  has(name: string): boolean {
    return this.list.some(([k]) => k === name.toLowerCase());
  }
  set(name: string, values: Uint8Array[]): void {
    this._mutable();
    this.delete(name);
    for (const v of values) this.list.push([name.toLowerCase(), v]);
  }
  delete(name: string): void {
    this._mutable();
    this.list = this.list.filter(([k]) => k !== name.toLowerCase());
  }
  append(name: string, value: Uint8Array): void {
    this._mutable();
    this.list.push([name.toLowerCase(), value]);
  }
  entries(): [string, Uint8Array][] {
    return this.list.map(([k, v]) => [k, v]);
  }
  clone(): Fields {
    const f = new Fields();
    f.list = this.entries();
    return f;
  }
  _text(): [string, string][] {
    return this.list.map(([k, v]) => [k, decode(v)]);
  }
}

/** A body being written by the component (outgoing request or response). */
export class OutgoingBody {
  readonly chunks: Uint8Array[] = [];
  finished = false;
  private stream?: OutputStream;
  write(): OutputStream {
    if (this.stream) throw new WitError(undefined);
    this.stream = new OutputStream({
      write: (bytes) => {
        this.chunks.push(bytes.slice());
        return undefined;
      },
    });
    return this.stream;
  }
  static finish(body: OutgoingBody): void {
    body.finished = true;
  }
  _bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

class FutureTrailers {
  subscribe(): Pollable {
    return new Pollable();
  }
  get(): unknown {
    return { tag: 'ok', val: { tag: 'ok', val: undefined } };
  }
}

/** A body the component reads (an incoming request or response). */
export class IncomingBody {
  private taken = false;
  constructor(private readonly data: Uint8Array) {}
  stream(): InputStream {
    if (this.taken) throw new WitError(undefined);
    this.taken = true;
    return new InputStream(bytesSource(this.data));
  }
  static finish(): FutureTrailers {
    return new FutureTrailers();
  }
}

export class IncomingRequest {
  private consumed = false;
  constructor(
    private readonly spec: HttpRequestSpec,
    private readonly fields: Fields,
  ) {}
  method(): Variant {
    return methodVariant(this.spec.method);
  }
  pathWithQuery(): string | undefined {
    return this.spec.path;
  }
  scheme(): Variant | undefined {
    return { tag: 'HTTP' };
  }
  authority(): string | undefined {
    return 'localhost';
  }
  headers(): Fields {
    return this.fields;
  }
  consume(): IncomingBody {
    if (this.consumed) throw new WitError(undefined);
    this.consumed = true;
    return new IncomingBody(encoder.encode(this.spec.body));
  }
}

export class OutgoingResponse {
  status = 200;
  readonly outBody = new OutgoingBody();
  private bodyTaken = false;
  constructor(readonly fields: Fields) {
    fields.immutable = true;
  }
  statusCode(): number {
    return this.status;
  }
  setStatusCode(code: number): void {
    if (code < 100 || code > 999) throw new WitError(undefined);
    this.status = code;
  }
  headers(): Fields {
    return this.fields;
  }
  body(): OutgoingBody {
    if (this.bodyTaken) throw new WitError(undefined);
    this.bodyTaken = true;
    return this.outBody;
  }
}

export class ResponseOutparam {
  result?: { response?: OutgoingResponse; error?: Variant };
  static set(param: ResponseOutparam, response: { tag: 'ok' | 'err'; val: unknown }): void {
    param.result =
      response.tag === 'ok'
        ? { response: response.val as OutgoingResponse }
        : { error: response.val as Variant };
  }
}

export class OutgoingRequest {
  private methodValue: Variant = { tag: 'get' };
  private path?: string;
  private schemeValue?: Variant;
  private authorityValue?: string;
  readonly outBody = new OutgoingBody();
  private bodyTaken = false;
  constructor(readonly fields: Fields) {
    fields.immutable = true;
  }
  body(): OutgoingBody {
    if (this.bodyTaken) throw new WitError(undefined);
    this.bodyTaken = true;
    return this.outBody;
  }
  method(): Variant {
    return this.methodValue;
  }
  setMethod(m: Variant): void {
    this.methodValue = m;
  }
  pathWithQuery(): string | undefined {
    return this.path;
  }
  setPathWithQuery(p?: string): void {
    this.path = p;
  }
  scheme(): Variant | undefined {
    return this.schemeValue;
  }
  setScheme(s?: Variant): void {
    this.schemeValue = s;
  }
  authority(): string | undefined {
    return this.authorityValue;
  }
  setAuthority(a?: string): void {
    this.authorityValue = a;
  }
  headers(): Fields {
    return this.fields;
  }
  _url(): string {
    return `${schemeName(this.schemeValue)}://${this.authorityValue ?? ''}${this.path ?? '/'}`;
  }
  _methodText(): string {
    return methodName(this.methodValue);
  }
}

class RequestOptions {
  private values: Record<string, bigint | undefined> = {};
  connectTimeout(): bigint | undefined {
    return this.values.connect;
  }
  setConnectTimeout(d?: bigint): void {
    this.values.connect = d;
  }
  firstByteTimeout(): bigint | undefined {
    return this.values.first;
  }
  setFirstByteTimeout(d?: bigint): void {
    this.values.first = d;
  }
  betweenBytesTimeout(): bigint | undefined {
    return this.values.between;
  }
  setBetweenBytesTimeout(d?: bigint): void {
    this.values.between = d;
  }
}

export class IncomingResponse {
  constructor(
    private readonly statusValue: number,
    private readonly fields: Fields,
    private readonly data: Uint8Array,
  ) {
    fields.immutable = true;
  }
  status(): number {
    return this.statusValue;
  }
  headers(): Fields {
    return this.fields;
  }
  consume(): IncomingBody {
    return new IncomingBody(this.data);
  }
}

class FutureIncomingResponse {
  private taken = false;
  constructor(private readonly outcome: { response?: IncomingResponse; error?: Variant }) {}
  subscribe(): Pollable {
    return new Pollable();
  }
  get(): unknown {
    if (this.taken) return { tag: 'err', val: undefined };
    this.taken = true;
    return this.outcome.response
      ? { tag: 'ok', val: { tag: 'ok', val: this.outcome.response } }
      : { tag: 'ok', val: { tag: 'err', val: this.outcome.error } };
  }
}

export function message(headers: [string, string][], body: Uint8Array): HttpMessage {
  return { headers, body: decode(body.subarray(0, HTTP_BODY_LIMIT)), bodyBytes: body.byteLength };
}

export function httpInterfaces(ctx: HostContext, mock: Record<string, HttpMockResponse>): HostInterfaces {
  const handle = (request: OutgoingRequest): FutureIncomingResponse => {
    const began = performance.now();
    const url = request._url();
    const method = request._methodText();
    const body = request.outBody._bytes();
    const exchange: HttpExchange = {
      direction: 'outgoing',
      method,
      url,
      request: message(request.fields._text(), body),
      ms: 0,
    };
    ctx.exchanges.push(exchange);
    const done = (outcome: { response?: IncomingResponse; error?: Variant }): FutureIncomingResponse => {
      exchange.ms = performance.now() - began;
      return new FutureIncomingResponse(outcome);
    };
    const canned = mock[url] ?? mock[`${method} ${url}`];
    if (canned) {
      exchange.answeredBy = 'mock';
      const bytes = encoder.encode(canned.body);
      const headers = Object.entries(canned.headers);
      exchange.response = { status: canned.status, ...message(headers, bytes) };
      const fields = Fields._of(headers.map(([k, v]) => [k, encoder.encode(v)]));
      return done({ response: new IncomingResponse(canned.status, fields, bytes) });
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      exchange.error = 'not a valid URL';
      throw new WitError({ tag: 'HTTP-request-URI-invalid' });
    }
    const port = Number(parsed.port) || (parsed.protocol === 'https:' ? 443 : 80);
    const endpoint = `${parsed.hostname}:${port}`;
    const allowed = endpointAllowed(ctx.policy.network.allow, parsed.hostname, port);
    if (!allowed || !ctx.networkConfirmed) {
      exchange.answeredBy = 'denied';
      exchange.error = allowed
        ? `${endpoint} is allowed by the policy but the run was not confirmed for network access`
        : `${endpoint} is not in sandbox.network.allow`;
      ctx.violation({
        call: 'wasi:http/outgoing-handler#handle',
        args: { method, url, endpoint },
        reason: exchange.error,
      });
      throw new WitError({ tag: 'HTTP-request-denied' });
    }
    exchange.answeredBy = 'network';
    const result = fetchSync({ url, method, headers: request.fields._text(), body });
    if (result.error !== undefined || result.status === undefined) {
      exchange.error = result.error ?? 'no response';
      return done({ error: { tag: 'internal-error', val: exchange.error } });
    }
    const bytes = result.body ?? new Uint8Array(0);
    const headers = result.headers ?? [];
    exchange.response = { status: result.status, ...message(headers, bytes) };
    const fields = Fields._of(headers.map(([k, v]) => [k, encoder.encode(v)]));
    return done({ response: new IncomingResponse(result.status, fields, bytes) });
  };

  return {
    'wasi:http/types': {
      functions: { httpErrorCode: () => undefined },
      resources: {
        Fields,
        IncomingRequest,
        OutgoingRequest,
        RequestOptions,
        ResponseOutparam,
        IncomingResponse,
        IncomingBody,
        FutureTrailers,
        OutgoingResponse,
        OutgoingBody,
        FutureIncomingResponse,
      },
    },
    'wasi:http/outgoing-handler': { functions: { handle } },
  };
}

/** Sends one request to the component's incoming handler and records the exchange. */
export function sendIncoming(
  handler: { handle(request: IncomingRequest, out: ResponseOutparam): void },
  spec: HttpRequestSpec,
  into: HttpExchange[],
): void {
  const began = performance.now();
  const headers = Object.entries(spec.headers);
  const fields = Fields._of(headers.map(([k, v]) => [k, encoder.encode(v)]));
  fields.immutable = true;
  const out = new ResponseOutparam();
  const exchange: HttpExchange = {
    direction: 'incoming',
    method: spec.method.toUpperCase(),
    url: spec.path,
    request: message(headers, encoder.encode(spec.body)),
    ms: 0,
  };
  into.push(exchange);
  try {
    handler.handle(new IncomingRequest(spec, fields), out);
  } finally {
    exchange.ms = performance.now() - began;
    const response = out.result?.response;
    if (response)
      exchange.response = {
        status: response.status,
        ...message(response.fields._text(), response.outBody._bytes()),
      };
    else
      exchange.error = out.result?.error
        ? `the handler answered with an error: ${JSON.stringify(out.result.error, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`
        : 'the handler set no response';
  }
}
