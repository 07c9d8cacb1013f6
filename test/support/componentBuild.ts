/**
 * Builds a WASI 0.2 component from C in a test, offline: Debian's clang and wasi-libc compile the
 * C (written against the canonical ABI, no WASI preview1), and jco-transpile's wasm-tools embeds
 * the WIT and makes the component.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ComponentTools {
  componentEmbed(options: { binary: Uint8Array; witSource: string; world: string }): Promise<Uint8Array>;
  componentNew(binary: Uint8Array): Promise<Uint8Array>;
}

/** `source` (C) with `wit` (its world `world`) into `<outDir>/<name>.component.wasm`; returns that path. */
export async function buildCComponent(options: {
  source: string;
  wit: string;
  world: string;
  outDir: string;
}): Promise<string> {
  const name = path.basename(options.source, '.c');
  const core = path.join(options.outDir, `${name}.core.wasm`);
  const cc = spawnSync(
    'clang',
    // A library (no crt1, no main): its exports come from the source.
    [
      '--target=wasm32-wasi',
      '--sysroot=/usr',
      '-O2',
      '-nostdlib',
      '-Wl,--no-entry',
      options.source,
      '-L/usr/lib/wasm32-wasi',
      '-lc',
      '-o',
      core,
    ],
    { encoding: 'utf8' },
  );
  if (cc.status !== 0)
    throw new Error(`clang (Debian clang, lld, wasi-libc) failed: ${cc.stderr || cc.error}`);
  const tools = (await import('@bytecodealliance/jco-transpile/wasm-tools')) as unknown as ComponentTools;
  const embedded = await tools.componentEmbed({
    binary: fs.readFileSync(core),
    witSource: fs.readFileSync(options.wit, 'utf8'),
    world: options.world,
  });
  const component = await tools.componentNew(embedded);
  const file = path.join(options.outDir, `${name}.component.wasm`);
  fs.writeFileSync(file, component);
  return file;
}
