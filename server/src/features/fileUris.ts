/** `file:` URIs and the paths behind them, for every feature that reads files a client names. */
import { fileURLToPath } from 'node:url';

/** The path of a `file:` URI, or undefined for any other scheme or a malformed URI. */
export function uriToPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

export function isWasmUri(uri: string): boolean {
  return /\.wasm$/i.test(uri);
}
