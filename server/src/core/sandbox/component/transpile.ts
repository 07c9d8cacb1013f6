/**
 * Turns a component into what the sandbox process runs (jco's JavaScript glue and core modules),
 * once per component: the result is cached by the component's SHA-256 outside the workspace
 * (`$XDG_CACHE_HOME/wasm-warden/components`), so only the first run pays for bindgen. Bindgen runs
 * in its own process (core/jco/worker.ts, run by core/jco/componentTools.ts, which a wall clock can kill).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { defaultTranspilerScript, runTranspiler } from '../../jco/componentTools';

/** Part of the cache key: a new bindgen makes new glue. Checked against node_modules by a test. */
export const BINDGEN_VERSION = 'jco-transpile-0.15.0';
/** Bindgen is given this long before it is killed. */

export interface TranspiledComponent {
  /** `component.js`: exports `instantiate(getCoreModule, imports, instantiateCore)`. */
  js: string;
  coreModules: Record<string, Uint8Array>;
  /** Interfaces the component imports, without versions. */
  imports: string[];
  exports: string[];
  digest: string;
  /** Milliseconds bindgen took (0 when the cache answered). */
  transpileMs: number;
  cached: boolean;
}

export function defaultComponentCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'wasm-warden', 'components');
}

interface Manifest {
  bindgen: string;
  imports: string[];
  exports: string[];
  files: string[];
  transpileMs: number;
}

export async function transpileComponent(
  bytes: Uint8Array,
  options: { cacheDir?: string; onProgress?(message: string): void; script?: string; execPath?: string } = {},
): Promise<TranspiledComponent | { error: string }> {
  const digest = createHash('sha256').update(bytes).digest('hex');
  const dir = path.join(options.cacheDir ?? defaultComponentCacheDir(), `${digest}-${BINDGEN_VERSION}`);
  const cached = readCache(dir, digest);
  if (cached) return cached;

  options.onProgress?.(`transpiling the component (${digest.slice(0, 12)}) with jco; the result is cached`);
  const began = performance.now();
  const reply = await runTranspiler(
    { type: 'transpile', bytes },
    options.script ?? defaultTranspilerScript(),
    options.execPath,
  );
  if (reply.type !== 'done')
    return {
      error: `cannot transpile the component: ${reply.type === 'error' ? reply.message : reply.type}`,
    };
  const transpileMs = performance.now() - began;
  options.onProgress?.(`transpiled in ${(transpileMs / 1000).toFixed(1)} s`);
  const files = new Map(reply.files);
  const js = files.get('component.js');
  if (!js) return { error: 'cannot transpile the component: bindgen produced no component.js' };
  const coreModules: Record<string, Uint8Array> = {};
  for (const [name, data] of files) if (name.endsWith('.wasm')) coreModules[name] = data;
  const result: TranspiledComponent = {
    js: Buffer.from(js).toString('utf8'),
    coreModules,
    imports: reply.imports.map(unversioned),
    exports: reply.exports.map(([name]) => name),
    digest,
    transpileMs,
    cached: false,
  };
  writeCache(dir, result);
  return result;
}

function unversioned(name: string): string {
  return name.replace(/@[^/#]*$/, '');
}

function readCache(dir: string, digest: string): TranspiledComponent | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
    if (manifest.bindgen !== BINDGEN_VERSION) return undefined;
    const coreModules: Record<string, Uint8Array> = {};
    for (const name of manifest.files) coreModules[name] = fs.readFileSync(path.join(dir, name));
    return {
      js: fs.readFileSync(path.join(dir, 'component.js'), 'utf8'),
      coreModules,
      imports: manifest.imports,
      exports: manifest.exports,
      digest,
      transpileMs: 0,
      cached: true,
    };
  } catch {
    return undefined;
  }
}

/** Best effort: a cache that cannot be written only costs the next run a transpile. */
function writeCache(dir: string, result: TranspiledComponent): void {
  try {
    // Written to a fresh folder then renamed, so a reader never sees half a cache entry.
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    const temp = fs.mkdtempSync(`${dir}.tmp-`);
    fs.writeFileSync(path.join(temp, 'component.js'), result.js);
    for (const [name, data] of Object.entries(result.coreModules))
      fs.writeFileSync(path.join(temp, name), data);
    const manifest: Manifest = {
      bindgen: BINDGEN_VERSION,
      imports: result.imports,
      exports: result.exports,
      files: Object.keys(result.coreModules),
      transpileMs: result.transpileMs,
    };
    fs.writeFileSync(path.join(temp, 'manifest.json'), JSON.stringify(manifest, null, 2));
    try {
      fs.renameSync(temp, dir);
    } catch {
      fs.rmSync(temp, { recursive: true, force: true });
    }
  } catch {
    /* ignore */
  }
}
