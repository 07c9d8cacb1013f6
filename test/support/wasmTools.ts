/**
 * The reference reader for components: wasm-tools, as @bytecodealliance/jco-transpile ships it
 * (a component itself, transpiled to JS). Tests compare the product's decoding with it.
 */
export interface WasmTools {
  parse(wat: string): Promise<Uint8Array>;
  print(binary: Uint8Array): Promise<string>;
  componentWit(binary: Uint8Array): Promise<string>;
}

export function wasmTools(): Promise<WasmTools> {
  return import('@bytecodealliance/jco-transpile/wasm-tools') as Promise<WasmTools>;
}
