/** The product version, injected from package.json at build time (falls back for unbundled tests). */
declare const __WASM_WARDEN_VERSION__: string | undefined;
export const VERSION: string =
  typeof __WASM_WARDEN_VERSION__ === 'string' ? __WASM_WARDEN_VERSION__ : '0.0.0-dev';
