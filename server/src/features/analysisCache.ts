/**
 * Keeps a workspace of many `.wasm` files cheap to hold and to re-check:
 * - `slimFacts` drops the per-function and per-segment facts of modules nobody is looking at
 *   (the Problems panel needs only findings; the status bar only imports and counts). A module's
 *   full facts come back when its text view is opened.
 * - `ContentCache` reuses the findings of identical bytes under the same policy and settings:
 *   vendored copies of one module (in node_modules, build outputs, fixtures) are checked once.
 * - `SharedResults` keeps one copy of equal results: variants of one module (other custom
 *   sections, a changed data byte) mostly get the very same slim facts and findings.
 * - `EngineAccepted` remembers which modules the engine found valid. Validity never depends on
 *   custom sections nor on the bytes of data segments, so a signed build, a stripped one, one with
 *   other names or producers and one with other embedded data are validated once between them
 *   (engine validation is a third of a scan's CPU).
 * - The same engine key, with where each section lies, names what a module's function bodies say
 *   (its call graph, opcode counts, proposals): `CodeCache` (scan/codeCache.ts) works it out once
 *   for such builds.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { MAX_NESTING } from '../core/module/component';
import { dataSectionShape } from '../core/module/dataShape';
import { PREAMBLE_LENGTH, preambleKind, walkSections } from '../core/signing/sections';
import type { Finding } from '../core/findings';
import { copyFacts } from '../core/module/lazyDataSegments';
import type { ModuleFacts } from '../core/module/model';
import type { ResolvedPolicy } from '../core/policy/resolver';

/** How many distinct modules to remember; slim entries are small. */
const CAPACITY = 4096;

/**
 * How many results a scan worker keeps (see SharedResults): the server keeps CAPACITY, more than
 * four workers (the most there are) keep between them, so it has every result they name.
 */
export const SENT_RESULTS = 12;

/** Not a spread: that would build the binary's lazy data segments only to drop them. */
export function slimFacts(facts: ModuleFacts): ModuleFacts {
  return copyFacts(facts, {
    functions: [],
    dataSegments: [],
    elementSegments: [],
    customSections: [],
    functionNames: {},
    ...(facts.modules ? { modules: facts.modules.map(slimFacts) } : {}),
  });
}

export interface SlimResult {
  facts: ModuleFacts[];
  findings: Finding[];
}

/**
 * One copy of each distinct slim result: a SHA-256 of its JSON finds a candidate (~0.1 ms a
 * module) and a deep comparison confirms it, since JSON blurs NaN, Infinity and null. A scan
 * worker keeps a few of its own, so that a result equal to one it sent before travels as its
 * digest alone (`known`), and the server's thread neither receives nor compares it again.
 */
export class SharedResults {
  /** Most recently used last. */
  private readonly byDigest = new Map<string, SlimResult>();

  constructor(private readonly capacity = CAPACITY) {}

  share(result: SlimResult): SlimResult {
    return this.keep(result).result;
  }

  /** `share`, with the digest of the result and whether an equal one was kept already. */
  keep(result: SlimResult): { result: SlimResult; digest: string; known: boolean } {
    const digest = createHash('sha256').update(JSON.stringify(result)).digest('base64');
    const known = this.known(digest);
    if (known && isDeepStrictEqual(known, result)) return { result: known, digest, known: true };
    this.byDigest.set(digest, result);
    if (this.byDigest.size > this.capacity) this.byDigest.delete(this.byDigest.keys().next().value as string);
    return { result, digest, known: false };
  }

  /** The result kept under `digest`, if it still is (it is then the most recently used). */
  known(digest: string): SlimResult | undefined {
    const result = this.byDigest.get(digest);
    if (result) {
      this.byDigest.delete(digest);
      this.byDigest.set(digest, result);
    }
    return result;
  }
}

interface Entry extends SlimResult {
  policy: ResolvedPolicy;
  settingsKey: string;
}

export class ContentCache {
  private readonly entries = new Map<string, Entry>();

  /** A result for these bytes, if it was computed under this very policy object and these settings. */
  get(key: string, policy: ResolvedPolicy, settingsKey: string): Entry | undefined {
    const entry = this.entries.get(key);
    return entry && entry.policy === policy && entry.settingsKey === settingsKey ? entry : undefined;
  }

  set(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > CAPACITY) this.entries.delete(this.entries.keys().next().value as string);
  }

  clear(): void {
    this.entries.clear();
  }
}

