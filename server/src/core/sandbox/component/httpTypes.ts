/** HTTP requests a preview sends to a handler component, and what the report records of them. */

/** One request for a `wasi:http/proxy` component (`sandbox.http.requests` in the policy). */
export interface HttpRequestSpec {
  method: string;
  /** Path and query, e.g. `/items?id=1`. */
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A canned answer for an outgoing request (`sandbox.http.mock`, keyed by URL). */
export interface HttpMockResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpMessage {
  headers: [string, string][];
  /** Decoded as UTF-8 (bodies are capped). */
  body: string;
  bodyBytes: number;
}

export interface HttpExchange {
  /** `incoming`: a request the preview sent to the component; `outgoing`: one the component made. */
  direction: 'incoming' | 'outgoing';
  method: string;
  /** Path (incoming) or full URL (outgoing). */
  url: string;
  request: HttpMessage;
  response?: HttpMessage & { status: number };
  /** Who answered an outgoing request. */
  answeredBy?: 'network' | 'mock' | 'denied';
  /** Why there is no response (denied, the handler trapped or set an error, a network failure). */
  error?: string;
  ms: number;
}

export const DEFAULT_HTTP_REQUESTS: HttpRequestSpec[] = [{ method: 'GET', path: '/', headers: {}, body: '' }];

/** Bodies kept per message in the report. */
export const HTTP_BODY_LIMIT = 64 * 1024;
