/** Hand-encoded WebAssembly pieces for tests: LEB128, custom sections, a component around a core module. */

export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

/** Appends a custom section to a module, as a linker would. */
export function withCustomSection(module: Uint8Array, name: string, payload: Uint8Array): Uint8Array {
  const nameBytes = [...Buffer.from(name)];
  const body = [...leb(nameBytes.length), ...nameBytes, ...payload];
  return Uint8Array.from([...module, 0, ...leb(body.length), ...body]);
}

/** A component nesting `core` and importing the given instances by name (instance type 0). */
export function componentWrapping(core: Uint8Array, imports: string[]): Uint8Array {
  const section = (id: number, payload: number[]): number[] => [id, ...leb(payload.length), ...payload];
  const importEntries = imports.flatMap((name) => {
    const bytes = [...Buffer.from(name)];
    return [0x00, ...leb(bytes.length), ...bytes, 0x05, 0x00]; // plain name, instance of type 0
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00],
    ...section(1, [...core]),
    ...(imports.length ? section(10, [...leb(imports.length), ...importEntries]) : []),
  ]);
}
