/**
 * The `.wasm` text view's documents live at `wasm-warden:/path/to/module.wasm.wat` (see
 * client/src/wasmView/uris.ts). The server maps them back to the `.wasm` file they show.
 */
import { pathToFileURL } from 'node:url';

export const WASM_VIEW_SCHEME = 'wasm-warden';

export function isViewUri(uri: string): boolean {
  return uri.startsWith(`${WASM_VIEW_SCHEME}:`);
}

/** The `file:` URI of the module a view shows, or undefined for anything else. */
export function fileUriOfView(uri: string): string | undefined {
  if (!isViewUri(uri)) return undefined;
  try {
    const file = decodeURIComponent(new URL(uri).pathname).replace(/\.wat$/, '');
    return pathToFileURL(file).href;
  } catch {
    return undefined;
  }
}
