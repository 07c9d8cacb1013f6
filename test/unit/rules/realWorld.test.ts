/**
 * Every rule on the real modules of ../shared/testdata/REAL-WORLD.md (fetched into .cache/real-world
 * by scripts/fetch-real-world.mjs), under the built-in default policy and a strict one. The counts
 * are what docs/rules/real-world.md explains; a change here needs a change there.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeModule } from '../../../server/src/core/analyze';
import type { EffectivePolicy } from '../../../server/src/core/policy/types';
import { defaultPolicy, policyFrom } from './helpers';

const ROOT = resolve(__dirname, '..', '..', '..', '..');

type Counts = Record<string, number>;

/** Findings per `rule:severity` under the default policy. */
const DEFAULT_COUNTS: Record<string, Counts> = {
  'sql.js': { 'table-exposure:info': 1 },
  'esbuild-wasm': { 'memory-limit:warning': 1, 'suspicious-data:info': 4, 'debug-info:info': 1 },
  'brotli-wasm': { 'memory-limit:warning': 1, 'suspicious-data:info': 1, 'debug-info:info': 2 },
  'zstd-wasm': { 'table-exposure:info': 1 },
  'web-tree-sitter': { 'start-function:info': 1, 'table-exposure:info': 1, 'debug-info:info': 1 },
  'wasi-adapter': { 'memory-limit:warning': 1, 'debug-info:info': 2 },
  'jco-bindgen-component': {
    'debug-info:info': 8,
    'memory-limit:warning': 2,
    'suspicious-data:info': 1,
    'table-exposure:info': 2,
  },
  'wasm-tools-component': { 'debug-info:info': 8, 'memory-limit:warning': 2, 'table-exposure:info': 2 },
  'splicer-core': { 'memory-limit:warning': 1, 'debug-info:info': 2 },
};
/** Errors per rule under the strict policy below (imports denied, 16 MiB, signature required). A namespace with six or more imports denied alike (minified `a.*`, Go `gojs.*`, wasm-bindgen `wbg.*`) is one finding. */
/** Errors per rule under the strict policy below (imports denied, 16 MiB, signature required). */
const STRICT_ERRORS: Record<string, Counts> = {
  'sql.js': { 'disallowed-import': 1, 'memory-limit': 2, 'missing-signature': 1 },
  'esbuild-wasm': { 'disallowed-import': 9, 'memory-limit': 1, 'missing-signature': 1 },
  'brotli-wasm': { 'disallowed-import': 2, 'memory-limit': 1, 'missing-signature': 1 },
  'zstd-wasm': { 'disallowed-import': 5, 'memory-limit': 2, 'missing-signature': 1 },
  'web-tree-sitter': { 'disallowed-import': 8, 'memory-limit': 3, 'missing-signature': 1 },
  'wasi-adapter': { 'disallowed-import': 64, 'memory-limit': 2, 'missing-signature': 1 },
  'jco-bindgen-component': { 'disallowed-import': 24, 'memory-limit': 3, 'missing-signature': 1 },
  // 16 host imports; the nested component's 12 imports are satisfied inside the component, not by the host.
  'wasm-tools-component': { 'disallowed-import': 16, 'memory-limit': 3, 'missing-signature': 1 },
  'splicer-core': { 'disallowed-import': 40, 'memory-limit': 2, 'missing-signature': 1 },
};

const STRICT = {
  imports: { otherwise: 'deny' },
  memory: {
    maxPages: 256,
    requireMaximum: true,
    allowShared: false,
    allowMemory64: false,
    allowImported: false,
  },
  signature: { required: true },
};

async function counts(
  path: string,
  policy: EffectivePolicy,
  key: (f: { ruleId: string; severity: string }) => string | undefined,
): Promise<Counts> {
  const analysis = await analyzeModule({ fileName: path, bytes: readFileSync(path), policy });
  const result: Counts = {};
  for (const finding of analysis.findings) {
    const k = key(finding);
    if (k) result[k] = (result[k] ?? 0) + 1;
  }
  return result;
}

describe('rules on real-world modules', function () {
  this.timeout(600_000);
  let paths: Record<string, string>;

  before(async () => {
    const script = pathToFileURL(join(ROOT, 'scripts', 'fetch-real-world.mjs')).href;
    const { fetchAll } = (await import(script)) as { fetchAll: () => Record<string, string> };
    paths = fetchAll();
  });

  for (const [id, expected] of Object.entries(DEFAULT_COUNTS)) {
    it(`${id}: default policy findings per rule, and no errors`, async () => {
      const actual = await counts(paths[id], defaultPolicy(), (f) => `${f.ruleId}:${f.severity}`);
      assert.deepEqual(actual, expected);
      assert.equal(Object.keys(actual).filter((k) => k.endsWith(':error')).length, 0);
    });
  }

  for (const [id, expected] of Object.entries(STRICT_ERRORS)) {
    it(`${id}: strict policy errors per rule`, async () => {
      const actual = await counts(paths[id], policyFrom(STRICT), (f) =>
        f.severity === 'error' ? f.ruleId : undefined,
      );
      assert.deepEqual(actual, expected);
    });
  }
});
