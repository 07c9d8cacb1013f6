/**
 * What a module can reach, reduced to comparable plain values: the one view of ModuleFacts that
 * `diff`, the `capability-change` gate, the editor's lens and the SBOM share. For a component the
 * surface is its own imports and exports (the nested core modules' imports are internal wiring),
 * each with the functions its typed world gives it, as WIT writes them.
 */
import { worldFunctionText } from '../component/world';
import type { ExternKind, ComponentExternKind, ModuleFacts, Proposal, WorldItemFact } from '../module/model';
import type { SignatureReport } from '../signing';
import { capabilitiesCoveringImport, formatSignature } from '../wasi/catalogue';
import type { Capability } from '../wasi/capabilities';

export interface SurfaceImport {
  /** `module.name` for core modules, the import name (an interface) for components. */
  key: string;
  module: string;
  name: string;
  kind: ExternKind | ComponentExternKind | 'unknown';
  /** The type as WAT would write it (function signature, limits); '' when not known. */
  type: string;
  capabilities: Capability[];
  /** Components: the functions the imported interface (or function) brings, as WIT (`name: func(…) -> …`). */
  functions?: string[];
}

export interface SurfaceExport {
  name: string;
  kind: ExternKind | ComponentExternKind | 'unknown';
  /** Components: the functions the exported interface (or function) offers, as WIT. */
  functions?: string[];
}

export interface SurfaceLimits {
  /** `memory 0`, `table 1` ... */
  key: string;
  initial: number;
  maximum: number | null;
  imported: boolean;
  /** Memory: shared/memory64/page size; table: element type. */
  detail: string;
}

export interface SurfaceSigner {
  /** The key id as text when printable, else hex; '(no key id)' when the signer wrote none. */
  keyId: string;
  /** Under the policy's trusted keys, when the caller verified; undefined otherwise. */
  status?: string;
}

export interface ModuleSurface {
  kind: ModuleFacts['kind'];
  size: number;
  imports: SurfaceImport[];
  exports: SurfaceExport[];
  capabilities: Capability[];
  memories: SurfaceLimits[];
  tables: SurfaceLimits[];
  start: string | null;
  signed: boolean;
  /** The overall verdict when the caller verified (valid, untrusted, invalid ...). */
  signatureStatus?: string;
  signers: SurfaceSigner[];
  proposals: Proposal[];
  /** Custom section names with their counts (`name` twice shows as two entries of the same name). */
  customSections: string[];
  /** `field: name version` for every producers entry. */
  producers: string[];
  /** Core modules and components nested directly inside (components only). */
  nested: Array<{ kind: ModuleFacts['kind']; imports: number; exports: number }>;
}

export interface SurfaceInput {
  facts: ModuleFacts;
  /** File size in bytes. */
  size: number;
  /** The signature verdict under the policy's keys, when the caller verified. */
  signature?: SignatureReport;
}

function importType(facts: ModuleFacts, index: number): string {
  const t = facts.imports[index].type;
  switch (t.kind) {
    case 'func':
    case 'tag':
      return t.signature && (t.signature.params.length || t.signature.results.length)
        ? formatSignature(t.signature)
        : '';
    case 'memory':
      return limitsText(t.memory.initial, t.memory.maximum);
    case 'table':
      return `${limitsText(t.table.initial, t.table.maximum)} ${t.table.elementType}`;
    case 'global':
      return t.global.mutable ? `(mut ${t.global.valueType})` : t.global.valueType;
  }
}

export function limitsText(initial: number, maximum: number | null): string {
  return maximum === null ? `${initial}..∞` : `${initial}..${maximum}`;
}

function signersOf(input: SurfaceInput): SurfaceSigner[] {
  if (input.signature?.signed) {
    return input.signature.signatures.map((s) => ({
      keyId: s.keyIdText ?? s.keyId ?? '(no key id)',
      status: s.status,
    }));
  }
  const section = input.facts.signature;
  if (!section) return [];
  return section.signedHashSets.flatMap((set) =>
    set.signatures.map((s) => ({ keyId: printableKeyId(s.keyId) ?? '(no key id)' })),
  );
}

