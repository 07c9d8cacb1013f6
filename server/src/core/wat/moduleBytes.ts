/**
 * A module's bytes from a file, for the sandbox, signing and policy generation: a `.wasm` as it is,
 * a `.wat` compiled first (compile.ts).
 * Failures are values with a message, never exceptions.
 */
import { promises as fsp } from 'node:fs';
import { compileWat } from './compile';
import { isComponentText, parseComponentText } from '../jco/componentTools';

export async function compileWatForSandbox(
  text: string,
  filename: string,
): Promise<Uint8Array | { error: string }> {
  // wabt knows core modules only: component text goes through wasm-tools.
  if (isComponentText(text)) return parseComponentText(text, filename);
  const compiled = await compileWat(text, filename);
  if (compiled.bytes) return compiled.bytes;
  const first = compiled.findings.find((f) => f.severity === 'error') ?? compiled.findings[0];
  const where =
    first?.location.kind === 'text'
      ? `:${first.location.start.line + 1}:${first.location.start.character + 1}`
      : '';
  return { error: `cannot compile ${filename}${where}: ${first?.message ?? 'wabt could not compile it'}` };
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
