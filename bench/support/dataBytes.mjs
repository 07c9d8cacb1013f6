// The `--distinct` workspaces of bench/editor.mjs and bench/scanValidation.mjs: each file a module
// of its own to the engine, made by changing bytes of a data segment (data bytes never make a
// module invalid). Needs the compiled sources (`npx tsc -p .` into out/).
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { repo } from '../lib.mjs';

const require = createRequire(import.meta.url);
const { readBinaryModule } = require(path.join(repo, 'out', 'server', 'src', 'core', 'module', 'binary.js'));
const { allCoreModules } = require(path.join(repo, 'out', 'server', 'src', 'core', 'module', 'component.js'));

/**
 * `bytes` with two bytes of its first data segment of two bytes or more set from `i`; unchanged
 * when it has none (two small real-world modules).
 */
export function withDataBytes(bytes, i) {
  const segment = allCoreModules(readBinaryModule(bytes))
    .flatMap((m) => m.dataSegments)
    .find((s) => s.size >= 2 && s.contentOffset !== undefined);
  if (!segment) return bytes;
  const copy = Buffer.from(bytes);
  copy[segment.contentOffset] = i & 0xff;
  copy[segment.contentOffset + 1] = (i >> 8) & 0xff;
  return copy;
}