/** A hex key id as text when every byte is printable ASCII (custom ids such as "release-2025"). */
function printableKeyId(hex: string | null): string | null {
  if (hex === null) return null;
  const bytes = hex.match(/../g)?.map((b) => parseInt(b, 16)) ?? [];
  return bytes.length > 0 && bytes.every((b) => b >= 0x20 && b < 0x7f) ? String.fromCharCode(...bytes) : hex;
}

/** The typed functions of a component's import or export `name`, when its world item was read. */
function typedFunctions(item: WorldItemFact | undefined, name: string): { functions?: string[] } {
  return item && item.name === name && item.functions.length
    ? { functions: item.functions.map(worldFunctionText) }
    : {};
}

export function moduleSurface(input: SurfaceInput): ModuleSurface {
  const { facts } = input;
  const component = facts.kind === 'component' ? facts.components : undefined;
  const imports: SurfaceImport[] = component
    ? component.imports.map((i, n) => ({
        key: i.name,
        module: i.name,
        name: '',
        kind: i.kind ?? 'unknown',
        type: '',
        capabilities: capabilitiesCoveringImport(i.name, ''),
        ...typedFunctions(component.world?.imports[n], i.name),
      }))
    : facts.imports.map((i, n) => ({
        key: `${i.module}.${i.name}`,
        module: i.module,
        name: i.name,
        kind: i.kind,
        type: importType(facts, n),
        capabilities: capabilitiesCoveringImport(i.module, i.name),
      }));
  const exports: SurfaceExport[] = component
    ? component.exports.map((e, n) => ({
        name: e.name,
        kind: e.kind ?? 'unknown',
        ...typedFunctions(component.world?.exports[n], e.name),
      }))
    : facts.exports.map((e) => ({ name: e.name, kind: e.kind }));
  const capabilities = [...new Set(imports.flatMap((i) => i.capabilities))].sort();
  const signers = signersOf(input);
  return {
    kind: facts.kind,
    size: input.size,
    imports,
    exports,
    capabilities,
    memories: facts.memories.map((m) => ({
      key: `memory ${m.index}`,
      initial: m.initial,
      maximum: m.maximum,
      imported: m.imported,
      detail: [
        m.shared ? 'shared' : '',
        m.memory64 ? 'memory64' : '',
        m.pageSize !== 65536 ? `page ${m.pageSize}` : '',
      ]
        .filter(Boolean)
        .join(' '),
    })),
    tables: facts.tables.map((t) => ({
      key: `table ${t.index}`,
      initial: t.initial,
      maximum: t.maximum,
      imported: t.imported,
      detail: t.elementType + (t.table64 ? ' table64' : ''),
    })),
    start: facts.start ? (facts.start.funcName ?? `func ${facts.start.funcIndex}`) : null,
    signed: input.signature ? input.signature.signed : facts.signature !== null,
    ...(input.signature ? { signatureStatus: input.signature.status } : {}),
    signers,
    proposals: [...facts.proposals],
    customSections: facts.customSections.map((c) => c.name),
    producers: Object.entries(facts.producers?.fields ?? {}).flatMap(([field, values]) =>
      values.map((v) => `${field}: ${v.name}${v.version ? ` ${v.version}` : ''}`),
    ),
    nested: (facts.modules ?? []).map((m) => ({
      kind: m.kind,
      imports: m.kind === 'component' ? (m.components?.imports.length ?? 0) : m.imports.length,
      exports: m.kind === 'component' ? (m.components?.exports.length ?? 0) : m.exports.length,
    })),
  };
}

/** The version a module is compared with (`check --baseline`, the capability-change rule). */
export interface Baseline {
  /** What to call it in messages: a path, or `git REF`. */
  label: string;
  /** Null when the module did not exist in the baseline. */
  surface: ModuleSurface | null;
}
