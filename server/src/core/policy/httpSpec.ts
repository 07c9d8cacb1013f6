/** What a policy says about HTTP previews: the requests sent to a handler, and canned answers. */

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
