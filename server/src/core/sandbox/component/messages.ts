/** What the parent sends the sandbox process to run a component (inside `StartMessage`). */
import type { HttpMockResponse, HttpRequestSpec } from '../../policy/httpSpec';

export interface ComponentStart {
  /** jco's glue (`component.js`, instantiation mode). */
  js: string;
  coreModules: Record<string, Uint8Array>;
  /** Interfaces imported, without versions. */
  imports: string[];
  exports: string[];
  /** Requests for a `wasi:http/proxy` component (default `GET /`). */
  requests: HttpRequestSpec[];
  mock: Record<string, HttpMockResponse>;
  /** Outgoing requests to allowed endpoints may go to the network. */
  networkConfirmed: boolean;
}
