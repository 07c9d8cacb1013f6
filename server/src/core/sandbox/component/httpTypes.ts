/** HTTP requests a preview sends to a handler component, and what the report records of them. */
import type { HttpRequestSpec } from '../../policy/httpSpec';

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
