/**
 * A blocking HTTP request for the sandbox thread, done by the network worker. Redirects are not
 * followed, so the component sees each hop and each is checked.
 */
import { netCall } from './netWorker';

export interface FetchResult {
  status?: number;
  headers?: [string, string][];
  body?: Uint8Array;
  error?: string;
}

/** Largest response body the sandbox accepts from the network. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export function fetchSync(request: {
  url: string;
  method: string;
  headers: [string, string][];
  body: Uint8Array;
}): FetchResult {
  const { url, method, headers } = request;
  const reply = netCall(
    'fetch',
    { request: { url, method, headers } },
    { bytes: request.body, maxBody: MAX_RESPONSE_BYTES },
  );
  if (reply.head.error !== undefined) return { error: reply.head.error };
  return {
    status: reply.head.status as number,
    headers: reply.head.headers as [string, string][],
    body: reply.body,
  };
}
