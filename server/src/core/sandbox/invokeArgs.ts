/**
 * Turns the user's text arguments into wasm values for an exported function, by its parameter
 * types, and its results back into text. Errors say which argument is wrong and why.
 */

export type WasmValue = number | bigint;

export function parseWasmArgs(types: string[], args: string[]): WasmValue[] | { error: string } {
  if (args.length !== types.length) {
    return {
      error: `expects ${types.length} argument${types.length === 1 ? '' : 's'} (${types.join(', ') || 'none'}), got ${args.length}`,
    };
  }
  const values: WasmValue[] = [];
  for (let i = 0; i < types.length; i++) {
    const text = args[i].trim();
    const type = types[i];
    const where = `argument ${i + 1} (${type}) "${args[i]}"`;
    if (type === 'i32' || type === 'i64') {
      if (!/^[-+]?(0x[0-9a-f]+|\d+)$/i.test(text)) return { error: `${where} is not an integer` };
      const negative = text.startsWith('-');
      const big = BigInt(text.replace(/^[-+]/, ''));
      const value = negative ? -big : big;
      const bits = type === 'i32' ? 32n : 64n;
      if (value < -(1n << (bits - 1n)) || value >= 1n << bits)
        return { error: `${where} does not fit in ${bits} bits` };
      values.push(type === 'i32' ? Number(BigInt.asIntN(32, value)) : BigInt.asIntN(64, value));
    } else if (type === 'f32' || type === 'f64') {
      const value =
        text === 'nan' ? NaN : text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);
      if (text === '' || Number.isNaN(value) !== (text === 'nan'))
        return { error: `${where} is not a number` };
      values.push(value);
    } else {
      return { error: `${where}: parameters of type ${type} cannot be given from the command line` };
    }
  }
  return values;
}

export function formatWasmResults(result: unknown, count: number): string[] {
  if (count === 0) return [];
  const values = count === 1 ? [result] : Array.isArray(result) ? result : [result];
  return values.map((v) =>
    typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? String(v) : v === null ? 'null' : typeof v,
  );
}
