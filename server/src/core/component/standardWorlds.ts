/**
 * The standard WASI 0.2 worlds a policy can require, as data: the interfaces each imports and
 * exports (after its `include`s), from the WASI 0.2 WIT (wasi:cli@0.2.x, wasi:http@0.2.x). A
 * world given as a `.wit` file is read by `parseWitWorld`.
 */

export interface RequiredWorld {
  /** `wasi:cli/command@0.2.0`, or the `.wit` file's package and world. */
  name: string;
  /** Interface names with a version (`wasi:io/streams@0.2.0`), or without when the file gave none. */
  imports: string[];
  exports: string[];
}

const CLI_IMPORTS = [
  'wasi:cli/environment',
  'wasi:cli/exit',
  'wasi:cli/stdin',
  'wasi:cli/stdout',
  'wasi:cli/stderr',
  'wasi:cli/terminal-input',
  'wasi:cli/terminal-output',
  'wasi:cli/terminal-stdin',
  'wasi:cli/terminal-stdout',
  'wasi:cli/terminal-stderr',
  'wasi:clocks/wall-clock',
  'wasi:clocks/monotonic-clock',
  'wasi:filesystem/types',
  'wasi:filesystem/preopens',
  'wasi:sockets/network',
  'wasi:sockets/instance-network',
  'wasi:sockets/udp',
  'wasi:sockets/udp-create-socket',
  'wasi:sockets/tcp',
  'wasi:sockets/tcp-create-socket',
  'wasi:sockets/ip-name-lookup',
  'wasi:random/random',
  'wasi:random/insecure',
  'wasi:random/insecure-seed',
  'wasi:io/error',
  'wasi:io/poll',
  'wasi:io/streams',
];

const PROXY_IMPORTS = [
  'wasi:clocks/wall-clock',
  'wasi:clocks/monotonic-clock',
  'wasi:random/random',
  'wasi:cli/stdout',
  'wasi:cli/stderr',
  'wasi:cli/stdin',
  'wasi:io/error',
  'wasi:io/poll',
  'wasi:io/streams',
  'wasi:http/types',
  'wasi:http/outgoing-handler',
];

const STANDARD: Record<string, { imports: string[]; exports: string[] }> = {
  'wasi:cli/command': { imports: CLI_IMPORTS, exports: ['wasi:cli/run'] },
  'wasi:cli/imports': { imports: CLI_IMPORTS, exports: [] },
  'wasi:http/proxy': { imports: PROXY_IMPORTS, exports: ['wasi:http/incoming-handler'] },
};

export const STANDARD_WORLD_NAMES = Object.keys(STANDARD);

/** A standard world by name (`wasi:cli/command@0.2.0`; 0.2.x only), or undefined. */
export function standardWorld(spec: string): RequiredWorld | undefined {
  const [name, version] = spec.split('@');
  const world = STANDARD[name];
  if (!world || !version || !/^0\.2\.(\d+|x|\*)$/.test(version)) return undefined;
  const v = version.replace(/x|\*/, '0');
  const at = (i: string) => `${i}@${v}`;
  return { name: `${name}@${v}`, imports: world.imports.map(at), exports: world.exports.map(at) };
}

/**
 * The first world of a `.wit` text: its `import`/`export` lines naming interfaces, `include`s of
 * standard worlds expanded. Local names (`import foo;`) are qualified by the file's package.
 */
export function parseWitWorld(text: string): RequiredWorld | { error: string } {
  const clean = text.replace(/\/\/[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
  const pkg = /\bpackage\s+([a-z0-9-]+:[a-z0-9-]+)(?:@([^\s;{]+))?\s*;/.exec(clean);
  const world = /\bworld\s+(%?[a-z0-9-]+)\s*\{([^}]*)\}/.exec(clean);
  if (!world) return { error: 'the .wit file has no world' };
  const qualify = (name: string) => {
    if (name.includes(':') || !pkg) return name;
    return `${pkg[1]}/${name}${pkg[2] ? `@${pkg[2]}` : ''}`;
  };
  const result: RequiredWorld = {
    name: `${pkg ? pkg[1] : 'world'}/${world[1]}${pkg?.[2] ? `@${pkg[2]}` : ''}`,
    imports: [],
    exports: [],
  };
  for (const statement of world[2].split(';')) {
    const m = /^\s*(import|export|include)\s+(%?[a-z0-9:/@.-]+)\s*$/.exec(statement);
    if (!m) continue;
    if (m[1] === 'include') {
      const included = standardWorld(m[2]);
      if (!included) return { error: `the world includes ${m[2]}, which is not a standard WASI 0.2 world` };
      result.imports.push(...included.imports);
      result.exports.push(...included.exports);
    } else (m[1] === 'import' ? result.imports : result.exports).push(qualify(m[2].replace(/^%/, '')));
  }
  return result;
}

/** `ns:pkg/iface` and the version of an interface name. */
function split(name: string): { base: string; version?: string } {
  const at = name.indexOf('@');
  return at < 0 ? { base: name } : { base: name.slice(0, at), version: name.slice(at + 1) };
}

/**
 * Whether an interface the component names satisfies one the world names: the same interface at
 * a semver-compatible version (same major, and same minor below 1.0; no pre-releases unless equal).
 */
export function interfaceMatches(actual: string, required: string): boolean {
  const a = split(actual);
  const r = split(required);
  if (a.base !== r.base) return false;
  if (!a.version || !r.version || a.version === r.version) return true;
  const parse = (v: string) => /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
  const av = parse(a.version);
  const rv = parse(r.version);
  if (!av || !rv) return false;
  if (av[1] !== rv[1]) return false;
  return av[1] !== '0' || av[2] === rv[2];
}