export interface ContentKeys {
  /** Names the file's bytes and its detached signature: equal keys, equal analyses. */
  file: string;
  /**
   * Names what the engine validates, for each core module in the file (the file itself, or the
   * modules nested in a component), by the offset where the module starts: its preamble and its
   * sections other than custom ones. A module that is not a well-formed list of sections has none.
   */
  engine: Map<number, string>;
}

type Hash = ReturnType<typeof createHash>;

/**
 * The keys in as few passes as can be: for a core module, its non-custom sections feed the engine
 * key (the data section by its shape), its data section whole a second hash and its custom sections
 * a third, and the file key is made of the three and where the custom sections start (from which
 * the bytes can be put back together, so it is as exact as hashing them). A component's bytes are hashed whole, and its core modules once more for their keys.
 */
export function contentKeys(bytes: Uint8Array, detachedSignature: Uint8Array | undefined): ContentKeys {
  const withSignature = (hash: Hash) =>
    (detachedSignature ? hash.update('\0sig\0').update(detachedSignature) : hash).digest('hex');
  const engine = new Map<number, string>();
  const kind = preambleKind(bytes);
  if (kind === 'module') {
    const custom = createHash('sha256');
    const customStarts: number[] = [];
    const data = createHash('sha256');
    const key = engineKey(
      bytes,
      (section, offset) => {
        custom.update(section);
        customStarts.push(offset);
      },
      (section) => data.update(section),
    );
    if (key !== undefined) {
      engine.set(0, key);
      const parts = `${key}\0${data.digest('hex')}\0${custom.digest('hex')}\0${customStarts.join(',')}`;
      const file = createHash('sha256').update(parts);
      return { file: withSignature(file), engine };
    }
  } else if (kind === 'component') nestedEngineKeys(bytes, 0, engine, 0);
  return { file: withSignature(createHash('sha256').update(bytes)), engine };
}

/** The data section's id. */
const DATA_SECTION = 11;

/**
 * Hashes a core module's preamble and non-custom sections, the data section by its shape (its
 * segments' bytes left out, their lengths kept): custom sections go to `onCustom`, the data
 * section whole to `onData`, so the caller can still name every byte of the file.
 */
function engineKey(
  module: Uint8Array,
  onCustom?: (section: Uint8Array, offset: number) => void,
  onData?: (section: Uint8Array) => void,
): string | undefined {
  const walk = walkSections(module);
  if (walk.problem) return undefined;
  const hash = createHash('sha256').update(module.subarray(0, PREAMBLE_LENGTH));
  for (const section of walk.sections) {
    const raw = module.subarray(section.offset, section.end);
    const shape =
      section.id === DATA_SECTION ? dataSectionShape(module, section.contentOffset, section.end) : undefined;
    if (section.id === 0) onCustom?.(raw, section.offset);
    else if (shape === undefined) hash.update(raw);
    else {
      hash.update(module.subarray(section.offset, section.contentOffset)).update(shape);
      onData?.(raw);
    }
  }
  return hash.digest('hex');
}

/** The engine keys of the core modules (section 1) in a component and its nested components (4). */
function nestedEngineKeys(
  component: Uint8Array,
  base: number,
  into: Map<number, string>,
  depth: number,
): void {
  for (const section of walkSections(component).sections) {
    const payload = component.subarray(section.contentOffset, section.end);
    const at = base + section.contentOffset;
    if (section.id === 1 && preambleKind(payload) === 'module') {
      const key = engineKey(payload);
      if (key !== undefined) into.set(at, key);
    } else if (section.id === 4 && depth < MAX_NESTING) nestedEngineKeys(payload, at, into, depth + 1);
  }
}

/** How many engine keys to remember (each ~100 bytes). */
const ACCEPTED_CAPACITY = 16_384;

/**
 * Engine keys of modules the engine accepted. Rejections are not remembered: they are rare and
 * their messages carry offsets that custom sections shift.
 */
export class EngineAccepted {
  private readonly keys = new Set<string>();

  /** The offsets of the modules among `keys` that the engine accepted before. */
  offsetsIn(keys: Map<number, string>): number[] {
    return [...keys].filter(([, key]) => this.keys.has(key)).map(([offset]) => offset);
  }

  /** Remembers the keys of the modules at `offsets` (those the engine accepted). */
  addAt(keys: Map<number, string>, offsets: readonly number[]): void {
    for (const offset of offsets) {
      const key = keys.get(offset);
      if (key !== undefined) this.add(key);
    }
  }

  private add(key: string): void {
    if (this.keys.size >= ACCEPTED_CAPACITY) this.keys.delete(this.keys.values().next().value as string);
    this.keys.add(key);
  }
}
