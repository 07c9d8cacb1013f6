/**
 * The bytes the sandbox runs: a `.wasm` as it is, a `.wat` compiled first. Failures are values
 * with a message, never exceptions.
 */
import { promises as fsp } from 'node:fs';
import wabtInit from 'wabt';

// TODO(integration): use compileWat from core/wat/compile.ts once it exists (one place for wabt).
type Wabt = Awaited<ReturnType<typeof wabtInit>>;
let wabt: Promise<Wabt> | undefined;

export async function compileWatForSandbox(
  text: string,
  filename: string,
): Promise<Uint8Array | { error: string }> {
  try {
    const w = await (wabt ??= wabtInit());
    const parsed = w.parseWat(filename, text, {
      multi_value: true,
      bulk_memory: true,
      mutable_globals: true,
      sign_extension: true,
      sat_float_to_int: true,
      reference_types: true,
      simd: true,
    });
    try {
      parsed.resolveNames();
      parsed.validate();
      return parsed.toBinary({ log: false }).buffer;
    } finally {
      parsed.destroy();
    }
  } catch (error) {
    return { error: `cannot compile ${filename}: ${(error as Error).message}` };
  }
}

export async function readModuleBytes(file: string): Promise<Uint8Array | { error: string }> {
  let data: Buffer;
  try {
    data = await fsp.readFile(file);
  } catch (error) {
    return {
      error: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  }
  if (/\.wat$/i.test(file)) return compileWatForSandbox(data.toString('utf8'), file);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
